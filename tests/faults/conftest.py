"""Fixtures of the fault suite: a Dovecot with a unique password, a storm rig per test, the seed logged."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.storm import StormRig
from tests.support.dovecot import DovecotServer
from tests.support.worker_proc import start_dovecot


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
def rig(tmp_path: Path, fault_dovecot: DovecotServer, seed: int) -> Iterator[StormRig]:
    server = fault_dovecot.for_user()
    server.password = fault_dovecot.password
    emu = StormRig.emulator()
    storm = StormRig(tmp_path, server, emu, random.Random(seed))
    try:
        yield storm
    finally:
        storm.worker.kill()
        emu.stop()
        fault_dovecot.start_again()
