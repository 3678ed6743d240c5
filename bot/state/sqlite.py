"""The SQLite side of the store: one file, WAL, ``PRAGMA user_version`` as the schema version.

Used for one machine and for ``demo``; the state lives at ``BOT_STATE_PATH`` (default ``./var/state.db``).
The owner holds the lease row in the file itself (bot/state/lease.py); the lock file ``<path>.lock`` of
earlier versions is only looked at, so that a worker of an older version still running is respected.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import StateError
from bot.state.db import Cursor, Tx
from bot.state.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

# The database's clock (issue 22): SQLite's own ``now``, seconds since the epoch with milliseconds. One
# SQLite file is only ever shared by processes of one machine, so this is one clock for all of them.
NOW = "((julianday('now') - 2440587.5) * 86400.0)"


class SqliteConn:
    """A sqlite3 connection behind the :class:`~bot.state.db.Tx` seam; ``deferred`` is a BEGIN that the
    next statement sends first (bot/state/transactions.py, ``checkpoint``)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self.deferred: str | None = None
        # The open batch's rows read or written (bot.state.db.memo). Writes are never queued here: a
        # statement is a call into the library, not a round trip.
        self.memo: dict[tuple[str, str], Any] | None = None

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        if self.deferred is not None:
            begin, self.deferred = self.deferred, None
            self.raw.execute(begin)
        return self.raw.execute(sql, parameters)


def legacy_holder(path: Path) -> str | None:
    """The holder named in ``<path>.lock`` while a worker of an earlier version (which kept an exclusive
    ``flock`` on it for its life) still runs; None when nobody holds that lock."""
    lock_path = path.with_name(path.name + ".lock")
    if not lock_path.exists():
        return None
    with lock_path.open("r", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return fh.read().strip() or "a worker of an earlier version"
        fcntl.flock(fh, fcntl.LOCK_UN)
    return None


def memory() -> SqliteConn:
    return SqliteConn(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))


def side_connection(path: Path, timeout: float) -> sqlite3.Connection:
    """A second connection to the same file (the lease keeper's), waiting at most ``timeout`` for a lock."""
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)


def connect_existing(path: Path) -> SqliteConn:
    """The file at ``path`` as it is, for reading in place (``read_only``): nothing created or changed."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"state store {path} cannot be opened: {exc}") from None
    return SqliteConn(conn)


def connect(path: Path, *, dry_run: bool) -> SqliteConn:
    return SqliteConn(_connect(path, dry_run=dry_run))


def _connect(path: Path, *, dry_run: bool) -> sqlite3.Connection:
    try:
        if dry_run:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            if path.exists():
                src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                src.backup(conn)
                src.close()
            return conn
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Created readable by its owner only: it holds customer names, hours and mail metadata.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"state store {path} cannot be opened: {exc}") from None
    return conn


def _raw(conn: Tx) -> sqlite3.Connection:
    assert isinstance(conn, SqliteConn)  # noqa: S101 - the SQLite store only ever holds one
    return conn.raw


def schema_version(conn: Tx) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Tx, where: str) -> None:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        msg = f"state store {where} has schema {version}, newer than this bot ({SCHEMA_VERSION})"
        raise StateError(msg)
    for number in range(version, SCHEMA_VERSION):
        # executescript() commits first; BEGIN/COMMIT inside the script keep each step atomic.
        _raw(conn).executescript(
            f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]}\nPRAGMA user_version = {number + 1};\nCOMMIT;"
        )
        log.info("state store migrated to schema %d", number + 1)


def move_aside(conn: Tx, path: Path, backup: Path) -> SqliteConn:
    """The file (and its WAL) moves to ``backup``; a new empty file takes its place."""
    _raw(conn).close()
    for suffix in ("", "-wal", "-shm"):
        old = path.with_name(path.name + suffix)
        if old.exists():
            old.replace(backup.with_name(backup.name + suffix))
    return connect(path, dry_run=False)


def adopt(conn: Tx, path: Path, built: Path) -> SqliteConn:
    """The complete file at ``built`` replaces the store's file (one rename)."""
    _raw(conn).close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    built.replace(path)
    return connect(path, dry_run=False)


def close(conn: Tx) -> None:
    _raw(conn).close()
