"""The idempotent writer against the emulator: a write is never doubled, whatever its answer was."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.errors import BacklogTransientError
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.refs import refers_to

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
        return sum(1 for c in emu.state.comments.values() if refers_to(c.content, REF))


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


ALERT = "hoshu-bot:alert:3f9a0c:1"


def restarted(emu: BacklogEmulator, store: StateStore) -> BacklogWriter:
    """A new process on the same state store: nothing in memory survives, the pending marks do."""
    return writer(emu, Ticks(), store)


def no_keyword_search(emu: BacklogEmulator) -> bool:
    return not any("keyword" in r.query for r in emu.requests)


class TestLostAnswersAcrossRestarts:
    """Issue 11: a write whose answer is lost (applied, then the connection drops) is found again by
    deterministic reads, while keyword search still lags behind it, and is never written twice."""

    def test_a_new_alert_issue_is_opened_once(self, emu: BacklogEmulator) -> None:
        emu.search_lag = 600  # the index would not know the issue for ten minutes
        store = StateStore.memory()
        emu.fail_next(1, "drop_after_apply", path_contains="/api/v2/issues")
        emu.fail_next(1, "503", path_contains="/api/v2/issues")  # and the look after it fails too
        with pytest.raises(BacklogTransientError):
            writer(emu, Ticks(), store).issue("ACME", ALERT, "連携エラー", "連携が失敗しました。",
                                              issue_type=("監視アラート",))
        written = restarted(emu, store).issue("ACME", ALERT, "連携エラー", "連携が失敗しました。",
                                              issue_type=("監視アラート",))
        again = restarted(emu, store).issue("ACME", ALERT, "連携エラー", "連携が失敗しました。")
        with emu.state.lock:
            alerts = [i for i in emu.state.issues.values() if ALERT in i.description]
        assert (len(alerts), written.created, written.target, again.target) == (1, False, "ACME-2", "ACME-2")
        assert no_keyword_search(emu)
        sent = [r.query for r in emu.requests if r.path == "/api/v2/issues" and r.method == "GET"]
        assert sent[-1]["createdUserId[]"] == ["1000"] and sent[-1]["order"] == ["desc"]

    def test_found_in_the_same_pass_when_the_look_succeeds(self, emu: BacklogEmulator) -> None:
        emu.search_lag = 600
        store = StateStore.memory()
        emu.fail_next(1, "drop_after_apply", path_contains="/api/v2/issues")
        written = writer(emu, Ticks(), store).issue("ACME", ALERT, "連携エラー", "本文")
        # this call did create it; only its answer was lost
        assert (written.created, written.target, store.ref_target(ALERT)) == (True, "ACME-2", "ACME-2")

    def test_a_customer_quoting_the_document_number_is_not_taken_for_the_bots_write(
        self, emu: BacklogEmulator
    ) -> None:
        """Issue 20 item 2: a document number (受付番号：ACME-1) is text anyone can copy; after a lost
        write only a comment by the bot's own user counts as having landed."""
        store = StateStore.memory()
        emu.fail_next(1, "503", path_contains="/comments")  # answered: nothing was applied
        with pytest.raises(BacklogTransientError):
            writer(emu, Ticks(), store).comment("ACME", "ACME-1", REF, "受け付けました。")
        store.record_ref(REF, "comment", "ACME", "", NOW)  # as if the first attempt might have landed
        emu.add_comment_as("yamada", "ACME-1", "先ほどの件です。\n\n受付番号：ACME-1")
        written = restarted(emu, store).comment("ACME", "ACME-1", REF, "受け付けました。")
        assert written.created and bot_comments(emu) == 2  # the customer's copy and the bot's own
        with emu.state.lock:
            mine = [c for c in emu.state.comments.values() if c.created_user_id == emu.state.bot_user_id]
        assert [c.content.splitlines()[-1] for c in mine] == ["受付番号：ACME-1"]

    def test_an_acknowledgement_is_posted_once_behind_many_newer_comments(self, emu: BacklogEmulator) -> None:
        """The customer writes 150 comments before the bot comes back: the look reads newest first,
        page after page (maxId), instead of one page."""
        store = StateStore.memory()
        emu.fail_next(1, "drop_after_apply", path_contains="/comments")
        emu.fail_next(1, "503", path_contains="/comments")
        with pytest.raises(BacklogTransientError):
            writer(emu, Ticks(), store).comment("ACME", "ACME-1", REF, "受け付けました。")
        for n in range(150):
            emu.add_comment_as("yamada", "ACME-1", f"追記 {n}")
        written = restarted(emu, store).comment("ACME", "ACME-1", REF, "受け付けました。")
        assert (written.created, posted(emu), bot_comments(emu)) == (False, 1, 1)
        pages = [r.query for r in emu.requests if r.method == "GET" and r.path.endswith("/comments")]
        assert len(pages) >= 2 and "maxId" in pages[-1] and pages[-1]["order"] == ["desc"]

    def test_a_wiki_page_is_created_once(self, emu: BacklogEmulator) -> None:
        emu.search_lag = 600
        store = StateStore.memory()
        ref, name = "hoshu-bot:report:ACME:2026-11", "保守レポート/2026-11"
        emu.fail_next(1, "drop_after_apply", path_contains="/api/v2/wikis", method="POST")
        first = writer(emu, Ticks(), store).wiki("ACME", name, ref, "# 11 月の報告")
        again = restarted(emu, StateStore.memory()).wiki("ACME", name, ref, "# 11 月の報告")  # store lost
        with emu.state.lock:
            pages = [w for w in emu.state.wikis.values() if w.name == name]
        assert (len(pages), first.target, again.target, again.created) == (1, str(pages[0].id), first.target,
                                                                            False)
        assert sum(1 for r in emu.requests if r.method == "POST" and r.path == "/api/v2/wikis") == 1
        assert no_keyword_search(emu)
