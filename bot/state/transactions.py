"""The store's units of work: transactions, batches of them, and savepoints (SQLite and PostgreSQL).

Split out of bot/state/store.py (module size); :class:`~bot.state.store.StateStore` inherits all of it.
An owner's every commit is fenced by its lease (issue 22, bot/state/lease.py): ``_fenced_commit`` checks
the epoch in the same transaction and rolls everything back when another worker took over.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from bot.errors import StateError, StoreLostError
from bot.state.db import Tx, memo, write
from bot.state.lease import Lease


class TransactionalStore:
    """A connection with nested units of work: a transaction, a batch of them, savepoints inside a batch.

    ``kind`` and ``_BEGIN`` are the SQLite values; bot/state/postgres.py overrides both.
    """

    kind = "sqlite"
    _BEGIN = "BEGIN IMMEDIATE"

    def __init__(self, conn: Tx, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0  # open transaction levels: 0 none, 1 a transaction or batch, 2+ savepoints
        self._batch = False  # the open level-1 transaction is a batch (``checkpoint`` may commit it)
        self.lease: Lease | None = None  # an owner's lease: every commit checks its epoch
        self.read_only = False  # read in place (``status``, ``quote``): every transaction is rolled back
        # Queue a batch's writes (PostgreSQL, bot/state/postgres.py); off for the batch after one whose
        # queued writes failed, so that a mail whose writes fail every time fails alone, not its batch.
        self._queue_writes = True

    def _commit(self) -> None:
        """COMMIT, fenced by the lease when this store is owned (a transaction opened after a
        ``checkpoint`` and never used has nothing to commit); never after a queued write failed."""
        failed = getattr(self.conn, "failed", None)
        if failed is not None:
            raise StateError(f"a write of this transaction failed ({type(failed).__name__})")
        if _take_deferred(self.conn):
            return
        if self.read_only:
            self.conn.execute("ROLLBACK")
        elif self.lease is None:
            self.conn.execute("COMMIT")
        else:
            self._fenced_commit(self.lease)

    def _rollback(self) -> None:
        if not _take_deferred(self.conn):
            self.conn.execute("ROLLBACK")

    def _fenced_commit(self, lease: Lease) -> None:  # pragma: no cover - each store defines its own
        raise NotImplementedError

    def describe(self) -> str:
        """Which store this is, for ``status`` and the logs (never a password)."""
        return f"{self.kind} {self.path}"

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One durable unit around several ``transaction()`` blocks (the mail watcher's fetched batch).

        Inside, each ``transaction()`` is a SAVEPOINT: it rolls back alone on failure, and nothing is
        durable until the batch commits, once (one fsync per batch instead of one per mail, issue 12).
        The caller acts on the outside world (files the mails) only after this block returned. Nested
        batches join the outer one. SQLite and PostgreSQL both have SAVEPOINT/RELEASE/ROLLBACK TO.
        """
        if self._depth:
            yield
            return
        conn = self.conn
        failures = getattr(conn, "failures", 0)
        try:
            with self.transaction():
                self._batch = True
                _open_batch(conn, queue=self._queue_writes)
                try:
                    yield
                finally:
                    self._batch = False
                    _stop_queueing(conn)  # what is queued goes with the COMMIT
        finally:
            _close_batch(conn)
            self._queue_writes = getattr(conn, "failures", 0) == failures

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One atomic unit: everything inside is durable together or not at all (a SAVEPOINT in a batch)."""
        if self.lease is not None and self.lease.lost.is_set():  # a stale owner writes nothing more
            raise self.lease.lose("this worker no longer holds the lease")
        if self._depth:
            yield from self._savepoint()
            return
        try:
            self.conn.execute(self._BEGIN)
        except StoreLostError:
            raise
        except Exception as exc:
            raise StateError(f"state store {self.describe()} is not writable: {exc}") from None
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            with contextlib.suppress(Exception):
                self._rollback()
            raise
        finally:
            self._depth = 0
        try:
            self._commit()
        except StoreLostError:
            raise
        except Exception as exc:
            with contextlib.suppress(Exception):
                self._rollback()
            raise StateError(f"state store {self.describe()} refused the write: {exc}") from None

    def _savepoint(self) -> Iterator[Tx]:
        """A SAVEPOINT in a batch. On PostgreSQL, while writes are queued, it is opened lazily
        (``PgConn.open_unit``): a mail's savepoint whose writes all stay queued until it closes costs no
        statement at all, and a rollback takes its queued writes back; one that had to be sent is
        released or rolled back to as usual."""
        name = f"sp{self._depth}"
        self._depth += 1
        conn = self.conn
        lazy = bool(getattr(conn, "open_unit", None) and conn.open_unit(name))  # type: ignore[attr-defined]
        try:
            if not lazy:
                conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                _forget(conn)
                if not (lazy and conn.close_unit(keep=False)):  # type: ignore[attr-defined]
                    with contextlib.suppress(Exception):
                        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            if lazy:
                conn.close_unit(keep=True)  # type: ignore[attr-defined]
            else:
                write(conn, f"RELEASE SAVEPOINT {name}")
        finally:
            self._depth -= 1

    def checkpoint(self) -> None:
        """Inside a batch with no savepoint open: commit what the batch holds so far and continue it.

        The next transaction begins with the next statement, not now: the Backlog call that usually
        follows runs with no transaction open, so a worker frozen or cut off during it holds no lock
        (SQLite's write lock, PostgreSQL's row locks) that a standby taking over would wait for.
        """
        if not self._batch or self._depth != 1:
            return
        self._commit()
        self.conn.deferred = self._BEGIN  # type: ignore[attr-defined]


def _open_batch(conn: Tx, *, queue: bool) -> None:
    """A fresh memo for the batch, and its writes queued when the connection can (PostgreSQL)."""
    if hasattr(conn, "deferring"):
        conn.deferring = queue
    _set_memo(conn, {})


def _stop_queueing(conn: Tx) -> None:
    if hasattr(conn, "deferring"):
        conn.deferring = False


def _close_batch(conn: Tx) -> None:
    _stop_queueing(conn)
    _set_memo(conn, None)


def _forget(conn: Tx) -> None:
    """A rollback: the memo may hold rows written by what was rolled back, so it starts again."""
    found = memo(conn)
    if found is not None:
        found.clear()


def _set_memo(conn: Tx, value: dict[tuple[str, str], object] | None) -> None:
    if hasattr(conn, "memo"):
        conn.memo = value


def _take_deferred(conn: Tx) -> bool:
    """True (and cleared) when the connection's next transaction was never begun."""
    if getattr(conn, "deferred", None) is None:
        return False
    conn.deferred = None  # type: ignore[attr-defined]
    return True
