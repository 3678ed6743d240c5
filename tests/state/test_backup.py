"""The README's backups work as written (issue 14): ``pg_dump`` / ``pg_restore`` for PostgreSQL, and
SQLite's online backup (what ``sqlite3 state.db ".backup ..."`` runs) while the owner holds the store."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.state import StateStore
from testing.postgres import Cluster, bindir

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _ledger(store: StateStore, n: int) -> None:
    for i in range(n):
        store.append_ledger(customer="ACME", kind="consume", hours=Decimal("0.5"), at=NOW, issue_key="ACME-1",
                            who="yamada", why="承認", ref=f"hoshu-bot:consume:ACME-1:{i}", now=NOW)


def test_pg_dump_and_pg_restore_bring_back_the_store_with_its_guards(pg_cluster: Cluster) -> None:
    source, target = pg_cluster.database(), pg_cluster.database()
    store = StateStore.open(source, owner=True, lease_seconds=1)
    _ledger(store, 3)
    bins = bindir()
    assert bins is not None
    dump = subprocess.run([str(bins / "pg_dump"), "--format=custom", source],  # noqa: S603
                          capture_output=True, check=True).stdout
    store.close()
    subprocess.run([str(bins / "pg_restore"), "--no-owner", "-d", target], input=dump,  # noqa: S603
                   capture_output=True, check=True)
    # The dump holds the lease as it was (the running worker's); it expires by itself (issue 22).
    restored = StateStore.open(target, owner=True, standby=threading.Event())
    assert [e.ref for e in restored.ledger()] == [f"hoshu-bot:consume:ACME-1:{i}" for i in range(3)]
    _ledger(restored, 4)  # the identity continues after the restored ids; the known refs are refused
    assert len(restored.ledger()) == 4
    with pytest.raises(Exception, match="append-only"):
        restored.conn.execute("DELETE FROM ledger")
    restored.close()


def test_sqlite_online_backup_while_the_worker_holds_the_store(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path / "state.db", owner=True)
    _ledger(store, 2)
    copy = sqlite3.connect(tmp_path / "backup.db")
    src = sqlite3.connect(tmp_path / "state.db")
    src.backup(copy)
    src.close()
    copy.close()
    _ledger(store, 3)  # the worker goes on writing
    store.close()
    backup = StateStore.open(tmp_path / "backup.db")
    assert len(backup.ledger()) == 2
    backup.close()
