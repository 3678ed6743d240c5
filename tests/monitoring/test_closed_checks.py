"""Finished issues are found with one read per interval for all open groups (M2, C8; issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.state.alerts import AlertRecords
from tests.monitoring.conftest import FIXTURES, Rig, variant

pytestmark = pytest.mark.dovecot


def job(raw: bytes, name: str, n: int) -> bytes:
    return variant(raw.replace("受注連携".encode(), name.encode()), n)


def test_one_read_tells_which_of_several_open_issues_were_closed(rig: Rig) -> None:
    base = (FIXTURES / "layouts" / "k_fullwidth_labels.eml").read_bytes()  # kintone 受注連携 CB_VA01
    jobs = ("受注連携", "在庫同期", "顧客登録")
    rig.append(*(job(base, j, i) for i, j in enumerate(jobs)))
    rig.run_once()
    issues = rig.issues("ACME")
    assert len(issues) == 3
    rig.emu.update_issue_as("sato", issues[1].key, statusId="4")  # 完了
    rig.clock.advance(timedelta(minutes=10))
    rig.emu.clear_requests()
    rig.append(*(job(base, j, 10 + i) for i, j in enumerate(jobs)))
    rig.run_once()
    reads = [r.path for r in rig.emu.requests if r.method == "GET" and r.path.startswith("/api/v2/issues")]
    assert reads == ["/api/v2/issues"], "one list read by id for the three groups, no read per issue"
    after = rig.issues("ACME")
    assert len(after) == 4, "only the closed one's fingerprint opened a new issue"
    rows = AlertRecords(rig.store).groups()
    assert sorted((r.generation, r.status) for r in rows) == [(1, "closed"), (1, "open"), (1, "open"),
                                                               (2, "open")]
