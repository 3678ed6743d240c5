"""Mail no customer can safely receive, grouped for staff like alerts (rules M2, P2; issue 12 item 3).

One staff issue per (reason, sender, subject shape with digits and dates masked): later mails of the
group only count, and at most one summary comment per grouping interval says how many came (the
description's count is refreshed in the same PATCH). A storm of identical unreadable mails therefore
makes one staff issue, not one per mail; every mail still goes to the quarantine folder.

Groups live with the alert groups (``alert_groups``: customer = the staff project, adapter =
``staff:<kind>``), so the periodic ``flush`` and the "closed in Backlog" check serve both.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from bot.mail.grouping import CommentSummary, Decision, GroupState, OpenIssue, ReopenAsNew
from bot.mail.message import ParsedMail
from bot.mail.routing import Staff
from bot.state.alerts import AlertGroupRow

STAFF_ADAPTER_PREFIX = "staff:"
_DATE = re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:[ T(（][^\d]{0,3}\)?\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_DIGITS = re.compile(r"\d+")


def subject_shape(subject: str) -> str:
    """The subject with dates, times and numbers masked.

    ``エラー 2026/11/26 10:15 #42`` becomes ``エラー <日付> #<数>``.
    """
    text = _DATE.sub("<日付>", subject)
    text = _TIME.sub("<時刻>", text)
    return " ".join(_DIGITS.sub("<数>", text).split())[:200]


@dataclass(frozen=True)
class StaffKey:
    """What one staff group is: why, from whom, about what (the subject's shape)."""

    reason: Staff
    sender: str
    shape: str

    @classmethod
    def of(cls, reason: Staff, mail: ParsedMail | None) -> StaffKey:
        if mail is None:
            return cls(reason, "", "")
        return cls(reason, mail.from_addr.lower(), subject_shape(mail.normalised_subject))

    @property
    def fingerprint(self) -> str:
        joined = "\x1f".join(("staff", self.reason.kind, self.reason.reason, self.sender, self.shape))
        return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


def staff_issue_ref(fingerprint: str, generation: int) -> str:
    """The reference of a staff group's issue (one per fingerprint and generation)."""
    return f"hoshu-bot:quarantine:{fingerprint}:{generation}"


def staff_update_ref(fingerprint: str, generation: int, count: int) -> str:
    """The reference of a staff group's summary comment, numbered by the count it reports up to."""
    return f"hoshu-bot:quarantine-update:{fingerprint}:{generation}:{count}"


def is_staff_group(row: AlertGroupRow) -> bool:
    return row.adapter.startswith(STAFF_ADAPTER_PREFIX)


def staff_row(state: GroupState, generation: int, project: str, key: StaffKey,
              issue_key: str | None) -> AlertGroupRow:
    """The stored row of a staff group after a decision (always ``open`` once it has an issue)."""
    return AlertGroupRow(
        fingerprint=state.fingerprint, generation=generation, customer=project,
        adapter=f"{STAFF_ADAPTER_PREFIX}{key.reason.kind}", job=key.reason.reason[:200], error_code=key.shape,
        error_class="action", issue_key=issue_key, status="open", count=state.count,
        first_seen=state.first_seen, last_seen=state.last_seen, last_comment_at=state.last_comment_at,
        since_comment=state.pending_since_comment, recent=(),
    )


def opens(decision: Decision) -> bool:
    return isinstance(decision, OpenIssue | ReopenAsNew)


def summarises(decision: Decision) -> bool:
    return isinstance(decision, CommentSummary)


def since(decision: Decision) -> tuple[int, datetime] | None:
    """``(occurrences, since)`` of a due summary comment, else None."""
    if isinstance(decision, CommentSummary):
        return decision.occurrences, decision.since
    return None
