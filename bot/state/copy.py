"""Copying a whole store from one database to another (``migrate-state``, dry runs and rebuilds on
PostgreSQL), and the check that a copy is complete: every table's row count and the ledger itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import StateError
from bot.state.db import Tx

if TYPE_CHECKING:
    from bot.state.store import StateStore

# Every table the schema creates, in the order they are copied. tests/state/test_schema.py checks that
# the list is complete, so a table added by a later migration is not silently left behind.
TABLES = ("meta", "cursors", "ledger", "refs", "health", "mail_seen", "alert_groups", "alert_events",
          "inquiries", "sla_clocks")
_ORDER = {"ledger": "id", "alert_events": "id"}


@dataclass(frozen=True)
class CopyReport:
    """What a copy moved: rows per table (equal on both sides once verified)."""

    counts: dict[str, int]


def rows(conn: Tx, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    cur = conn.execute(f"SELECT * FROM {table}" + (f" ORDER BY {_ORDER[table]}" if table in _ORDER else ""))
    columns = [str(d[0]) for d in cur.description]  # type: ignore[attr-defined]
    return columns, [tuple(r) for r in cur.fetchall()]


def fill(target: Tx, source: Tx, *, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Insert every row of ``source`` into ``target`` (inside the caller's transaction on ``target``)."""
    counts: dict[str, int] = {}
    for table in TABLES:
        if table in skip:
            continue
        columns, data = rows(source, table)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for row in data:
            target.execute(sql, row)
        counts[table] = len(data)
    return counts


def counts(conn: Tx) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}


def copy_store(source: StateStore, target: StateStore) -> CopyReport:
    """Copy ``source`` into the empty ``target`` in one transaction, then verify it (StateError if not).
    """
    if not target.is_empty():
        msg = f"state store {target.describe()} is not empty; migrate-state copies only into an empty store"
        raise StateError(msg)
    with target.transaction() as tx:
        fill(tx, source.conn)
        target.after_copy(tx)
    verify(source, target)
    return CopyReport(counts(target.conn))


def verify(source: StateStore, target: StateStore) -> None:
    """The copy holds what the source holds: the same row count in every table and the same ledger."""
    before, after = counts(source.conn), counts(target.conn)
    if before != after:
        diff = ", ".join(f"{t} {before[t]} -> {after[t]}" for t in TABLES if before[t] != after[t])
        raise StateError(f"the copy in {target.describe()} differs from {source.describe()}: {diff}")
    if source.ledger() != target.ledger():
        raise StateError(f"the ledger in {target.describe()} differs from {source.describe()}")
