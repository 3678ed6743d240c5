"""An alert issue in the inquiry mirror, with its first response met (M4, T2; C8)."""

from __future__ import annotations

from datetime import datetime

from bot.rules import sla
from bot.rules.sla import Calendar, ClockKind
from bot.state.db import Tx
from bot.state.inquiries import InquiryRecords, InquiryRow

ALERT_CATEGORY = "C8"


def mirror_alert_issue(c: Tx, inquiries: InquiryRecords, bot_user: str, calendar: Calendar, project: str,
                       issue_key: str, issue_id: int | None, summary: str, now: datetime) -> None:
    """Record the first response (M4, T2) and mirror the issue for the inquiry workflow and report.

    The triage the bot posts with the issue *is* the first response (M2 ②, M4): the T2 clock starts
    and is met at the same instant, so the report shows it on time. What follows waits on the
    customer's decision (M2 ③): no vendor clock runs until the customer answers, which the inquiry
    workflow handles like any customer comment. The mirror's ``created_user`` is the bot, so the
    workflow does not acknowledge the bot's own issue; ``data.kind = "alert"`` tells the report it is
    a monitoring issue (C8, triage included) and ``waiting_on`` who acts next.
    """
    if issue_id is not None and inquiries.get(issue_key) is None:
        InquiryRecords.save(c, InquiryRow(
            issue_key=issue_key, customer=project, issue_id=issue_id, summary=summary,
            created_user=bot_user, created=now, status="未対応", updated=now,
            category=ALERT_CATEGORY, data={"kind": "alert", "waiting_on": "customer"},
        ))
    if not inquiries.clocks(issue_key):
        started = sla.start(ClockKind.FIRST_RESPONSE, issue_key, now, calendar)
        InquiryRecords.save_clock(c, project, 0, sla.meet(started, now))
