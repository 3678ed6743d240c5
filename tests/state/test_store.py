"""The state store: migrations, the owner lock, the append-only ledger, dry-run isolation."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import StateError, StoreLockedError
from bot.state import StateStore
from bot.state.schema import MIGRATIONS, SCHEMA_VERSION

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def _entry(store: StateStore, ref: str, hours: str = "0.5") -> bool:
    return store.append_ledger(
        customer="ACME", kind="consume", hours=Decimal(hours), at=NOW, issue_key="ACME-1",
        who="yamada", why="承認", ref=ref, now=NOW,
    )


class TestStateStore:
    def test_new_store_is_at_the_latest_schema_and_readable_only_by_its_owner(self, tmp_path: Path) -> None:
        path = tmp_path / "var" / "state.db"
        store = StateStore.open(path, owner=True)
        assert store.schema_version == SCHEMA_VERSION
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        store.close()

    def test_an_old_store_is_migrated_forward_keeping_its_data(self, tmp_path: Path) -> None:
        path = tmp_path / "state.db"
        conn = sqlite3.connect(path)
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO cursors VALUES ('space_activity', '41', '2026-11-01T00:00:00+09:00')")
        conn.commit()
        conn.close()
        store = StateStore.open(path)
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_cursor("space_activity") == "41"

    def test_a_store_from_a_newer_bot_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "state.db"
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
        with pytest.raises(StateError, match="newer than this bot"):
            StateStore.open(path)

    def test_a_second_owner_is_refused_with_the_holder_named(self, tmp_path: Path) -> None:
        path = tmp_path / "state.db"
        first = StateStore.open(path, owner=True)
        with pytest.raises(StoreLockedError, match=r"held by another worker \(pid \d+ on "):
            StateStore.open(path, owner=True)
        first.close()
        StateStore.open(path, owner=True).close()

    def test_ledger_is_append_only_and_deduplicated_by_reference(self) -> None:
        store = StateStore.memory()
        assert _entry(store, "hoshu-bot:consume:ACME-1:1") is True
        assert _entry(store, "hoshu-bot:consume:ACME-1:1") is False
        assert [e.hours for e in store.ledger("ACME")] == [Decimal("0.5")]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("UPDATE ledger SET hours = '9'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("DELETE FROM ledger")

    def test_a_failed_transaction_leaves_nothing_behind(self) -> None:
        store = StateStore.memory()
        with pytest.raises(RuntimeError), store.transaction() as c:
            store.append_ledger(
                customer="ACME", kind="purchase", hours=Decimal(6), at=NOW, issue_key=None,
                who="sato", why="spot", ref="r1", now=NOW, conn=c,
            )
            raise RuntimeError
        assert store.ledger() == []

    def test_dry_run_reads_the_real_state_and_changes_nothing(self, tmp_path: Path) -> None:
        path = tmp_path / "state.db"
        real = StateStore.open(path, owner=True)
        real.set_cursor("space_activity", "7", NOW)
        dry = StateStore.open(path, dry_run=True)
        assert dry.get_cursor("space_activity") == "7"
        dry.set_cursor("space_activity", "99", NOW)
        assert real.get_cursor("space_activity") == "7"

    def test_health_counts_failures_in_a_row_and_resets_on_success(self) -> None:
        store = StateStore.memory()
        assert store.mark_failed("mail", "boom", NOW) == 1
        assert store.mark_failed("mail", "boom", NOW) == 2
        store.mark_ok("mail", NOW)
        (h,) = store.health()
        assert (h.failures, h.last_ok, h.last_error) == (0, NOW, "boom")
