"""A real PostgreSQL for tests: one throwaway cluster per session (testing/postgres.py), a fresh
database per test. Usage: ``pytest_plugins`` is not needed; import the fixtures into a conftest::

    from tests.support.postgres import pg_cluster, database_url  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testing.postgres import Cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = Cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(pg_cluster: Cluster) -> str:
    """A new empty database on the session's server."""
    return pg_cluster.database()
