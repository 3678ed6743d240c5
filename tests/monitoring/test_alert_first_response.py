"""The alert issue's first response is the bot's triage (M2, M4; issue 12 item 5), end to end.

Through Dovecot, the service and the emulator, then the monthly report built from the same store: the
T2 clock is met when the issue opens, so the report lists it on time (期限内), not 超過, although no
person answered; nothing else runs while the customer decides (M2 ③).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.reports.publish import ReportPublisher
from bot.state.inquiries import InquiryRecords
from tests.monitoring.conftest import Rig, fixture_mail

pytestmark = pytest.mark.dovecot


def test_the_monthly_report_shows_the_alert_answered_on_time(rig: Rig) -> None:
    rig.append(fixture_mail("kintone_utf8_base64"))
    rig.run_once()
    (issue,) = rig.issues("ACME")
    report = ReportPublisher(rig.bot.config, rig.store).build("ACME", date(2026, 11, 1))
    lines = [s for s in report.sla if s.issue_key == issue.key]
    assert [(s.kind, s.outcome) for s in lines] == [("first_response", "met")]
    assert report.sla_missed == 0
    clocks = InquiryRecords(rig.store).clocks(issue.key)
    assert not any(c.clock.running for c in clocks), "no vendor clock while the customer decides"


def test_the_alert_issue_is_listed_apart_from_the_customers_inquiries(rig: Rig) -> None:
    """Review 15: the bot's own alert issue is not counted among the customer's inquiries."""
    rig.append(fixture_mail("kintone_utf8_base64"))
    rig.run_once()
    (issue,) = rig.issues("ACME")
    publisher = ReportPublisher(rig.bot.config, rig.store)
    report = publisher.build("ACME", date(2026, 11, 1))
    assert [(i.issue_key, i.alert) for i in report.issues] == [(issue.key, True)]
    assert report.count("opened") + report.count("in_progress") + report.count("closed") == 0
    text = publisher.render(report, "markdown")
    inquiries = text[text.index("## 課題の状況"):text.index("## 初回回答")]
    alerts = text[text.index("## 監視アラート"):]
    assert issue.key not in inquiries and issue.key in alerts
