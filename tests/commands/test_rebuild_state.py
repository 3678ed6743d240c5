"""``rebuild-state`` without a mailbox: what comes back from Backlog, and the guard around the old store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.backlog.models import Issue
from bot.config.loader import load_config
from bot.rebuild.restore import Rebuilder
from bot.rebuild.scan import Found, Scan
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.inquiries import InquiryRecords
from tests.e2e.rig import CONFIG_DIR, JST, START, bot_env, cli, emulator_clock

MONTH_START = "2026-12-01T10:30:00+09:00"


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def _played(emu: BacklogEmulator, tmp_path: Path) -> tuple[dict[str, str], Path, str]:
    """A bot that answered one inquiry, quoted it, had it approved and published a report."""
    state = tmp_path / "state.db"
    env = bot_env(emu, state)
    assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
    key = str(emu.add_issue_as("yamada", "ACME", "入力チェックの追加", "お願いします。")["issueKey"])
    assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
    emu.add_comment_as("sato", key, "/bot estimate 3h E6")
    assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
    emu.add_comment_as("yamada", key, "承認します。")
    assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
    env_month = {**env, "BOT_NOW": MONTH_START}
    assert cli(env_month, "run", "--once", cwd=tmp_path).returncode == 0
    return env_month, state, key


class TestRebuildState:
    def test_a_non_empty_store_is_kept_unless_forced_and_then_moved_aside(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        env, state, key = _played(emu, tmp_path)
        refused = cli(env, "rebuild-state", cwd=tmp_path)
        assert refused.returncode == 2
        assert "--force" in refused.stderr
        done = cli(env, "rebuild-state", "--force", "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert Path(summary["moved_aside"]).exists()
        assert summary["counts"]["ledger"] == 1
        assert summary["counts"]["inquiries"] == 1
        assert summary["counts"]["report_cursors"] >= 1

        old = StateStore.open(summary["moved_aside"], dry_run=True)
        new = StateStore.open(state, dry_run=True)
        (before,), (after,) = old.ledger("ACME"), new.ledger("ACME")
        assert (after.ref, after.hours, after.at, after.who, after.multiplier) == (
            before.ref, before.hours, before.at, before.who, before.multiplier)
        assert new.get_cursor("report:ACME") == old.get_cursor("report:ACME") == "2026-11"
        assert set(old.refs_by_kind("comment")) <= set(new.refs_by_kind("comment"))
        row = InquiryRecords(new).get(key)
        assert row is not None and row.staff_issue_key == InquiryRecords(old).get(key).staff_issue_key  # type: ignore[union-attr]
        assert row.data["quote"]["state"] == "approved"
        assert row.data["quote"]["requested"] == "3"

    def test_a_rebuild_that_fails_halfway_leaves_the_old_store_in_place(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        """The new store is built aside and swapped in whole; Backlog failing mid-scan changes nothing."""
        env, state, _ = _played(emu, tmp_path)
        emu.fail_next(1000, "500")
        failed = cli({**env, "BOT_LOG_LEVEL": "ERROR"}, "rebuild-state", "--force", cwd=tmp_path)
        emu.clear_faults()
        assert failed.returncode == 1
        assert not list(tmp_path.glob("state.db.before-rebuild-*"))
        kept = StateStore.open(state, dry_run=True)
        assert [e.hours for e in kept.ledger("ACME")] == [Decimal(3)]
        assert kept.get_cursor("report:ACME") == "2026-11"

    def test_a_rebuilt_store_writes_nothing_twice_on_the_next_run(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        env, _, _ = _played(emu, tmp_path)
        assert cli(env, "rebuild-state", "--force", cwd=tmp_path).returncode == 0
        emu.clear_requests()
        assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
        assert [r.path for r in emu.requests if r.method in ("POST", "PATCH")] == []

    def test_a_second_rebuild_while_a_worker_holds_the_store_exits_2(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        holder = StateStore.open(state, owner=True)
        try:
            done = cli(bot_env(emu, state), "rebuild-state", cwd=tmp_path)
        finally:
            holder.close()
        assert done.returncode == 2
        assert "held by another worker" in done.stderr


class TestLedgerFromConfirmations:
    """H8: the ledger comes back from the data on the confirmation's reference (issue 15) or, in an older
    comment, from its ``hoshu-bot:ledger`` line; one with neither gives its hours from the text and its
    instant from the comment, with a warning."""

    @pytest.mark.parametrize(
        ("text", "hours", "at", "warned"),
        [
            ("今回 4.5 時間を消費いたしました。\n\n"
             "hoshu-bot:confirm:ACME-3:1;h=4.5;x=1.50;t=20261120T230000;by=yamada",
             Decimal("4.5"), datetime(2026, 11, 20, 23, tzinfo=JST), False),
            ("今回 3 時間を消費いたしました。\n\nhoshu-bot:ledger kind=consume hours=4.5 x=1.50 "
             "at=2026-11-20T23:00:00+09:00 by=yamada\n\nhoshu-bot:confirm:ACME-3:1",
             Decimal("4.5"), datetime(2026, 11, 20, 23, tzinfo=JST), False),
            ("今回 2.5 時間を消費いたしました。\n\nhoshu-bot:confirm:ACME-3:1",
             Decimal("2.5"), START, True),
        ],
        ids=["reference-data", "ledger-line", "older-form"],
    )
    def test_the_entry_is_recovered(self, text: str, hours: Decimal, at: datetime, warned: bool) -> None:
        store = StateStore.memory()
        found = Found("hoshu-bot:confirm:ACME-3:1", "comment", "ACME", "ACME-3#9", text, START, "ACME-3")
        result = Rebuilder(load_config(CONFIG_DIR), store, Scan(found=[found], issues=dict[str, Issue]()),
                           START).run(0)
        (entry,) = store.ledger("ACME")
        assert (entry.ref, entry.kind, entry.hours, entry.at) == ("hoshu-bot:consume:ACME-3:1", "consume",
                                                                  hours, at)
        assert bool(result["warnings"]) is warned
