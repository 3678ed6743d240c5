"""The PostgreSQL connection behind the store's seam (split out of bot/state/postgres.py, module size):
``?`` marks translated for psycopg, a broken connection as StoreLostError, and a mail batch's writes
queued and sent in one pipeline (issue 22 item 3; docs/decisions/2026-12-04-storm-batches.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg

from bot.errors import StateError, StoreLostError
from bot.state.db import Cursor


@lru_cache(maxsize=512)
def _translate(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _clean(value: object) -> object:
    # PostgreSQL text cannot hold NUL, SQLite can; a hostile mail must not make its record unwritable.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


@dataclass
class _Unit:
    """A savepoint opened while writes are queued: its name, where its writes begin in the queue."""

    name: str
    index: int
    sent: bool = False


class PgConn:
    """A psycopg connection behind the store's :class:`~bot.state.db.Tx` seam (``?`` marks, autocommit
    outside explicit ``BEGIN``/``COMMIT``); a broken connection raises StoreLostError.

    Inside a mail batch (``deferring``), writes whose result nobody reads (``bot.state.db.write``) are
    queued and sent together, in one pipeline (one round trip), before the next statement that needs an
    answer or the batch's fenced COMMIT (issue 22 item 3: about 7 round trips per mail before). A queued
    write that fails marks the whole transaction ``failed``: nothing more is sent but ROLLBACK, so the
    batch cannot commit without it and the watcher files none of its mails.
    """

    def __init__(self, raw: psycopg.Connection[Any], where: str, on_lost: Callable[[], None]) -> None:
        self.raw = raw
        self.where = where
        self.on_lost = on_lost
        self.deferred: str | None = None  # a BEGIN the next statement sends first (``checkpoint``)
        self.memo: dict[tuple[str, str], Any] | None = None  # the open batch's rows (bot.state.db.memo)
        self.deferring = False  # queue writes (a batch is open and the last one did not fail)
        self.queue: list[tuple[str, Sequence[Any]]] = []
        self.units: list[_Unit] = []  # savepoints opened while queueing (``open_unit``), innermost last
        self.failures = 0  # pipelines that failed (the store then sends the next batch unqueued)
        self.failed: BaseException | None = None

    def defer(self, sql: str, parameters: Sequence[Any] = ()) -> bool:
        """Queue a write instead of sending it; False when it must be sent now (no batch, or a BEGIN
        still to send: a queued write must never outlive the transaction it belongs to)."""
        if not self.deferring or self.deferred is not None or self.failed is not None:
            return False
        self.queue.append((sql, parameters))
        return True

    def open_unit(self, name: str) -> bool:
        """A savepoint ``name`` while writes are queued: sent only when a pipeline goes out while it is
        open (a statement inside it needs an answer). One that closes before that costs the server no
        SAVEPOINT and RELEASE: its queued writes simply join the transaction, or are taken back."""
        if not self.deferring or self.deferred is not None or self.failed is not None:
            return False
        self.units.append(_Unit(name, len(self.queue)))
        return True

    def close_unit(self, *, keep: bool) -> bool:
        """End the innermost :meth:`open_unit`. ``keep``: its writes stay (a RELEASE is queued if the
        SAVEPOINT was sent). Not ``keep``: its queued writes are taken back; False when the SAVEPOINT was
        sent already, so the caller must roll back to it."""
        unit = self.units.pop()
        if keep:
            if unit.sent:
                self.queue.append((f"RELEASE SAVEPOINT {unit.name}", ()))
            return True
        if unit.sent:
            return False
        del self.queue[unit.index:]
        return True

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        if sql == "ROLLBACK":  # what is queued belongs to the transaction being ended
            self.queue.clear()
            self.units.clear()
            self.failed = None
        elif self.failed is not None:
            raise StateError(f"state store {self.where}: an earlier write of this transaction failed "
                             f"({type(self.failed).__name__}); it can only be rolled back")
        if self.deferred is not None:
            begin, self.deferred = self.deferred, None
            self.execute(begin)
        if self.queue:
            self.flush()
        try:
            if parameters:
                return self.raw.execute(_translate(sql), [_clean(v) for v in parameters])
            return self.raw.execute(sql)
        except psycopg.OperationalError as exc:
            self._lost_or(exc)
            raise

    def flush(self) -> None:
        """Send the queued writes in one pipeline (one round trip); the first error is raised."""
        queued, self.queue = self.queue, []
        for unit in reversed(self.units):  # open savepoints go out where they began, innermost first
            if not unit.sent:
                queued.insert(unit.index, (f"SAVEPOINT {unit.name}", ()))
                unit.sent = True
            unit.index = 0
        try:
            with self.raw.pipeline():
                cur = self.raw.cursor()  # one cursor for all: half the client's cost of one per statement
                for sql, parameters in queued:
                    if parameters:
                        cur.execute(_translate(sql), [_clean(v) for v in parameters])
                    else:
                        cur.execute(sql)
        except psycopg.Error as exc:
            self.failed = exc
            self.failures += 1
            self._lost_or(exc)
            raise

    def _lost_or(self, exc: psycopg.Error) -> None:
        if self.raw.broken or self.raw.closed:
            self.on_lost()
            msg = (f"lost the connection to the state store {self.where} ({type(exc).__name__}); "
                   "a standby may own it by now")
            raise StoreLostError(msg) from None

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.raw.close()
