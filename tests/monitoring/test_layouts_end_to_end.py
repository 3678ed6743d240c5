"""The second corpus through Dovecot, the watcher, the service and the emulator (issue 12, Must hold).

Layouts no shipped format was written for become customer issues (action errors at once, transient ones
wait for their threshold, C8); the contradictions go to staff; the customer without the monitoring
option gets nothing (M2).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.mail.adapters import adapter_label
from bot.state.mail import MailRecords
from tests.monitoring.conftest import FIXTURES, PROCESSED, QUARANTINE, Rig

pytestmark = pytest.mark.dovecot

LAYOUTS = FIXTURES / "layouts"
CASES = sorted(p.stem for p in LAYOUTS.glob("*.json"))


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LAYOUTS / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", CASES, ids=CASES)
def test_a_new_layout_lands_where_its_route_says(rig: Rig, name: str) -> None:
    want = expected(name)
    rig.append((LAYOUTS / f"{name}.eml").read_bytes())
    rig.run_once()
    acme, beta, staff = rig.issues("ACME"), rig.issues("BETA"), rig.issues("HOSHU")
    folders = rig.folders()
    assert beta == [], "BETA has no monitoring option: never an issue (M2)"
    (outcome,) = MailRecords(rig.store).counts()
    if want["route"] == "customer" and want["error_class"] == "action":
        assert (len(acme), staff, folders[PROCESSED]) == (1, [], 1)
        assert acme[0].summary.startswith(f"[監視] {adapter_label(rig.monitoring_config, want['adapter'])}")
        assert want["error_code"] in acme[0].summary
        assert outcome == "issue"
    elif want["route"] == "customer":
        assert (acme, staff, folders[PROCESSED]) == ([], [], 1), "one transient occurrence waits (C8)"
        assert outcome == "waiting"
    elif want["route"] == "staff":
        assert (acme, len(staff), folders[QUARANTINE]) == ([], 1, 1), "never a guessed customer"
        assert outcome == "quarantined"
    else:
        assert (acme, staff, folders[PROCESSED]) == ([], [], 1)
        assert outcome == "no-monitoring"


def test_transient_layouts_open_an_issue_at_their_threshold(rig: Rig) -> None:
    raw = (LAYOUTS / "k_english_labels.eml").read_bytes()  # GAIA_RE18, transient
    rig.append(*(raw.replace(b"<l03@", f"<l03-{n}@".encode()) for n in range(3)))
    rig.run_once()
    (issue,) = rig.issues("ACME")
    assert "GAIA_RE18" in issue.summary and "Order sync" in issue.summary
