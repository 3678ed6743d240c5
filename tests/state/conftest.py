"""Every state-store test runs on both stores: a SQLite file and a real PostgreSQL database (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.state import StateStore
from tests.support.postgres import database_url, pg_cluster  # noqa: F401 - fixtures

STORES = ("sqlite", "postgresql")


@pytest.fixture(params=STORES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite path or a PostgreSQL URL (a fresh, empty database)."""
    if request.param == "sqlite":
        return str(tmp_path / "var" / "state.db")
    return str(request.getfixturevalue("database_url"))


@pytest.fixture
def store(location: str) -> Iterator[StateStore]:
    """An owned, empty store of each kind."""
    s = StateStore.open(location, owner=True)
    try:
        yield s
    finally:
        s.close()
