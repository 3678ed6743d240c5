"""Ownership by lease, with fencing (issue 22), on both stores: one owner even when several start at once,
a takeover only after the lease expired (or its holder is proven dead), and an owner that lost its
lease commits nothing and sends no Backlog write. Lease times here are a second or two (a setting)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
import responses

from bot.backlog.fence import fence_writes
from bot.errors import LeaseLostError, StoreLockedError
from bot.state import StateStore, lease
from bot.state.schema import MIGRATIONS

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _freeze(store: StateStore) -> None:
    """What SIGSTOP does to the lease: nobody renews it any more (the process keeps it, and its state)."""
    keeper = store._keeper
    assert keeper is not None
    keeper._stop.set()
    keeper._thread.join(timeout=5)


def _standby(location: str, seconds: float = 1.0) -> StateStore:
    return StateStore.open(location, owner=True, lease_seconds=seconds, standby=threading.Event())


def test_of_several_workers_starting_at_once_exactly_one_owns_the_store(location: str) -> None:
    StateStore.open(location).close()  # created (and migrated) first, so the race is for the lease only
    start = threading.Barrier(6)
    won: list[StateStore] = []
    refused: list[str] = []

    def contend() -> None:
        start.wait()
        try:
            won.append(StateStore.open(location, owner=True))
        except StoreLockedError as exc:
            refused.append(exc.holder)

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(won) == 1 and len(refused) == 5
    assert won[0].lease is not None and won[0].lease.epoch == 1
    won[0].close()


def test_a_frozen_owner_is_taken_over_after_its_lease_and_then_writes_nothing(location: str) -> None:
    first = StateStore.open(location, owner=True, lease_seconds=1)
    first.set_cursor("imap:INBOX", "1:5", NOW)
    _freeze(first)
    frozen = time.monotonic()
    second = _standby(location)
    waited = time.monotonic() - frozen
    assert 0.5 < waited < 1 + lease.POLL_SECONDS + 1.0  # the lease, plus one poll (and some slack)
    assert second.lease is not None and second.lease.epoch == 2
    # The first one wakes: its next transaction is refused and leaves nothing behind.
    with pytest.raises(LeaseLostError, match="another worker took over"):
        first.set_cursor("imap:INBOX", "1:9", NOW)
    with pytest.raises(LeaseLostError):
        first.set_cursor("space_activity", "3", NOW)  # and every one after it, at once
    with pytest.raises(LeaseLostError):
        first.guard()  # no Backlog write leaves the process either
    assert first.lost.is_set() and first.lease_lost() == "another worker took over the lease"
    assert second.get_cursor("imap:INBOX") == "1:5"
    assert second.get_cursor("space_activity") is None
    first.close()  # hands nothing on: the lease is the second one's
    with pytest.raises(StoreLockedError):
        StateStore.open(location, owner=True)
    second.close()


def test_an_owner_frozen_inside_a_batch_commits_none_of_it(location: str) -> None:
    first = StateStore.open(location, owner=True, lease_seconds=1)
    with pytest.raises(LeaseLostError), first.batch():
        first.set_cursor("a", "1", NOW)
        first.record_ref("hoshu-bot:ack:ACME-1", "comment", "ACME", "", NOW)  # durable: the intent
        _freeze(first)
        second = _standby(location)  # no lock is held between the intent and the next write
        first.set_cursor("b", "2", NOW)
    assert second.get_cursor("a") == "1" and second.ref_target("hoshu-bot:ack:ACME-1") == ""
    assert second.get_cursor("b") is None
    first.close()
    second.close()


def test_the_intent_of_a_backlog_write_confirms_the_lease(location: str) -> None:
    first = StateStore.open(location, owner=True, lease_seconds=1)
    _freeze(first)
    second = _standby(location)
    with pytest.raises(LeaseLostError):
        first.record_ref("hoshu-bot:ack:ACME-2", "comment", "ACME", "", NOW)
    assert second.ref_target("hoshu-bot:ack:ACME-2") is None
    first.close()
    second.close()


def test_a_clean_stop_hands_the_lease_on_at_once(location: str) -> None:
    first = StateStore.open(location, owner=True, lease_seconds=60)
    started = time.monotonic()
    threading.Timer(0.3, first.close).start()
    second = _standby(location, 60)
    assert time.monotonic() - started < 5  # not the 60 s of the lease
    second.close()


def test_a_holder_proven_dead_on_this_machine_is_taken_over_at_once(location: str) -> None:
    StateStore.open(location).close()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    host, boot, _, _ = lease.proof().split("|")
    dead = f"{host}|{boot}|{int(gone.stdout)}|1"  # its pid is free now, or another process's
    with _raw(location) as c:
        c.execute("UPDATE hoshu_lease SET owner = 'pid 1 on here', proof = ?, epoch = 7,"
                  f" expires_at = {_now(location)} + 600 WHERE id = 1".replace("?", _mark(location)), (dead,))
    store = StateStore.open(location, owner=True)
    assert store.lease is not None and store.lease.epoch == 8
    store.close()
    # A holder on another machine is never proven dead: its lease must run out.
    with _raw(location) as c:
        c.execute(f"UPDATE hoshu_lease SET proof = 'elsewhere|x|1|1', expires_at = {_now(location)} + 600")
    with pytest.raises(StoreLockedError):
        StateStore.open(location, owner=True)


def test_an_old_store_is_brought_to_the_lease_in_place(location: str) -> None:
    with _raw(location) as c:
        for step in _steps(location):
            _script(c, step)
        c.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('space_activity', '41', 'x')")
    store = StateStore.open(location, owner=True)
    assert store.get_cursor("space_activity") == "41"
    assert store.lease is not None and store.lease.epoch == 1
    store.close()


def test_a_worker_of_the_earlier_version_still_running_is_respected(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    StateStore.open(path).close()
    with (tmp_path / "state.db.lock").open("w") as old:
        old.write("pid 42 on old-host since 2026-12-01T00:00:00+00:00")
        old.flush()
        fcntl.flock(old, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreLockedError, match="pid 42 on old-host"):
            StateStore.open(path, owner=True)
    StateStore.open(path, owner=True).close()


@responses.activate
def test_backlog_writes_leave_only_while_the_lease_surely_holds(location: str) -> None:
    store = StateStore.open(location, owner=True, lease_seconds=1)
    session = requests.Session()
    fence_writes(session, store.guard)
    responses.add(responses.POST, "https://x.backlog.com/api/v2/issues", json={})
    responses.add(responses.GET, "https://x.backlog.com/api/v2/issues", json=[])
    assert session.post("https://x.backlog.com/api/v2/issues").status_code == 200
    _freeze(store)
    time.sleep(0.8)  # two thirds of the lease without renewal: too close to a takeover to write
    with pytest.raises(LeaseLostError, match="not renewed in time"):
        session.post("https://x.backlog.com/api/v2/issues")
    assert session.get("https://x.backlog.com/api/v2/issues").status_code == 200  # reads change nothing
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1
    store.close()


# ---- raw access to either store, for setting up what an earlier version or a dead worker left ------------
class _raw:
    def __init__(self, location: str) -> None:
        self.location = location

    def __enter__(self) -> psycopg.Connection[object] | _Sqlite:
        if self.location.startswith("postgresql://"):
            self.conn: psycopg.Connection[object] | _Sqlite = psycopg.connect(self.location, autocommit=True)
        else:
            self.conn = _Sqlite(self.location)
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


class _Sqlite:
    def __init__(self, path: str) -> None:
        import sqlite3  # noqa: PLC0415

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.raw = sqlite3.connect(path, isolation_level=None)

    def execute(self, sql: str, args: tuple[object, ...] = ()) -> object:
        return self.raw.execute(sql, args)

    def close(self) -> None:
        self.raw.close()


def _now(location: str) -> str:
    from bot.state import postgres, sqlite  # noqa: PLC0415

    return postgres.NOW if location.startswith("postgresql://") else sqlite.NOW


def _mark(location: str) -> str:
    return "%s" if location.startswith("postgresql://") else "?"


def _steps(location: str) -> list[str]:
    if not location.startswith("postgresql://"):
        return [*MIGRATIONS, f"PRAGMA user_version = {len(MIGRATIONS)}"]
    from bot.state.schema_pg import PG_MIGRATIONS, PREAMBLE  # noqa: PLC0415

    return [PREAMBLE, *PG_MIGRATIONS, "CREATE TABLE hoshu_schema (version INTEGER NOT NULL)",
            f"INSERT INTO hoshu_schema VALUES ({len(MIGRATIONS)})",
            "CREATE TABLE hoshu_owner (id INTEGER PRIMARY KEY, holder TEXT NOT NULL)"]


def _script(c: object, step: str) -> None:
    if isinstance(c, _Sqlite):
        c.raw.executescript(step)
    else:
        assert isinstance(c, psycopg.Connection)
        c.execute(step)


def test_a_new_owner_sees_the_pending_marks_its_predecessor_made_moments_ago(location: str) -> None:
    first = StateStore.open(location, owner=True, lease_seconds=1)
    first.record_ref("hoshu-bot:ack:ACME-3", "comment", "ACME", "", NOW)  # the intent, then the crash
    first.record_ref("hoshu-bot:ack:ACME-4", "comment", "ACME", "", NOW)
    first.set_ref("hoshu-bot:ack:ACME-4", "comment", "ACME", "ACME-4#9", NOW)  # this one landed
    _freeze(first)
    second = _standby(location)
    marks = second.pending_marks(60)
    assert set(marks) == {"hoshu-bot:ack:ACME-3"}
    assert 0 <= marks["hoshu-bot:ack:ACME-3"] < 30  # its age by the database's clock
    time.sleep(0.2)
    assert second.pending_marks(0.1) == {}  # older than the grace: looked up and written as usual
    first.close()
    second.close()


def test_read_commands_read_the_store_in_place_and_write_nothing(location: str, tmp_path: Path) -> None:
    """``status`` and ``quote`` (issue 22 item 4): no copy of the store, so what the owner writes after
    they opened it is seen, and nothing they do is committed; a store not created yet stays uncreated."""
    missing = tmp_path / "none" / "state.db"
    assert StateStore.open(missing, read_only=True).is_empty() and not missing.exists()
    owner = StateStore.open(location, owner=True)
    reader = StateStore.open(location, read_only=True)
    owner.set_cursor("space_activity", "8", NOW)
    assert reader.get_cursor("space_activity") == "8"  # read in place, not a copy taken at open
    reader.set_cursor("space_activity", "99", NOW)  # what a read command must never do: rolled back
    assert owner.get_cursor("space_activity") == "8"
    reader.close()
    owner.close()
