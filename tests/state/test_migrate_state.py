"""``migrate-state``: SQLite -> PostgreSQL and back, verified by row counts and the ledger (issue 14)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.errors import StateError
from bot.state import StateStore
from bot.state.alerts import AlertEventRow, AlertRecords
from bot.state.copy import copy_store, counts, verify
from bot.state.mail import MailRecords, MailSeen

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def _fill(store: StateStore) -> None:
    for n in range(1, 4):
        store.append_ledger(
            customer="ACME", kind="consume", hours=Decimal("0.5") * n, at=NOW + timedelta(hours=n),
            issue_key=f"ACME-{n}", who="yamada", why="承認", ref=f"hoshu-bot:consume:ACME-{n}:1", now=NOW,
            title="フォーム改修", category="C5", multiplier=Decimal("1.5"),
        )
    store.set_cursor("backlog:activities", "812", NOW)
    store.record_ref("hoshu-bot:ack:ACME-1", "comment", "ACME", "ACME-1#c5", NOW)
    store.mark_failed("mail", "MailboxError: refused", NOW)
    with store.transaction() as tx:
        MailRecords.put(tx, MailSeen("mid|h", "issue", "ACME", "fp", "ACME-9", NOW))
        AlertRecords.add_event(tx, AlertEventRow("mid|h", "fp", "ACME", "kintone", "action", NOW))


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "BOT_STATE_PATH"):
        monkeypatch.delenv(name, raising=False)

    def apply(**env: str) -> None:
        for k, v in env.items():
            monkeypatch.setenv(k, v)

    return apply


def test_sqlite_to_postgresql_and_back_keeps_every_row_and_the_ledger(
    tmp_path: Path, database_url: str, use_env, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    sqlite_path = tmp_path / "var" / "state.db"
    original = StateStore.open(sqlite_path, owner=True)
    _fill(original)
    before, ledger = counts(original.conn), original.ledger()
    original.close()

    use_env(BOT_STATE_PATH=str(sqlite_path))
    assert main(["migrate-state", "--to", database_url, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["verified"] is True and summary["counts"] == before and summary["ledger_entries"] == 3

    pg = StateStore.open(database_url, owner=True)
    assert pg.ledger() == ledger and counts(pg.conn) == before
    # New entries continue after the copied ids instead of colliding with them.
    assert pg.append_ledger(customer="ACME", kind="purchase", hours=Decimal(6), at=NOW, issue_key=None,
                            who="sato", why="spot", ref="r-new", now=NOW)
    pg.close()

    back = tmp_path / "back.db"
    use_env(DATABASE_URL=database_url)
    assert main(["migrate-state", "--to", str(back)]) == 0
    assert "verified" in capsys.readouterr().out
    copy = StateStore.open(back)
    assert [e.ref for e in copy.ledger()] == [e.ref for e in ledger] + ["r-new"]
    copy.close()


def test_a_target_that_is_not_empty_is_refused(tmp_path: Path, database_url: str, use_env,  # type: ignore[no-untyped-def]
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sqlite_path = tmp_path / "state.db"
    StateStore.open(sqlite_path).close()
    busy = StateStore.open(database_url)
    busy.set_cursor("x", "1", NOW)
    busy.close()
    use_env(BOT_STATE_PATH=str(sqlite_path))
    assert main(["migrate-state", "--to", database_url]) == 2
    assert "is not empty" in capsys.readouterr().err


def test_the_verification_names_a_table_that_differs(tmp_path: Path, database_url: str) -> None:
    source = StateStore.open(tmp_path / "state.db")
    _fill(source)
    target = StateStore.open(database_url)
    copy_store(source, target)
    source.set_cursor("late", "1", NOW)  # a write after the copy
    with pytest.raises(StateError, match=r"cursors 2 -> 1"):
        verify(source, target)
