"""The PostgreSQL side of the store (``DATABASE_URL``): psycopg 3, one session per worker, an advisory lock.

* Statements are the store's own (``?`` marks) translated to psycopg's ``%s``; the schema is the SQLite
  one translated (bot/state/schema_pg.py); the version lives in ``hoshu_schema``.
* Single owner without a lock file: the worker holds a session advisory lock for its life. PostgreSQL
  drops it the moment the session ends (process killed: at once; machine or network gone: when the TCP
  keepalives below give up, about 20 s), and a standby waiting for it becomes active.
* The holder (host, pid, since) is written to ``hoshu_owner`` by whoever takes the lock, so a refused
  second worker can name it.
* A lost connection is final for this process: the lock went with it, a standby may be active already,
  so the store raises StoreLostError, sets ``lost`` and the worker stops (exit 1; the platform restarts it).
* Dry runs read a copy of the database in memory (SQLite), so they neither write nor hold row locks.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.errors import StateError, StoreLockedError, StoreLostError
from bot.state import sqlite
from bot.state.copy import TABLES, fill
from bot.state.db import Cursor
from bot.state.schema import SCHEMA_VERSION
from bot.state.schema_pg import PG_MIGRATIONS, PREAMBLE
from bot.state.store import StateStore

log = logging.getLogger(__name__)

LOCK_CLASS = 0x486F5368  # "HoSh": the advisory-lock namespace of this bot
OWNER_LOCK, MIGRATION_LOCK = 1, 2
# Dead peers are noticed in about 5 + 3 x 5 = 20 s on both sides of the connection (takeover < 30 s).
KEEPALIVE: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 5,
                             "keepalives_count": 3, "tcp_user_timeout": 20000, "connect_timeout": 10}
SERVER_KEEPALIVE = ("SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 5",
                    "SET tcp_keepalives_count = 3", "SET tcp_user_timeout = 20000")


def redact(url: str) -> str:
    """The URL without its password, for messages and ``status``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=512)
def _translate(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _clean(value: object) -> object:
    # PostgreSQL text cannot hold NUL, SQLite can; a hostile mail must not make its record unwritable.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class PgConn:
    """A psycopg connection behind the store's :class:`~bot.state.db.Tx` seam (``?`` marks, autocommit
    outside explicit ``BEGIN``/``COMMIT``); a broken connection raises StoreLostError."""

    def __init__(self, raw: psycopg.Connection[Any], where: str, on_lost: Callable[[], None]) -> None:
        self.raw = raw
        self.where = where
        self.on_lost = on_lost

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        try:
            if parameters:
                return self.raw.execute(_translate(sql), [_clean(v) for v in parameters])
            return self.raw.execute(sql)
        except psycopg.OperationalError as exc:
            if self.raw.broken or self.raw.closed:
                self.on_lost()
                msg = (f"lost the connection to the state store {self.where} ({type(exc).__name__}); "
                       "its owner lock went with it")
                raise StoreLostError(msg) from None
            raise

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.raw.close()


def _connect(url: str, on_lost: Callable[[], None]) -> PgConn:
    where = redact(url)
    try:
        raw = psycopg.connect(url, autocommit=True, application_name="hoshu-bot", **KEEPALIVE)
    except psycopg.Error as exc:
        # psycopg's message may quote the URL; name the store without its password instead.
        raise StateError(f"state store {where} cannot be opened: {type(exc).__name__}") from None
    for stmt in SERVER_KEEPALIVE:  # poolers and old servers may refuse some; the client side still holds
        with contextlib.suppress(psycopg.Error):
            raw.execute(stmt)
    return PgConn(raw, where, on_lost)


class PgStateStore(StateStore):
    """The store in PostgreSQL; every query method is the base class's own."""

    kind = "postgresql"
    _BEGIN = "BEGIN"

    def __init__(self, conn: PgConn, url: str, *, owner: bool) -> None:
        super().__init__(conn, redact(url), None)
        self.pg = conn
        self.url = url
        self.owner = owner

    @classmethod
    def open_url(
        cls, url: str, *, owner: bool, dry_run: bool, standby: threading.Event | None,
    ) -> StateStore:
        if dry_run:
            return cls._copy_in_memory(url)
        while True:
            store = cls(_connect(url, lambda: None), url, owner=owner)
            store.pg.on_lost = store.lost.set
            try:
                # The owner lock first, then the migration: a standby of a newer version must not change
                # the schema under the worker that is still active.
                store._bootstrap()
                if owner:
                    store._acquire(standby)
                store._migrate()
            except StoreLostError:
                store.pg.close()
                if standby is None or standby.wait(1.0):
                    raise
                log.warning("standby: the connection to %s was lost while waiting; connecting again",
                            store.path)
                continue
            except BaseException:
                store.pg.close()
                raise
            return store

    @classmethod
    def _copy_in_memory(cls, url: str) -> StateStore:
        source = cls(_connect(url, lambda: None), url, owner=False)
        try:
            source._bootstrap()
            source._migrate()
            copy = StateStore.memory()
            with copy.transaction() as tx:
                fill(tx, source.conn)
            copy.kind, copy.path = cls.kind, source.path  # status names the real store
            return copy
        finally:
            source.pg.close()

    # ---- schema ---------------------------------------------------------------------------------
    def _bootstrap(self) -> None:
        """The bot's own two bookkeeping tables (schema version, owner), created once by whoever comes
        first; the transaction lock keeps two processes starting together from racing."""
        c = self.conn
        c.execute("BEGIN")
        try:
            c.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_CLASS, MIGRATION_LOCK))
            c.execute("CREATE TABLE IF NOT EXISTS hoshu_schema (version INTEGER NOT NULL)")
            c.execute("CREATE TABLE IF NOT EXISTS hoshu_owner (id INTEGER PRIMARY KEY, holder TEXT NOT NULL)")
        except BaseException:
            with contextlib.suppress(psycopg.Error, StoreLostError):
                c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    def _migrate(self) -> None:
        c = self.conn
        c.execute("BEGIN")
        try:
            c.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_CLASS, MIGRATION_LOCK))
            row = c.execute("SELECT version FROM hoshu_schema").fetchone()
            if row is None:
                c.execute("INSERT INTO hoshu_schema (version) VALUES (0)")
            version = 0 if row is None else int(row[0])
            if version > SCHEMA_VERSION:
                msg = f"state store {self.path} has schema {version}, newer than this bot ({SCHEMA_VERSION})"
                raise StateError(msg)
            if version < SCHEMA_VERSION:
                c.execute(PREAMBLE)
            for number in range(version, SCHEMA_VERSION):
                c.execute(PG_MIGRATIONS[number])
                c.execute("UPDATE hoshu_schema SET version = ?", (number + 1,))
                log.info("state store migrated to schema %d", number + 1)
        except BaseException:
            with contextlib.suppress(psycopg.Error, StoreLostError):
                c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM hoshu_schema").fetchone()[0])

    # ---- the owner lock ---------------------------------------------------------------------------
    def _try_lock(self) -> bool:
        row = self.conn.execute("SELECT pg_try_advisory_lock(?, ?)", (LOCK_CLASS, OWNER_LOCK)).fetchone()
        return bool(row[0])

    def holder(self) -> str:
        row = self.conn.execute("SELECT holder FROM hoshu_owner WHERE id = 1").fetchone()
        return "unknown process" if row is None else str(row[0])

    def _acquire(self, standby: threading.Event | None) -> None:
        announced = False
        while not self._try_lock():
            if standby is None or standby.is_set():
                raise StoreLockedError(self.path, self.holder())
            if not announced:
                log.info("standby: waiting for the state store %s (held by %s)", self.path, self.holder())
                announced = True
            standby.wait(sqlite.STANDBY_POLL_SECONDS)
        self.conn.execute(
            "INSERT INTO hoshu_owner (id, holder) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET holder = "
            "excluded.holder", (sqlite.holder_line(),),
        )

    # ---- whole-store operations (rebuild-state, migrate-state) ------------------------------------
    def _truncate(self, tx: Any) -> None:
        # TRUNCATE, not DELETE: the ledger's append-only triggers guard rows, not a whole-store swap.
        tx.execute(f"TRUNCATE {', '.join(TABLES)}")

    def after_copy(self, tx: Any) -> None:
        """Identity columns continue after the copied ids."""
        for table in ("ledger", "alert_events"):
            tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")

    def move_aside(self, backup: Path) -> None:
        """The content is saved to the SQLite file ``backup``, then the tables are emptied (one lock)."""
        saved = StateStore.open(backup)
        try:
            with saved.transaction() as tx:
                fill(tx, self.conn)
        finally:
            saved.close()
        with self.transaction() as tx:
            self._truncate(tx)

    def adopt(self, built: Path) -> None:
        """The tables are replaced by the content of the SQLite store at ``built``, in one transaction."""
        source = StateStore.open(built)
        try:
            with self.transaction() as tx:
                self._truncate(tx)
                fill(tx, source.conn)
                self.after_copy(tx)
        finally:
            source.close()
        for suffix in ("", "-wal", "-shm"):
            built.with_name(built.name + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        self.pg.close()  # the session ends: PostgreSQL releases the advisory lock with it


