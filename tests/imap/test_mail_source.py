"""Pure parts of mail intake (batches, backoff, poison rule, cursors) and the demo's directory source."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.mailbox.source import (
    Backoff,
    DirectoryMailSource,
    Disposition,
    FailureCounter,
    FetchedMail,
    StateCursorStore,
    call_handler,
    plan_batches,
)
from bot.state.store import StateStore
from tests.imap.conftest import Recorder
from tests.support.dovecot import make_mail

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
MB = 1024 * 1024


class TestPlanBatches:
    @pytest.mark.parametrize(
        ("sizes", "expected"),
        [
            ([], []),
            ([(1, 10), (2, 10), (3, 10)], [[1, 2], [3]]),
            ([(1, 10), (2, 20 * MB), (3, 10)], [[1], [2], [3]]),
            ([(1, 30 * MB), (2, 30 * MB)], [[1], [2]]),
        ],
        ids=["nothing", "count-limit", "a-20MB-mail-alone", "each-oversize-mail-alone"],
    )
    def test_batches_respect_count_and_bytes(
        self, sizes: list[tuple[int, int]], expected: list[list[int]]
    ) -> None:
        assert plan_batches(sizes, max_count=2, max_bytes=10 * MB) == expected

    @given(st.lists(st.integers(0, 50 * MB), max_size=200), st.integers(1, 60), st.integers(1, 64 * MB))
    def test_every_uid_appears_once_in_order_within_limits(
        self, sizes: list[int], max_count: int, max_bytes: int
    ) -> None:
        pairs = list(enumerate(sizes, start=1))
        batches = plan_batches(pairs, max_count, max_bytes)
        assert [u for b in batches for u in b] == [u for u, _ in pairs]
        for batch in batches:
            assert 1 <= len(batch) <= max_count
            assert len(batch) == 1 or sum(sizes[u - 1] for u in batch) <= max_bytes


class TestBackoff:
    @given(st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=60))
    def test_delays_stay_between_one_second_and_five_minutes(self, draws: list[float]) -> None:
        it = iter(draws)
        backoff = Backoff(1.0, 300.0, lambda: next(it))
        delays = [backoff.next_delay() for _ in draws]
        assert all(1.0 <= d <= 300.0 for d in delays)

    def test_delays_grow_then_start_over_after_a_reset(self) -> None:
        backoff = Backoff(1.0, 300.0, lambda: 0.999)
        grown = [round(backoff.next_delay()) for _ in range(10)]
        backoff.reset()
        assert grown == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
        assert round(backoff.next_delay()) == 1


class TestPoisonRule:
    def test_the_limit_th_handler_failure_becomes_quarantine(self) -> None:
        mail = FetchedMail(uid=7, uidvalidity=1, folder="INBOX", raw=b"x")
        failures = FailureCounter(limit=3)

        def boom(_: FetchedMail) -> Disposition:
            raise RuntimeError("parse error")

        answers = [call_handler(boom, mail, failures) for _ in range(3)]
        assert answers == [Disposition.RETRY, Disposition.RETRY, Disposition.QUARANTINE]

    def test_a_success_clears_the_count(self) -> None:
        mail = FetchedMail(uid=7, uidvalidity=1, folder="INBOX", raw=b"x")
        failures = FailureCounter(limit=2)
        outcomes = iter([RuntimeError("once"), Disposition.RETRY, RuntimeError("again")])

        def flaky(_: FetchedMail) -> Disposition:
            outcome = next(outcomes)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        answers = [call_handler(flaky, mail, failures) for _ in range(3)]
        assert answers == [Disposition.RETRY, Disposition.RETRY, Disposition.RETRY]

    def test_the_mail_body_is_not_in_the_repr(self) -> None:
        mail = FetchedMail(uid=1, uidvalidity=1, folder="INBOX", raw=b"secret body")
        assert "secret body" not in repr(mail)


class TestStateCursorStore:
    def test_cursors_round_trip_through_the_state_store(self) -> None:
        store = StateStore.memory()
        cursors = StateCursorStore(store, lambda: NOW)

        assert cursors.get("INBOX") is None
        cursors.set("INBOX", 1795683031, 42)

        assert cursors.get("INBOX") == (1795683031, 42)
        assert store.cursors() == {"imap:INBOX": "1795683031:42"}


class TestDirectoryMailSource:
    def test_eml_files_are_handed_over_in_name_order_and_filed_by_disposition(self, tmp_path: Path) -> None:
        for name in ("01-ok", "02-bad", "03-later"):
            (tmp_path / f"{name}.eml").write_bytes(make_mail(name))
        (tmp_path / "notes.txt").write_text("not a mail")
        recorder = Recorder(answers={"02-bad": Disposition.QUARANTINE, "03-later": Disposition.RETRY})

        result = DirectoryMailSource(tmp_path, recorder).run_once()

        assert recorder.subjects == ["01-ok", "02-bad", "03-later"]
        assert (result.fetched, result.processed, result.quarantined, result.retried) == (3, 1, 1, 1)
        assert [p.name for p in (tmp_path / "processed").iterdir()] == ["01-ok.eml"]
        assert [p.name for p in (tmp_path / "quarantine").iterdir()] == ["02-bad.eml"]
        assert sorted(p.name for p in tmp_path.glob("*.eml")) == ["03-later.eml"]

    def test_a_raising_handler_quarantines_the_file_after_the_limit(self, tmp_path: Path) -> None:
        (tmp_path / "poison.eml").write_bytes(make_mail("poison"))
        recorder = Recorder(answers={"poison": ValueError("bad")})
        source = DirectoryMailSource(tmp_path, recorder, quarantine_after=2)

        results = [source.run_once(), source.run_once()]

        assert [r.retried for r in results] == [1, 0]
        assert (tmp_path / "quarantine" / "poison.eml").exists()
