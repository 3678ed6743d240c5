"""The state store: opened once, migrated forward, owned by one worker at a time (SQLite or PostgreSQL)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bot.hour_tracker import LedgerEntry
from bot.state import lease, sqlite
from bot.state.db import Tx, is_database_url
from bot.state.lease import Lease
from bot.state.refs import ReferenceIndex
from bot.state.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """The last successful run and the last error of one source or job (for ``status``)."""

    name: str
    last_ok: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int


class StateStore(ReferenceIndex):
    """The bot's state, in one SQLite file at ``BOT_STATE_PATH`` or (``DATABASE_URL``) in PostgreSQL.

    ``open(owner=True)`` makes this process the store's one owner by lease (bot/state/lease.py, issue 22),
    so a second worker on the same store refuses to start (StoreLockedError names the holder), and every
    commit of the owner is fenced by the lease's epoch. ``standby=`` waits for the lease instead of
    refusing (``run --standby``). Read-only commands (``status``, ``quote``) open it without the lease;
    ``report --dry-run`` opens it through bot/state/reader.py, which cannot write at all.
    ``dry_run=True`` works on an in-memory copy, so a dry run reads the real state and changes nothing.
    Every statement goes through ``conn`` (bot/state/db.py): the SQL here runs on both.
    Transactions, batches and savepoints: bot/state/transactions.py; the lease: bot/state/ownership.py.
    """

    _NOW = sqlite.NOW

    # ---- opening -------------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, location: Path | str, *, owner: bool = False, dry_run: bool = False,
        standby: threading.Event | None = None, lease_seconds: float = lease.DEFAULT_SECONDS,
        read_only: bool = False,
    ) -> StateStore:
        """The store at ``location``: a PostgreSQL URL or a SQLite file path.

        ``standby`` (an event that cancels the wait): wait for the lease instead of refusing;
        ``lease_seconds``: how long the owner's lease lasts without renewal (BOT_LEASE_SECONDS).
        ``read_only`` (``status``, ``quote``; issue 22): read the store in place, without copying it, and
        never commit; a store that does not exist yet or has an older schema is read as a migrated copy.
        """
        if is_database_url(str(location)):
            from bot.state.postgres import PgStateStore  # noqa: PLC0415 - psycopg only where it is used

            if read_only:
                return PgStateStore.open_read_only(str(location))
            return PgStateStore.open_url(str(location), owner=owner, dry_run=dry_run, standby=standby,
                                         lease_seconds=lease_seconds)
        path = Path(location)
        if read_only:
            return cls._read_in_place(path)
        store = cls(sqlite.connect(path, dry_run=dry_run), str(path))
        try:
            with store.transaction() as tx:
                store._bootstrap_lease(tx)
            # The lease first, then the migration: a standby of a newer version must not change the
            # schema under the worker that is still active.
            if owner and not dry_run:
                store._acquire(lease_seconds, standby)
            store._migrate()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _read_in_place(cls, path: Path) -> StateStore:
        if not path.exists():
            return cls.open(path, dry_run=True)
        store = cls(sqlite.connect_existing(path), str(path))
        if store.schema_version != SCHEMA_VERSION:
            store.close()
            return cls.open(path, dry_run=True)
        store.read_only = True
        return store

    @classmethod
    def memory(cls) -> StateStore:
        """A fresh in-memory store (tests, the demo, dry runs of a PostgreSQL store)."""
        store = cls(sqlite.memory(), ":memory:")
        store._migrate()
        return store

    def _migrate(self) -> None:
        sqlite.migrate(self.conn, self.path)

    # ---- the lease on SQLite -----------------------------------------------------------------------
    def _legacy_holder(self, tx: Tx) -> str | None:
        return sqlite.legacy_holder(Path(self.path))

    def _side_connection(self) -> tuple[Tx, Callable[[], None]]:
        held = self.lease
        conn = sqlite.side_connection(Path(self.path), timeout=(held.seconds if held else 30.0) / 3)
        return conn, conn.close

    def _fenced_commit(self, held: Lease) -> None:
        """The epoch checked (and the lease extended) by the commit's own transaction."""
        sent = time.monotonic()
        cur = self.conn.execute(
            f"UPDATE hoshu_lease SET expires_at = max(expires_at, {sqlite.NOW} + ?)"
            " WHERE id = 1 AND epoch = ?",
            (held.seconds, held.epoch),
        )
        if cur.rowcount != 1:
            self.conn.execute("ROLLBACK")
            raise held.lose("another worker took over the lease")
        self.conn.execute("COMMIT")
        held.confirmed(sent)

    def is_empty(self) -> bool:
        """True when the store holds nothing the bot wrote (no cursor, reference, ledger entry or mail)."""
        tables = ("cursors", "refs", "ledger", "mail_seen", "inquiries", "alert_groups")
        return not any(self.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in tables)

    def move_aside(self, backup: Path) -> None:
        """``rebuild-state --force``: the store's content moves to the SQLite file ``backup``; an empty
        store takes its place. The lease is carried over into the new file, so no worker can start."""
        self.conn = sqlite.move_aside(self.conn, Path(self.path), backup)
        self._carry_lease()
        self._migrate()

    def adopt(self, built: Path) -> None:
        """Replace this store's content by the complete SQLite store at ``built`` (``rebuild-state``),
        keeping the lease, so a rebuild that fails halfway leaves nothing half-written in place."""
        self.conn = sqlite.adopt(self.conn, Path(self.path), built)
        self._carry_lease()
        self._migrate()

    def after_copy(self, tx: Tx) -> None:
        """After a whole-store copy into this store (SQLite keeps its own row ids: nothing to do)."""

    def close(self) -> None:
        self.release()
        with contextlib.suppress(Exception):
            sqlite.close(self.conn)

    @property
    def schema_version(self) -> int:
        return sqlite.schema_version(self.conn)

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
            "INSERT INTO ledger (customer, kind, hours, at, issue_key, who, why, ref, recorded_at,"
            " title, category, multiplier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        )
        args = (
            customer, kind, str(hours), at.isoformat(), issue_key, who, why, ref, now.isoformat(),
            title, category, str(multiplier),
        )
        if conn is not None:
            return conn.execute(sql, args).rowcount == 1
        with self.transaction() as c:
            return c.execute(sql, args).rowcount == 1

    def ledger(
        self, customer: str | None = None, *, since: datetime | None = None, until: datetime | None = None,
    ) -> list[LedgerEntry]:
        """The entries in the order they were recorded; of one customer, and with ``since``/``until``
        only those whose ``at`` is in ``[since, until)`` as the stored ISO text compares (the index on
        (customer, at): the monthly report reads its quarters, not the customer's history, issue 22).
        Text order is the instant's order only for one UTC offset, so callers widen the range by a day
        and keep the exact instants themselves."""
        sql = (
            "SELECT id, customer, kind, hours, at, issue_key, who, why, ref, title, category, multiplier"
            " FROM ledger WHERE 1=1"
        )
        args: list[str] = []
        for clause, value in (("customer = ?", customer), ("at >= ?", since), ("at < ?", until)):
            if value is not None:
                sql += f" AND {clause}"
                args.append(value if isinstance(value, str) else value.isoformat())
        rows = self.conn.execute(sql + " ORDER BY id", args)
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

    def restart_failure_counts(self) -> None:
        """``run --once``: a pass counts its own failures in a row, not those of earlier runs (issue 19
        item 6); the last error and its time stay for ``status``."""
        with self.transaction() as c:
            c.execute("UPDATE health SET failures = 0 WHERE failures > 0")

    # ---- metadata (issue 19 item 1: the space the store belongs to) ----------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """A fact about the store itself (not the bot's work: ``is_empty`` does not look at it)."""
        with self.transaction() as c:
            c.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
