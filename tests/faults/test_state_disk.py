"""The state disk refuses writes mid-run (issue 8): nothing is lost or duplicated, and the worker recovers.

The running worker's file-size limit is lowered to one page (every write past 4 KiB of any file fails
with EFBIG, as a full disk fails with ENOSPC) while mail arrives and a customer approves; then it is
lifted. The worker either recovers on its own (later mail is processed by the same process) or stops
with exit 1 and a one-line reason; either way a restart settles everything with the invariants intact.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.storm import StormRig

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

ONE_PAGE = 4096
WAIT = 60.0


def inbox_empties(rig: StormRig) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and rig.worker.alive:
        if not rig.server.folder_uids("INBOX"):
            return True
        time.sleep(0.2)
    return not rig.server.folder_uids("INBOX")


class TestStateDiskRefusesWrites:
    def test_writes_refused_then_allowed_lose_and_duplicate_nothing(self, rig: StormRig) -> None:
        assert rig.worker.run_once() == 0
        rig.ask("ACME", "yamada", "1")
        rig.send(10)
        rig.worker.start()
        assert rig.worker.wait_for_output("worker started")
        assert inbox_empties(rig)
        rig.worker.limit_file_size(ONE_PAGE)
        rig.send(25)
        for _ in range(6):
            rig.drive()
            rig.pause(0.5)
        refused = rig.worker.output(rig.worker.launches)
        assert "StateError" in refused, "the refusal is reported, not swallowed"
        if rig.worker.alive:
            rig.worker.limit_file_size(None)
            rig.send(5)
            assert inbox_empties(rig), "the same process resumes once the disk takes writes again"
            assert rig.worker.stop() == 0
        else:
            assert rig.worker.wait(5) == 1
        passes = rig.settle()
        assert rig.problems() == [], f"after {passes} settling passes"
