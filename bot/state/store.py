"""The SQLite state store: opened once, WAL, migrated forward, owned by one worker at a time."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from bot.errors import StateError, StoreLockedError
from bot.hour_tracker import LedgerEntry
from bot.state.db import Tx
from bot.state.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """The last successful run and the last error of one source or job (for ``status``)."""

    name: str
    last_ok: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int


class StateStore:
    """One SQLite file at ``BOT_STATE_PATH``.

    ``open(owner=True)`` takes an exclusive lock on ``<path>.lock`` for the life of the process, so a second
    worker on the same store refuses to start (StoreLockedError names the holder). Read-only commands
    (``status``, ``quote``) open it without the lock. ``dry_run=True`` works on an in-memory copy, so a dry
    run reads the real state and changes nothing.
    """

    def __init__(self, conn: sqlite3.Connection, path: str, lock: IO[str] | None) -> None:
        self.conn = conn
        self.path = path
        self._lock = lock

    # ---- opening -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, owner: bool = False, dry_run: bool = False) -> StateStore:
        path = Path(path)
        lock = cls._acquire(path) if owner and not dry_run else None
        try:
            conn = cls._connect(path, dry_run=dry_run)
            store = cls(conn, str(path), lock)
            store._migrate()
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        return store

    @classmethod
    def memory(cls) -> StateStore:
        """A fresh in-memory store (tests, the demo)."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        store = cls(conn, ":memory:", None)
        store._migrate()
        return store

    @staticmethod
    def _acquire(path: Path) -> IO[str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = path.with_name(path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fh = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = fh.read().strip() or "unknown process"
            fh.close()
            raise StoreLockedError(str(path), holder) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
        fh.flush()
        return fh

    @staticmethod
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

    def _migrate(self) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            msg = f"state store {self.path} has schema {version}, newer than this bot ({SCHEMA_VERSION})"
            raise StateError(msg)
        for number in range(version, SCHEMA_VERSION):
            # executescript() commits first; BEGIN/COMMIT inside the script keep each step atomic.
            self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]}\nPRAGMA user_version = {number + 1};\nCOMMIT;"
            )
            log.info("state store migrated to schema %d", number + 1)

    def is_empty(self) -> bool:
        """True when the store holds nothing the bot wrote (no cursor, reference, ledger entry or mail)."""
        tables = ("cursors", "refs", "ledger", "mail_seen", "inquiries", "alert_groups")
        return not any(self.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in tables)

    def move_aside(self, backup: Path) -> None:
        """``rebuild-state --force``: the file (and its WAL) moves to ``backup``; an empty store takes its
        place. The owner lock is kept throughout, so no worker can start in between."""
        path = Path(self.path)
        self.conn.close()
        for suffix in ("", "-wal", "-shm"):
            old = path.with_name(path.name + suffix)
            if old.exists():
                old.replace(backup.with_name(backup.name + suffix))
        self.conn = self._connect(path, dry_run=False)
        self._migrate()

    def adopt(self, built: Path) -> None:
        """Replace this store's file by the complete store at ``built`` (``rebuild-state``), keeping the
        owner lock, so a rebuild that fails halfway leaves nothing half-written in place."""
        path = Path(self.path)
        self.conn.close()
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        built.replace(path)
        self.conn = self._connect(path, dry_run=False)
        self._migrate()

    def close(self) -> None:
        self.conn.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One atomic unit: everything inside is durable together or not at all."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StateError(f"state store {self.path} is not writable: {exc}") from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise StateError(f"state store {self.path} refused the write: {exc}") from None

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # ---- cursors ------------------------------------------------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (name, value, now.isoformat()),
            )

    def cursors(self) -> dict[str, str]:
        return {str(n): str(v) for n, v in self.conn.execute("SELECT name, value FROM cursors ORDER BY name")}

    # ---- references written to Backlog -----------------------------------------------------------
    def has_ref(self, ref: str) -> bool:
        return self.conn.execute("SELECT 1 FROM refs WHERE ref = ?", (ref,)).fetchone() is not None

    def ref_target(self, ref: str) -> str | None:
        row = self.conn.execute("SELECT target FROM refs WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else str(row[0])

    def record_ref(self, ref: str, kind: str, project: str, target: str, now: datetime) -> None:
        with self.transaction() as c:
            self.record_ref_in(c, ref, kind, project, target, now)

    @staticmethod
    def record_ref_in(
        c: Tx, ref: str, kind: str, project: str, target: str, now: datetime
    ) -> None:
        c.execute(
            "INSERT OR IGNORE INTO refs (ref, kind, project, target, written_at) VALUES (?, ?, ?, ?, ?)",
            (ref, kind, project, target, now.isoformat()),
        )

    def set_ref(self, ref: str, kind: str, project: str, target: str, now: datetime) -> None:
        """Record where ``ref`` landed, replacing a pending mark (``record_ref`` never replaces)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO refs (ref, kind, project, target, written_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (ref) DO UPDATE SET target = excluded.target",
                (ref, kind, project, target, now.isoformat()),
            )

    def refs_by_kind(self, kind: str) -> dict[str, str]:
        rows = self.conn.execute("SELECT ref, target FROM refs WHERE kind = ?", (kind,))
        return {str(r): str(t) for r, t in rows}

    # ---- ledger (rules H6, H8) ---------------------------------------------------------------------
    def append_ledger(
        self,
        *,
        customer: str,
        kind: str,
        hours: Decimal,
        at: datetime,
        issue_key: str | None,
        who: str,
        why: str,
        ref: str,
        now: datetime,
        title: str = "",
        category: str = "",
        multiplier: Decimal = Decimal(1),
        conn: Tx | None = None,
    ) -> bool:
        """Append one entry; returns False (and changes nothing) when ``ref`` was already recorded.

        ``hours`` are the hours consumed after the T7 multiplier; ``multiplier`` records which one applied.
        """
        sql = (
            "INSERT OR IGNORE INTO ledger (customer, kind, hours, at, issue_key, who, why, ref, recorded_at,"
            " title, category, multiplier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        args = (
            customer, kind, str(hours), at.isoformat(), issue_key, who, why, ref, now.isoformat(),
            title, category, str(multiplier),
        )
        if conn is not None:
            return conn.execute(sql, args).rowcount == 1
        with self.transaction() as c:
            return c.execute(sql, args).rowcount == 1

    def ledger(self, customer: str | None = None) -> list[LedgerEntry]:
        sql = (
            "SELECT id, customer, kind, hours, at, issue_key, who, why, ref, title, category, multiplier"
            " FROM ledger"
        )
        rows = (
            self.conn.execute(sql + " WHERE customer = ? ORDER BY id", (customer,))
            if customer is not None
            else self.conn.execute(sql + " ORDER BY id")
        )
        return [
            LedgerEntry(
                customer=r[1], kind=r[2], hours=Decimal(r[3]),
                at=datetime.fromisoformat(r[4]), issue_key=r[5], who=r[6], why=r[7], ref=r[8],
                title=r[9], category=r[10], multiplier=Decimal(r[11]),
            )
            for r in rows
        ]

    def has_ledger_ref(self, ref: str) -> bool:
        return self.conn.execute("SELECT 1 FROM ledger WHERE ref = ?", (ref,)).fetchone() is not None

    # ---- health (for ``status``) --------------------------------------------------------------------
    def mark_ok(self, name: str, now: datetime) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO health (name, last_ok, failures) VALUES (?, ?, 0) "
                "ON CONFLICT (name) DO UPDATE SET last_ok = excluded.last_ok, failures = 0",
                (name, now.isoformat()),
            )

    def mark_failed(self, name: str, error: str, now: datetime) -> int:
        """Record a failure; returns the number of failures in a row."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO health (name, last_error, last_error_at, failures) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, "
                "last_error_at = excluded.last_error_at, failures = health.failures + 1",
                (name, error[:500], now.isoformat()),
            )
            row = c.execute("SELECT failures FROM health WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def health(self) -> list[Health]:
        rows = self.conn.execute(
            "SELECT name, last_ok, last_error, last_error_at, failures FROM health ORDER BY name"
        )
        return [
            Health(
                name=r[0],
                last_ok=datetime.fromisoformat(r[1]) if r[1] else None,
                last_error=r[2],
                last_error_at=datetime.fromisoformat(r[3]) if r[3] else None,
                failures=int(r[4]),
            )
            for r in rows
        ]
