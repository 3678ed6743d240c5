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
