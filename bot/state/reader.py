"""The store for a command that must change nothing at all (``report --dry-run``, issue 22 item 4).

``StateStore.open(read_only=True)`` reads in place and rolls back what it is asked to write; a reader goes
further, so that nothing can be written even by mistake, and what it reads is one consistent moment:

* SQLite: the file is opened ``mode=ro``. A write raises, and closing the last connection cannot
  checkpoint the write-ahead log into the file, so the database file stays byte for byte as it was (SQLite
  may create its own empty ``-wal`` and ``-shm`` companions, as any reader does). A store that a worker
  holds open is readable without write access to the file or its folder; a store nobody holds open,
  in a folder this user cannot write, is not (SQLite needs to create the ``-shm`` file): StateError.
* PostgreSQL: read in place; :func:`snapshot` reads in one ``REPEATABLE READ READ ONLY`` transaction, which
  the server refuses to write in, so a role with ``SELECT`` only is enough.
* A store not created yet, or at an older schema, is read as ``read_only`` reads it (a migrated copy).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from bot.errors import StateError
from bot.state.db import is_database_url
from bot.state.schema import SCHEMA_VERSION
from bot.state.sqlite import SqliteConn
from bot.state.store import StateStore

# One consistent view for all the reads of a report: SQLite's deferred BEGIN takes a read snapshot at
# the first SELECT (WAL); PostgreSQL's READ ONLY is enforced by the server.
_SNAPSHOT = {"sqlite": "BEGIN", "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}


def open_reader(location: Path | str) -> StateStore:
    """The store at ``location`` (a SQLite path or a PostgreSQL URL), opened to read and never write."""
    if is_database_url(str(location)):
        return StateStore.open(location, read_only=True)
    path = Path(location)
    if not path.exists():
        return StateStore.open(path, read_only=True)
    try:
        raw = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None,
                              check_same_thread=False, timeout=10)
        version = int(raw.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        hint = (f" (SQLite creates {path.name}-shm beside it to read: run this as a user who may write "
                "in that folder, or while the worker holds the store open)") if "readonly" in str(exc) else ""
        raise StateError(f"state store {path} cannot be read: {exc}{hint}") from None
    if version != SCHEMA_VERSION:
        raw.close()
        return StateStore.open(path, read_only=True)
    store = StateStore(SqliteConn(raw), str(path))
    store.read_only = True
    return store


@contextlib.contextmanager
def snapshot(store: StateStore) -> Iterator[None]:
    """Every read inside sees the store at one moment, and is rolled back: nothing is ever committed."""
    # By the connection, not ``kind``: a migrated copy of a PostgreSQL store is SQLite in memory.
    store.conn.execute(_SNAPSHOT["sqlite" if isinstance(store.conn, SqliteConn) else "postgresql"])
    try:
        yield
    finally:
        store.conn.execute("ROLLBACK")
