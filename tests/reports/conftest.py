"""Fixtures for the reports: the shipped configuration, a filled store, an emulator on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import BotConfig
from bot.reports.publish import ReportPublisher
from bot.rules.calendar import BusinessCalendar
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.reports.history import JST, fill_acme, fill_beta

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=JST)  # Tuesday: November's reports are due since 10:00


class FakeEpoch:
    """Epoch seconds shared by the emulator (timestamps, rate-limit windows) and the client (pacing):
    the client's ``sleep`` moves it, so pacing costs no real time."""

    def __init__(self, now: float = datetime(2026, 12, 1, 1, 30, tzinfo=UTC).timestamp()) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class World:
    emu: BacklogEmulator
    client: BacklogClient
    store: StateStore
    writer: BacklogWriter
    publisher: ReportPublisher
    clock: FixedClock
    epoch: FakeEpoch

    def calls(self, method: str | None = None) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.emu.requests if method is None or r.method == method]

    def restart(self) -> None:
        """A new process on the same store: a cold directory cache, a fresh writer and publisher."""
        self.writer = BacklogWriter(self.client, self.store, Directory(self.client), self.clock)
        self.publisher = ReportPublisher(self.publisher.config, self.store, self.writer)


@pytest.fixture
def store(cal: BusinessCalendar) -> StateStore:
    s = StateStore.memory()
    fill_acme(s, cal)
    fill_beta(s)
    return s


@pytest.fixture
def world(config: BotConfig, store: StateStore) -> Iterator[World]:
    epoch = FakeEpoch()
    with BacklogEmulator.start(clock=epoch) as emu:
        client = BacklogClient(emu.base_url, emu.api_key, sleep=epoch.sleep, clock=epoch)
        clock = FixedClock(NOW)
        writer = BacklogWriter(client, store, Directory(client), clock)
        yield World(emu, client, store, writer, ReportPublisher(config, store, writer), clock, epoch)
        client.close()
