"""The monitoring use case wired as the worker wires it (bot/app.py), against any Backlog URL.

For the monitoring suite's rig (tests/monitoring/conftest.py) and benchmarks/alert_latency.py: one
client, directory, writer and :class:`~bot.monitoring.MonitoringService` on a given store and clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import Clock
from bot.config.loader import BotConfig
from bot.config.monitoring import MonitoringConfig
from bot.monitoring import MonitoringService
from bot.state import StateStore

START = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Thursday, within business hours (T1)
PROCESSED, QUARANTINE = "Processed", "Quarantine"


def wire_service(config: BotConfig, monitoring: MonitoringConfig, store: StateStore, base_url: str,
                 api_key: str, clock: Clock) -> tuple[BacklogClient, MonitoringService]:
    """A Backlog client (short timeouts, no sleeping between retries) and the service writing through it."""
    client = BacklogClient(base_url, api_key, timeout=(2, 10), max_retries=2, sleep=lambda _s: None)
    directory = Directory(client)
    writer = BacklogWriter(client, store, directory, clock)
    service = MonitoringService(config, monitoring, store, writer, directory, config.calendar(), clock,
                                client)
    return client, service
