"""The idempotent writer against the emulator: a write is never doubled, whatever its answer was."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.backlog_client import BacklogClient
from bot.backlog_writer import BacklogWriter
from bot.clock import FixedClock
from bot.directory import Directory
from bot.errors import BacklogTransientError
from bot.sandbox import BacklogEmulator
from bot.state import StateStore

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
REF = "hoshu-bot:ack:ACME-1"


class Ticks:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start() as e:
        e.add_issue_as("yamada", "ACME", "問い合わせ", "本文")
        yield e


def writer(emu: BacklogEmulator, ticks: Ticks, store: StateStore) -> BacklogWriter:
    client = BacklogClient(emu.base_url, emu.api_key, timeout=(2, 0.2), max_retries=0, sleep=lambda _s: None)
    return BacklogWriter(client, store, Directory(client), FixedClock(NOW), monotonic=ticks)


def posted(emu: BacklogEmulator) -> int:
    return sum(1 for r in emu.requests if r.method == "POST" and r.path.endswith("/comments"))


def bot_comments(emu: BacklogEmulator) -> int:
    with emu.state.lock:
        return sum(1 for c in emu.state.comments.values() if REF in c.content)


class TestUnansweredWrites:
    def test_a_write_that_times_out_and_lands_late_is_found_not_doubled(self, emu: BacklogEmulator) -> None:
        """The answer never came (read timeout) and the comment lands afterwards: within the grace
        (2 x the read timeout) the writer refuses to post again; the next look finds it."""
        ticks, store = Ticks(), StateStore.memory()
        w = writer(emu, ticks, store)
        emu.slow_seconds = 0.5  # answered after the client's 0.2 s read timeout; applied then
        emu.fail_next(1, "slow", path_contains="/comments")
        with pytest.raises(BacklogTransientError):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")
        with pytest.raises(BacklogTransientError, match="may still land"):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")  # at once: not posted again
        deadline = time.monotonic() + 10
        while bot_comments(emu) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the emulator applies the slow write now
        written = w.comment("ACME", "ACME-1", REF, "受け付けました。")
        assert (written.created, posted(emu), bot_comments(emu)) == (False, 1, 1)

    def test_the_grace_holds_even_when_the_lookup_after_the_timeout_fails_too(
        self, emu: BacklogEmulator
    ) -> None:
        """Found by the fault suite: the POST times out, then the look for it fails as well; the next
        attempt must still wait for the first one to land instead of posting a second comment."""
        ticks, store = Ticks(), StateStore.memory()
        w = writer(emu, ticks, store)
        emu.slow_seconds = 0.5
        emu.fail_next(1, "slow", path_contains="/comments")
        emu.fail_next(1, "500", path_contains="/comments")  # the lookup (GET .../comments) fails
        with pytest.raises(BacklogTransientError):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")
        with pytest.raises(BacklogTransientError, match="may still land"):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")
        deadline = time.monotonic() + 10
        while bot_comments(emu) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert w.comment("ACME", "ACME-1", REF, "受け付けました。").created is False
        assert (posted(emu), bot_comments(emu)) == (1, 1)

    def test_after_the_grace_a_write_that_never_landed_is_written_again(self, emu: BacklogEmulator) -> None:
        ticks, store = Ticks(), StateStore.memory()
        w = writer(emu, ticks, store)
        emu.fail_next(1, "drop", path_contains="/comments")  # the connection dies; nothing applied
        with pytest.raises(BacklogTransientError):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")
        ticks.t += w.pending_grace + 0.1
        assert w.comment("ACME", "ACME-1", REF, "受け付けました。").created is True
        assert (posted(emu), bot_comments(emu)) == (2, 1)

    def test_an_answered_failure_is_retried_at_once(self, emu: BacklogEmulator) -> None:
        """A 5xx is an answer: the server is done with the request, so no grace is needed."""
        ticks, store = Ticks(), StateStore.memory()
        w = writer(emu, ticks, store)
        emu.fail_next(1, "500", path_contains="/comments")
        with pytest.raises(BacklogTransientError):
            w.comment("ACME", "ACME-1", REF, "受け付けました。")
        assert w.comment("ACME", "ACME-1", REF, "受け付けました。").created is True
        assert bot_comments(emu) == 1
