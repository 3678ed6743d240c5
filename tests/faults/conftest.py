"""Fixtures of the fault suite: a Dovecot with a unique password, a storm rig per test, the seed logged."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.storm import StormRig
from tests.support.dovecot import DovecotServer
from tests.support.postgres import database_url, pg_cluster
from tests.support.worker_proc import start_dovecot

__all__ = ["database_url", "pg_cluster"]


@pytest.fixture(scope="module")
def fault_dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    server = start_dovecot(tmp_path_factory.mktemp("fault-dovecot"))
    yield server
    server.cleanup()


@pytest.fixture
def seed() -> int:
    """FAULT_SEED=<n> replays a run; otherwise a fresh seed, printed so a failure can be replayed."""
    value = int(os.environ.get("FAULT_SEED") or random.SystemRandom().randrange(2**32))
    print(f"fault seed: FAULT_SEED={value}")
    return value


@pytest.fixture
def store_kind() -> str:
    """The worker's store; a test parametrizes ``store_kind`` to run on PostgreSQL too (issue 14)."""
    return "sqlite"


@pytest.fixture
def rig(tmp_path: Path, fault_dovecot: DovecotServer, seed: int, store_kind: str,
        request: pytest.FixtureRequest) -> Iterator[StormRig]:
    server = fault_dovecot.for_user()
    server.password = fault_dovecot.password
    emu = StormRig.emulator()
    url = str(request.getfixturevalue("database_url")) if store_kind == "postgresql" else None
    storm = StormRig(tmp_path, server, emu, random.Random(seed), database_url=url)
    try:
        yield storm
    finally:
        storm.worker.kill()
        emu.stop()
        fault_dovecot.start_again()
