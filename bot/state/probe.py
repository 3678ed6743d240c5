"""``check``'s look at the state store (issue 14): which one, reachable, its schema. It takes no lock
(a worker may be running) and does not create a SQLite file that does not exist yet."""

from __future__ import annotations

from pathlib import Path

from bot.errors import StateError
from bot.state.db import is_database_url
from bot.state.store import StateStore


def probe(location: str) -> tuple[bool, str]:
    """(ok, one line naming the store without its password)."""
    if not is_database_url(location) and not Path(location).exists():
        return True, f"sqlite {location}: not created yet (the first run creates it)"
    try:
        store = StateStore.open(location)
    except StateError as exc:
        return False, str(exc)
    try:
        return True, f"{store.describe()}: reachable, schema {store.schema_version}"
    finally:
        store.close()
