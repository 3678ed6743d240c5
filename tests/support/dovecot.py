"""The Dovecot harness for the suites: testing/dovecot.py re-exported, plus its pytest fixtures.

Usage from any suite::

    from tests.support.dovecot import DovecotServer, dovecot_server, dovecot  # fixtures re-exported

The harness itself lives in testing/ so the benchmarks can use it without importing tests/ (house rule).
The Dovecot password is read from ``testing.dovecot.PASSWORD`` (tests/support/worker_proc.py sets it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testing.dovecot import DOVEADM, DOVECOT, FULL_CAPABILITIES, PASSWORD, DovecotServer, make_mail

__all__ = [
    "DOVEADM", "DOVECOT", "FULL_CAPABILITIES", "PASSWORD", "DovecotServer", "dovecot", "dovecot_server",
    "make_mail",
]


# --- pytest fixtures: re-export them from a conftest (``from tests.support.dovecot import ...``) ---


@pytest.fixture(scope="session")
def dovecot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    """One Dovecot process for the whole session (each test then takes a fresh user)."""
    server = DovecotServer.start(tmp_path_factory.mktemp("dovecot"))
    yield server
    server.cleanup()


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> Iterator[DovecotServer]:
    """The session server seen as a brand-new user: an empty mailbox for this test only."""
    server = dovecot_server.for_user()
    yield server
    server.start_again()  # in case the test stopped it
