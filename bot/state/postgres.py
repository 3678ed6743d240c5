"""The PostgreSQL side of the store (``DATABASE_URL``): psycopg 3, no session state, ownership by lease.

* Statements are the store's own (``?`` marks) translated to psycopg's ``%s``; the schema is the SQLite
  one translated (bot/state/schema_pg.py); the version lives in ``hoshu_schema``.
* Single owner by the lease row ``hoshu_lease`` (bot/state/lease.py, issue 22), judged by the server's
  clock (``clock_timestamp()``); each commit of the owner runs ``hoshu_fence(epoch, seconds)`` in the
  same round trip as its COMMIT, which raises (SQLSTATE HL001) once another worker took over.
* Nothing is kept in the session, so a transaction pooler (PgBouncer, ``pool_mode=transaction``) works:
  the timeouts are ``SET LOCAL`` in each transaction (a statement may run, and a transaction may stay
  idle, at most as long as the lease: a frozen worker's open transaction is ended by the server), the
  migration lock is a transaction advisory lock, and the client's TCP keepalives notice a dead server.
* A lost connection is final for this process: a standby may be active already, so the store raises
  StoreLostError, sets ``lost`` and the worker stops (exit 1; the platform restarts it).
* Dry runs read a copy of the database in memory (SQLite), so they neither write nor hold row locks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.errors import StateError, StoreLostError
from bot.state import lease
from bot.state.copy import TABLES, fill
from bot.state.db import Tx
from bot.state.lease import Lease
from bot.state.pgconn import PgConn
from bot.state.schema import SCHEMA_VERSION
from bot.state.schema_pg import FENCE, PG_MIGRATIONS, PREAMBLE
from bot.state.store import StateStore

log = logging.getLogger(__name__)

LOCK_CLASS = 0x486F5368  # "HoSh": the advisory-lock namespace of this bot
OWNER_LOCK, MIGRATION_LOCK = 1, 2  # OWNER_LOCK: the session lock of earlier versions, only looked at
# Dead peers are noticed in about 5 + 3 x 5 = 20 s by the client (libpq's own socket options: no session
# state on the server, so a pooler in between changes nothing).
KEEPALIVE: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 5,
                             "keepalives_count": 3, "tcp_user_timeout": 20000, "connect_timeout": 10}
NOW = "extract(epoch FROM clock_timestamp())::double precision"
LEASE_LOST = "HL001"  # the SQLSTATE hoshu_fence raises


def redact(url: str) -> str:
    """The URL without its password, for messages and ``status``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _connect(url: str, on_lost: Callable[[], None], application: str = "hoshu-bot") -> PgConn:
    where = redact(url)
    try:
        # The pid in the name tells the processes apart in pg_stat_activity (a startup parameter, which
        # poolers pass on; not a SET).
        raw = psycopg.connect(url, autocommit=True, application_name=f"{application}/{os.getpid()}",
                              **KEEPALIVE)
    except psycopg.Error as exc:
        # psycopg's message may quote the URL; name the store without its password instead.
        raise StateError(f"state store {where} cannot be opened: {type(exc).__name__}{why(exc)}") from None
    return PgConn(raw, where, on_lost)


#: libpq's words for the failures an operator meets, and what we say instead (issue 19 item 5); only our
#: own words are shown, never libpq's message, which may quote the URL.
_WHY = (("connection refused", "connection refused: nothing listens at that host and port"),
        ("password authentication failed", "authentication failed: check the user and password"),
        ("no password supplied", "authentication failed: the URL has no password"),
        ("does not exist", "unknown database (or role): create it, or fix the name in the URL"),
        ("could not translate host name", "unknown host name"),
        ("name or service not known", "unknown host name"),
        ("timeout expired", "no answer before the timeout (host unreachable or a firewall)"),
        ("no pg_hba.conf entry", "the server refuses this client (pg_hba.conf)"))


def why(exc: BaseException) -> str:
    """``" (reason)"`` for a failed connection, from libpq's message; empty when not recognised."""
    text = str(exc).lower()
    return next((f" ({said})" for words, said in _WHY if words in text), "")


class PgStateStore(StateStore):
    """The store in PostgreSQL; every query method is the base class's own."""

    kind = "postgresql"
    _NOW = NOW

    def __init__(self, conn: PgConn, url: str, *, owner: bool, lease_seconds: float) -> None:
        super().__init__(conn, redact(url))
        self.pg = conn
        self.url = url
        self.owner = owner
        # Per transaction, never per session (poolers): no statement and no idle transaction outlives
        # the lease, so the server ends what a frozen worker left open and a standby is not held up.
        ms = int(max(lease_seconds, 5.0) * 1000)
        self._BEGIN = (f"BEGIN; SET LOCAL statement_timeout = {ms}; "
                       f"SET LOCAL idle_in_transaction_session_timeout = {ms}")

    @classmethod
    def open_url(
        cls, url: str, *, owner: bool, dry_run: bool, standby: threading.Event | None,
        lease_seconds: float = lease.DEFAULT_SECONDS,
    ) -> StateStore:
        if dry_run:
            return cls._copy_in_memory(url)
        while True:
            store = cls(_connect(url, lambda: None), url, owner=owner, lease_seconds=lease_seconds)
            store.pg.on_lost = store.lost.set
            try:
                # The lease first, then the migration: a standby of a newer version must not change the
                # schema under the worker that is still active.
                store._bootstrap()
                if owner:
                    store._acquire(lease_seconds, standby)
                store._migrate()
            except StoreLostError:
                store.close()
                if standby is None or standby.wait(1.0):
                    raise
                log.warning("standby: the connection to %s was lost while waiting; connecting again",
                            store.path)
                continue
            except BaseException:
                store.close()
                raise
            return store

    @classmethod
    def open_read_only(cls, url: str) -> StateStore:
        """The database read in place (``status``, ``quote``): no copy, nothing committed; a database
        not yet at this bot's schema is read as a migrated copy instead."""
        store = cls(_connect(url, lambda: None), url, owner=False, lease_seconds=lease.DEFAULT_SECONDS)
        try:
            version = store.schema_version
        except psycopg.Error:
            version = -1
        if version != SCHEMA_VERSION:
            store.close()
            return cls._copy_in_memory(url)
        store.read_only = True
        return store

    @classmethod
    def _copy_in_memory(cls, url: str) -> StateStore:
        source = cls(_connect(url, lambda: None), url, owner=False, lease_seconds=lease.DEFAULT_SECONDS)
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
        """The bot's own bookkeeping (schema version, lease, the fence function), created once by
        whoever comes first; the transaction lock keeps two processes starting together from racing."""
        with self.transaction() as c:
            c.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_CLASS, MIGRATION_LOCK))
            c.execute("CREATE TABLE IF NOT EXISTS hoshu_schema (version INTEGER NOT NULL)")
            c.execute("CREATE TABLE IF NOT EXISTS hoshu_owner (id INTEGER PRIMARY KEY, holder TEXT NOT NULL)")
            self._bootstrap_lease(c)
            if c.execute("SELECT 1 FROM pg_proc WHERE proname = 'hoshu_fence'").fetchone() is None:
                c.execute(FENCE)

    def _migrate(self) -> None:
        with self.transaction() as c:
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

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM hoshu_schema").fetchone()[0])

    # ---- the lease on PostgreSQL -------------------------------------------------------------------
    def _legacy_holder(self, tx: Tx) -> str | None:
        """A worker of an earlier version holds the session advisory lock for its life: respect it."""
        if tx.execute("SELECT pg_try_advisory_xact_lock(?, ?)", (LOCK_CLASS, OWNER_LOCK)).fetchone()[0]:
            return None
        row = tx.execute("SELECT holder FROM hoshu_owner WHERE id = 1").fetchone()
        return "a worker of an earlier version" if row is None else str(row[0])

    def _side_connection(self) -> tuple[Tx, Callable[[], None]]:
        conn = _connect(self.url, lambda: None, "hoshu-bot-lease")
        return conn, conn.close

    def _fenced_commit(self, held: Lease) -> None:
        """The fence and the COMMIT in one round trip (one simple-protocol message): when the fence
        raises, the server skips the COMMIT and the transaction is rolled back."""
        sent = time.monotonic()
        try:
            self.conn.execute(f"SELECT hoshu_fence({int(held.epoch)}, {float(held.seconds)!r}); COMMIT")
        except psycopg.Error as exc:
            with contextlib.suppress(psycopg.Error, StoreLostError):
                self.conn.execute("ROLLBACK")
            if exc.sqlstate == LEASE_LOST:
                raise held.lose("another worker took over the lease") from None
            raise
        held.confirmed(sent)

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
        self.release()
        self.pg.close()


