"""The one seam every state-store statement goes through: a connection that executes SQL with ``?`` marks.

Record classes (``bot/state/*.py``) take a :class:`Tx` inside a transaction and never a driver type, so
the same code runs on SQLite and on PostgreSQL (docs/decisions/2026-12-01-state-store-dialects.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    """What a statement returns: rows to fetch or iterate, and how many rows it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Tx(Protocol):
    """A connection inside (or outside) a store transaction: ``execute`` with ``?`` parameters."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...


def is_database_url(location: str) -> bool:
    """``DATABASE_URL`` names PostgreSQL by its scheme; anything else is a SQLite path."""
    return location.startswith(("postgres://", "postgresql://"))


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """``INSERT ... ON CONFLICT (key) DO UPDATE``: one statement both SQLite (3.24+) and PostgreSQL run.

    It replaces ``INSERT OR REPLACE``, which PostgreSQL lacks; every other column takes the new value.
    """
    rest = [c for c in columns if c not in key]
    sets = ", ".join(f"{c} = excluded.{c}" for c in rest)
    marks = ", ".join("?" * len(columns))
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")


def write(conn: Tx, sql: str, parameters: Sequence[Any] = ()) -> int | None:
    """A write whose result nobody reads: sent now, or (PostgreSQL, inside a mail batch's savepoint)
    queued and sent with the next statement in one round trip (issue 22 item 3). Returns the rows
    changed, or None when queued; the caller must not need that number to decide anything."""
    defer = getattr(conn, "defer", None)
    if defer is not None and defer(sql, parameters):
        return None
    return conn.execute(sql, parameters).rowcount


def memo(conn: Tx) -> dict[tuple[str, str], Any] | None:
    """The open batch's memo of rows read or written through ``conn`` (None outside a batch).

    Kept by the connection because it mirrors that connection's transaction: opened with the batch,
    emptied by any rollback (a savepoint's included) and dropped when the batch ends; so it never
    holds a row the database does not hold for this transaction. ``("mail", key)`` maps a mail key to
    its record or None (known absent), ``("group", fingerprint)`` to the newest group row or None.
    """
    found = getattr(conn, "memo", None)
    return found if isinstance(found, dict) else None
