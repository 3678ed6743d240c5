"""Fixtures of the hostile-input suite: the emulator (staff project in Backlog notation) and the bot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import load_config, load_monitoring
from bot.mailbox.source import Disposition, FetchedMail
from bot.monitoring import MonitoringService
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.support.paths import CONFIG_DIR
from tests.support.worker_proc import emulator_seed

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
LIMITS = {"read": 1_000_000, "update": 1_000_000, "search": 1_000_000}


@dataclass
class MailBot:
    emu: BacklogEmulator
    service: MonitoringService
    store: StateStore
    uid: int = 0

    def handle(self, raw: bytes) -> Disposition:
        self.uid += 1
        return self.service.handle(FetchedMail(self.uid, 1, "INBOX", raw))


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    seed = emulator_seed()
    for project in seed["projects"]:
        if project["projectKey"] == "HOSHU":
            project["textFormattingRule"] = "backlog"  # staff items then prove the Backlog-notation escaping
    stamp = START.timestamp()
    with BacklogEmulator.start(seed, limits=LIMITS, clock=lambda: stamp) as emulator:
        yield emulator


@pytest.fixture
def bot(emu: BacklogEmulator) -> Iterator[MailBot]:
    config = load_config(CONFIG_DIR)
    clock = FixedClock(START)
    store = StateStore.memory()
    client = BacklogClient(emu.base_url, emu.api_key, timeout=(5, 30), max_retries=0, sleep=lambda _s: None)
    directory = Directory(client)
    writer = BacklogWriter(client, store, directory, clock)
    service = MonitoringService(config, load_monitoring(CONFIG_DIR / "monitoring.toml"), store, writer,
                                directory, config.calendar(), clock, client)
    yield MailBot(emu, service, store)
    client.close()
    store.close()
