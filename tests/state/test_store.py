"""The state store on both SQLite and PostgreSQL: migrations, the owner lock, the append-only ledger,
transactions, dry-run isolation (issue 14: every test here runs against both stores)."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from bot.errors import StateError, StoreLockedError
from bot.state import StateStore
from bot.state.schema import MIGRATIONS, SCHEMA_VERSION
from bot.state.schema_pg import PG_MIGRATIONS, PREAMBLE

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def _entry(store: StateStore, ref: str, hours: str = "0.5") -> bool:
    return store.append_ledger(
        customer="ACME", kind="consume", hours=Decimal(hours), at=NOW, issue_key="ACME-1",
        who="yamada", why="承認", ref=ref, now=NOW,
    )


def _old_store(location: str, version: int) -> None:
    """A store as an older bot left it: the first ``version`` migrations and one cursor."""
    row = "INSERT INTO cursors VALUES ('space_activity', '41', '2026-11-01T00:00:00+09:00')"
    if location.startswith("postgresql://"):
        with psycopg.connect(location, autocommit=True) as c:
            c.execute("CREATE TABLE hoshu_schema (version INTEGER NOT NULL)")
            c.execute("INSERT INTO hoshu_schema VALUES (%s)", (version,))
            c.execute(PREAMBLE)
            for step in PG_MIGRATIONS[:version]:
                c.execute(step)
            if version:
                c.execute(row)
        return
    Path(location).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(location)
    for step in MIGRATIONS[:version]:
        conn.executescript(step)
    if version:
        conn.execute(row)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


class TestStateStore:
    def test_new_store_is_at_the_latest_schema(self, store: StateStore) -> None:
        assert store.schema_version == SCHEMA_VERSION
        assert store.is_empty()

    def test_a_sqlite_file_is_readable_only_by_its_owner(self, tmp_path: Path) -> None:
        path = tmp_path / "var" / "state.db"
        StateStore.open(path, owner=True).close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_an_old_store_is_migrated_forward_keeping_its_data(self, location: str) -> None:
        _old_store(location, 1)
        store = StateStore.open(location)
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_cursor("space_activity") == "41"
        store.close()

    def test_a_store_from_a_newer_bot_is_refused(self, location: str) -> None:
        _old_store(location, SCHEMA_VERSION + 1)
        with pytest.raises(StateError, match="newer than this bot"):
            StateStore.open(location)

    def test_a_second_owner_is_refused_with_the_holder_named(self, location: str) -> None:
        first = StateStore.open(location, owner=True)
        with pytest.raises(StoreLockedError, match=r"held by another worker \(pid \d+ on \S+ since 20"):
            StateStore.open(location, owner=True)
        first.close()
        StateStore.open(location, owner=True).close()

    def test_a_reader_needs_no_lock_while_the_owner_runs(self, store: StateStore, location: str) -> None:
        store.set_cursor("space_activity", "7", NOW)
        reader = StateStore.open(location)
        assert reader.get_cursor("space_activity") == "7"
        reader.close()

    def test_ledger_is_append_only_and_deduplicated_by_reference(self, store: StateStore) -> None:
        assert _entry(store, "hoshu-bot:consume:ACME-1:1") is True
        assert _entry(store, "hoshu-bot:consume:ACME-1:1") is False
        assert [e.hours for e in store.ledger("ACME")] == [Decimal("0.5")]
        with pytest.raises((sqlite3.IntegrityError, psycopg.Error), match="append-only"):
            store.conn.execute("UPDATE ledger SET hours = '9'")
        with pytest.raises((sqlite3.IntegrityError, psycopg.Error), match="append-only"):
            store.conn.execute("DELETE FROM ledger")
        assert [e.hours for e in store.ledger("ACME")] == [Decimal("0.5")]

    def test_a_failed_transaction_leaves_nothing_behind(self, store: StateStore) -> None:
        with pytest.raises(RuntimeError), store.transaction() as c:
            store.append_ledger(
                customer="ACME", kind="purchase", hours=Decimal(6), at=NOW, issue_key=None,
                who="sato", why="spot", ref="r1", now=NOW, conn=c,
            )
            raise RuntimeError
        assert store.ledger() == []
        assert _entry(store, "r2") is True  # the connection is usable after the rollback

    def test_dry_run_reads_the_real_state_and_changes_nothing(self, store: StateStore, location: str) -> None:
        store.set_cursor("space_activity", "7", NOW)
        dry = StateStore.open(location, dry_run=True)
        assert dry.get_cursor("space_activity") == "7"
        assert dry.describe().startswith(store.kind)
        dry.set_cursor("space_activity", "99", NOW)
        assert store.get_cursor("space_activity") == "7"
        dry.close()

    def test_health_counts_failures_in_a_row_and_resets_on_success(self, store: StateStore) -> None:
        assert store.mark_failed("mail", "boom", NOW) == 1
        assert store.mark_failed("mail", "boom", NOW) == 2
        store.mark_ok("mail", NOW)
        (h,) = store.health()
        assert (h.failures, h.last_ok, h.last_error) == (0, NOW, "boom")

    def test_rows_sort_bytewise_on_both_stores(self, store: StateStore) -> None:
        """ORDER BY gives SQLite's order on PostgreSQL too, whatever the database's locale."""
        for name in ("b-2", "B-10", "a_1", "A-9", "ä"):
            store.set_cursor(name, "1", NOW)
        assert list(store.cursors()) == sorted(["b-2", "B-10", "a_1", "A-9", "ä"])

    def test_text_with_a_nul_character_is_stored(self, store: StateStore) -> None:
        store.set_cursor("odd", "a\x00b", NOW)
        assert store.get_cursor("odd") in {"a\x00b", "a\ufffdb"}


class TestStandby:
    def test_a_standby_waits_for_the_owner_and_takes_over_when_it_goes(self, location: str) -> None:
        first = StateStore.open(location, owner=True)
        first.set_cursor("space_activity", "5", NOW)
        cancel = threading.Event()
        got: list[StateStore] = []
        waiter = threading.Thread(target=lambda: got.append(StateStore.open(location, owner=True,
                                                                            standby=cancel)))
        waiter.start()
        time.sleep(1.5)
        assert got == []  # still waiting: the owner lives
        closed = time.monotonic()
        first.close()
        waiter.join(timeout=10)
        (second,) = got
        assert time.monotonic() - closed < 5
        assert second.get_cursor("space_activity") == "5"
        with pytest.raises(StoreLockedError):
            StateStore.open(location, owner=True)
        second.close()

    def test_a_standby_whose_wait_is_cancelled_gives_up(self, store: StateStore, location: str) -> None:
        cancel = threading.Event()
        threading.Timer(0.5, cancel.set).start()
        with pytest.raises(StoreLockedError):
            StateStore.open(location, owner=True, standby=cancel)

    def test_a_standby_migrates_only_once_it_owns_the_store(self, database_url: str) -> None:
        """A newer bot waiting as standby must not change the schema under the worker still active."""
        from bot.state.postgres import LOCK_CLASS, OWNER_LOCK  # noqa: PLC0415

        _old_store(database_url, 1)
        with psycopg.connect(database_url, autocommit=True) as active:
            active.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, OWNER_LOCK))
            cancel = threading.Event()
            got: list[StateStore] = []
            waiter = threading.Thread(target=lambda: got.append(
                StateStore.open(database_url, owner=True, standby=cancel)))
            waiter.start()
            time.sleep(1.5)
            version = active.execute("SELECT version FROM hoshu_schema").fetchone()
            assert version == (1,) and got == []
        waiter.join(timeout=10)  # the active session ended: its lock went with it
        (store,) = got
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_cursor("space_activity") == "41"
        store.close()
