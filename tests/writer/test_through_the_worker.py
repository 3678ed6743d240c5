"""Through the mail worker (issue 11): an alert issue whose answer is lost, while keyword search lags
and the look after the loss fails too, is opened exactly once when the bot comes back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.monitoring.conftest import PROCESSED, START, Rig, fixture_mail
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server

__all__ = ["dovecot", "dovecot_server"]  # fixtures
pytestmark = pytest.mark.dovecot


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(search_lag=600) as emulator:  # the index lags ten minutes
        yield emulator


def test_a_lost_alert_issue_is_opened_once_across_a_restart(dovecot: DovecotServer,
                                                            emu: BacklogEmulator) -> None:
    store = StateStore.memory()
    rig = Rig(dovecot, emu, store, FixedClock(START))
    emu.fail_next(1, "drop_after_apply", path_contains="/api/v2/issues", method="POST")
    emu.fail_next(20, "503", path_contains="/api/v2/issues", method="GET")  # every look fails for now
    rig.append(fixture_mail("kintone_utf8_base64"))
    rig.run_once()
    posts = [r for r in emu.requests if r.method == "POST" and r.path == "/api/v2/issues"]
    assert [r.fault for r in posts] == ["drop_after_apply"]  # applied, answer lost
    assert rig.folders()["INBOX"] == 1  # not done: the mail waits

    emu.clear_faults()
    rig.restart_bot()  # a new process: only the store's pending mark remembers the attempt
    rig.run_once()

    with emu.state.lock:
        alerts = [i for i in emu.state.issues.values() if "hoshu-bot:alert:" in i.description]
    assert len(alerts) == 1
    assert sum(1 for r in emu.requests if r.method == "POST" and r.path == "/api/v2/issues") == 1
    assert rig.folders()[PROCESSED] == 1
    assert not any("keyword" in r.query for r in emu.requests)
