"""The SQLite side of the store: one file, WAL, ``PRAGMA user_version`` as the schema version, a lock file.

Used for one machine and for ``demo``; the state lives at ``BOT_STATE_PATH`` (default ``./var/state.db``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bot.errors import StateError, StoreLockedError
from bot.state.db import Tx
from bot.state.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

STANDBY_POLL_SECONDS = 0.5  # how often a standby tries the owner lock (takeover well inside 30 s)


def holder_line() -> str:
    """Who owns a store: ``pid N on HOST since TIME`` (the lock file, the PostgreSQL owner row)."""
    since = datetime.now(UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()} on {socket.gethostname()} since {since}"


def acquire(path: Path, standby: threading.Event | None) -> IO[str]:
    """An exclusive ``flock`` on ``<path>.lock`` for the life of the process (released by the kernel
    when the process dies, however it dies). ``standby``: wait for it until the event is set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fh = os.fdopen(fd, "r+", encoding="utf-8")
    announced = False
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown process"
            if standby is None or standby.is_set():
                fh.close()
                raise StoreLockedError(str(path), holder) from None
            if not announced:
                log.info("standby: waiting for the state store %s (held by %s)", path, holder)
                announced = True
            standby.wait(STANDBY_POLL_SECONDS)
    fh.seek(0)
    fh.truncate()
    fh.write(holder_line())
    fh.flush()
    return fh


def memory() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)


def connect(path: Path, *, dry_run: bool) -> sqlite3.Connection:
    try:
        if dry_run:
            conn = memory()
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
    assert isinstance(conn, sqlite3.Connection)  # noqa: S101 - the SQLite store only ever holds one
    return conn


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


def move_aside(conn: Tx, path: Path, backup: Path) -> sqlite3.Connection:
    """The file (and its WAL) moves to ``backup``; a new empty file takes its place."""
    _raw(conn).close()
    for suffix in ("", "-wal", "-shm"):
        old = path.with_name(path.name + suffix)
        if old.exists():
            old.replace(backup.with_name(backup.name + suffix))
    return connect(path, dry_run=False)


def adopt(conn: Tx, path: Path, built: Path) -> sqlite3.Connection:
    """The complete file at ``built`` replaces the store's file (one rename)."""
    _raw(conn).close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    built.replace(path)
    return connect(path, dry_run=False)


def close(conn: Tx) -> None:
    _raw(conn).close()
