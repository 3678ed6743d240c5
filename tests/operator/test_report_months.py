"""No report for a month that has not ended (issue 19 item 2, R1): the command refuses it (exit 2, one
line) unless ``--dry-run``; the worker's position never moves past the last ended month; ``rebuild-state``
ignores pages of months not ended, so a typo'd future page cannot suppress the real report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import pytest

from bot.config.loader import load_config
from bot.reports.content import parse_month
from bot.reports.publish import due_months, month_ended
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import JST, bot_env, cli, emulator_clock
from tests.support.paths import CONFIG_DIR

DEC_4 = "2026-12-04T10:00:00+09:00"


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def _pages(emu: BacklogEmulator) -> set[str]:
    return {w.name for w in emu.state.wikis.values()}


class TestReportCommand:
    @pytest.mark.parametrize(("month", "state"), [("2027-02", "is in the future"),
                                                   ("2026-12", "is in progress")])
    def test_a_month_not_ended_is_refused_with_exit_2_and_one_line(
        self, emu: BacklogEmulator, tmp_path: Path, month: str, state: str
    ) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_NOW=DEC_4)
        done = cli(env, "report", "--customer", "ACME", "--month", month, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            f"hoshu-bot: ACME {month}: the month {state} (today is 2026-12-04); a report is published "
            "only for a month that has ended ('report --dry-run' previews one)"]
        assert done.stdout == ""
        assert not any(month in name for name in _pages(emu))

    def test_a_dry_run_of_the_month_in_progress_still_previews_it(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_NOW=DEC_4)
        done = cli(env, "report", "--customer", "ACME", "--month", "2026-12", "--dry-run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "2026" in done.stdout

    def test_an_ended_month_is_published(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_NOW=DEC_4)
        done = cli(env, "report", "--customer", "ACME", "--month", "2026-11", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "保守レポート/2026-11" in _pages(emu)


class TestPosition:
    def test_a_cursor_past_the_last_ended_month_does_not_suppress_the_due_month(self) -> None:
        cal = load_config(CONFIG_DIR).calendar()
        now = datetime(2027, 1, 5, 10, 30, tzinfo=JST)
        assert due_months("2027-02", now, cal, time(10, 0)) == [parse_month("2026-12")]
        assert due_months("2026-11", now, cal, time(10, 0)) == [parse_month("2026-12")]

    def test_a_month_ends_at_local_midnight(self) -> None:
        nov = parse_month("2026-11")
        assert not month_ended(nov, datetime(2026, 11, 30, 23, 59, tzinfo=JST), JST)
        assert month_ended(nov, datetime(2026, 12, 1, 0, 0, tzinfo=JST), JST)
        # 2026-11-30T15:00Z is already 1 December in Tokyo
        assert month_ended(nov, datetime.fromisoformat("2026-11-30T15:00:00+00:00"), JST)


class TestRebuild:
    def test_a_future_page_is_ignored_and_the_real_month_is_written_after_the_rebuild(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        # A page of February 2027 exists in Backlog (written by an older version, or on a wrong clock).
        later = bot_env(emu, state, BOT_NOW="2027-03-05T10:00:00+09:00")
        assert cli(later, "report", "--customer", "ACME", "--month", "2027-02", cwd=tmp_path).returncode == 0
        assert "保守レポート/2027-02" in _pages(emu)
        env = bot_env(emu, state, BOT_NOW=DEC_4)
        done = cli(env, "rebuild-state", "--force", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        store = StateStore.open(state, dry_run=True)
        try:
            assert store.get_cursor("report:ACME") is None
        finally:
            store.close()
        january = bot_env(emu, state, BOT_NOW="2027-01-05T10:30:00+09:00")
        run = cli(january, "run", "--once", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "保守レポート/2026-12" in _pages(emu)
        store = StateStore.open(state, dry_run=True)
        try:
            assert store.get_cursor("report:ACME") == "2026-12"
        finally:
            store.close()
