"""Fixtures of the inquiry-flow scenarios: one emulator per module, a fixed clock shared with the bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.sandbox import BacklogEmulator
from tests.inquiry_flow.harness import Flow, jst, start_emulator


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock(jst(2026, 11, 30, 11))


@pytest.fixture(scope="module")
def emu(clock: FixedClock) -> Iterator[BacklogEmulator]:
    with start_emulator(clock) as emulator:
        yield emulator


@pytest.fixture
def flow(emu: BacklogEmulator, clock: FixedClock) -> Iterator[Flow]:
    """A fresh bot (empty store) on Monday 2026-11-30 11:00 JST; ACME has 6 h left (Q3 of its year)."""
    emu.clear_faults()
    clock.set(jst(2026, 11, 30, 11))
    yield Flow(emu, clock)
    emu.clear_faults()
