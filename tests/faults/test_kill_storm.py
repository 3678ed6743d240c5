"""SIGKILL at random points during a storm of alert mail and customer activity (issue 8, fault suite).

The real worker (``python -m bot run``) is killed at least 20 times at seeded random moments while
mail arrives, customers ask and approve, Backlog fails in bursts (500, 503, 429, dropped connections,
answers lost after the write) and Dovecot restarts mid-IDLE and changes UIDVALIDITY. Then it settles
and nothing may be lost or duplicated: M2 (every mail processed or quarantined), the idempotent
writer's references (no duplicate issue or comment), H8 (the ledger equals what the customers were told).
It runs on both stores: the SQLite file and PostgreSQL (issue 14).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.faults.invariants import consumed, snapshot
from tests.faults.storm import ALERTS, StormRig

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

KILLS = 22
MAILS_PER_KILL = (6, 20)  # about 300 mails over the run
FAULT_MODES = ("500", "503", "429", "drop", "drop_after_apply")
FAULT_PATHS = (None, "/issues", "/comments", "/activities")


def backlog_burst(rig: StormRig) -> None:
    rig.emu.fail_next(rig.rng.randint(1, 6), rig.rng.choice(FAULT_MODES),
                      path_contains=rig.rng.choice(FAULT_PATHS))


class TestKillStorm:
    @pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
    def test_twenty_two_kills_lose_and_duplicate_nothing_m2_h8(self, rig: StormRig) -> None:
        assert rig.worker.run_once() == 0  # the first start: the Backlog watcher begins from "now"
        plan = {2: ("ACME", "yamada", "1"), 4: ("BETA", "tanaka", "1.5"), 6: ("ACME", "yamada", "0.5"),
                9: ("BETA", "tanaka", "2"), 12: ("ACME", "yamada", "1")}
        exits = []
        for cycle in range(KILLS):
            if cycle in plan:
                rig.ask(*plan[cycle])
            rig.send(rig.rng.randint(*MAILS_PER_KILL) // 2)  # waiting before the start
            if rig.rng.random() < 0.4:
                backlog_burst(rig)
            rig.worker.start()
            rig.pause(rig.rng.uniform(0.2, 1.2))
            rig.send(rig.rng.randint(*MAILS_PER_KILL) // 2)  # arriving while it runs (IDLE)
            if cycle == 8:
                rig.server.restart()  # mid-IDLE: the watcher must reconnect and catch up
            if cycle == 15:
                rig.server.reset_uidvalidity("INBOX")  # every remaining mail is offered again
            rig.drive()
            rig.pause(rig.rng.uniform(0.1, 2.5))
            exits.append(rig.worker.kill())
        assert len(exits) == KILLS and all(code is not None for code in exits)
        passes = rig.settle()
        assert rig.problems() == [], f"after {passes} settling passes"
        assert len(rig.sent) >= 200
        ledger = rig.ledger()
        assert consumed([e for e in ledger if e.customer == "ACME"]) == Decimal("2.5")
        assert consumed([e for e in ledger if e.customer == "BETA"]) == Decimal("3.5")
        alert_issues = [t for t in snapshot(rig.emu).issues if t.ref and ":alert-no:" in t.ref]  # 検知番号
        assert 1 <= len(alert_issues) <= len(ALERTS), "one issue per fingerprint at most (M3)"
