"""Quarter-end and usage notices (H4, R3): pure decisions, then one comment each on a per-quarter issue.

Where they go: each customer gets, per quarter and only when there is something to say, one issue
"保守時間のお知らせ" in its project (reference ``hoshu-bot:notice:ACME:2026-10-01``); every notice is a
comment on it carrying its own reference (``hoshu-bot:notice-quarter-end:ACME:2026-10-01``,
``hoshu-bot:notice-usage-80:ACME:2026-10-01``), notifying the customer's registered inquirers. So a notice
is sent once, whatever the number of runs, crashes or restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.backlog.text import Doc
from bot.backlog.writer import BacklogWriter
from bot.config.loader import BotConfig
from bot.errors import BacklogError, UsageError
from bot.hour_tracker import Balance, balance
from bot.rules.calendar import BusinessCalendar
from bot.state.store import StateStore
from bot.wording import Voice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One notice to a customer: ``quarter-end`` (H4, hours about to lapse) or ``usage`` (a threshold)."""

    customer: str
    kind: Literal["quarter-end", "usage"]
    threshold: int
    quarter_start: date
    expires: date
    left: Decimal
    used_percent: int

    @property
    def ref(self) -> str:
        what = "quarter-end" if self.kind == "quarter-end" else f"usage-{self.threshold}"
        return f"hoshu-bot:notice-{what}:{self.customer}:{self.quarter_start.isoformat()}"


def notice_issue_ref(customer: str, quarter_start: date) -> str:
    return f"hoshu-bot:notice:{customer}:{quarter_start.isoformat()}"


def used_percent(bal: Balance) -> int:
    total = bal.allotment + bal.purchased
    if total <= 0:
        return 0
    return int((bal.consumed * 100 / total).to_integral_value(ROUND_HALF_UP))


def due_notices(
    customer: str,
    bal: Balance,
    now: datetime,
    cal: BusinessCalendar,
    *,
    notice_days: int,
    thresholds: Sequence[int],
    sent: Collection[str],
) -> list[Notice]:
    """H4/R3: what to tell ``customer`` at ``now``, given the refs already ``sent``. Only in business hours.

    - quarter end: from ``notice_days`` business days before the quarter ends, once, when hours are left;
    - usage: once when the quarter's use reaches a threshold (80 %, 100 %); when several are crossed at
      once only the highest is sent, and a lower one is never sent after a higher one.
    """
    if cal.clock_start(now) != now:
        return []
    q = bal.quarter
    expires = q.end - timedelta(days=1)
    pct = used_percent(bal)
    out: list[Notice] = []
    today = now.astimezone(cal.tz).date()
    if bal.remaining > 0 and cal.business_days_before(q.end, notice_days) <= today < q.end:
        n = Notice(customer, "quarter-end", 0, q.start, expires, bal.remaining, pct)
        if n.ref not in sent:
            out.append(n)
    crossed = sorted(t for t in thresholds if pct >= t)
    if crossed:
        done = [Notice(customer, "usage", t, q.start, expires, bal.remaining, pct).ref for t in thresholds
                if t >= crossed[-1]]
        if not any(ref in sent for ref in done):
            out.append(Notice(customer, "usage", crossed[-1], q.start, expires, bal.remaining, pct))
    return out


def notice_doc(voice: Voice, n: Notice, *, spot_price: int = 15_000, paperwork_days: int = 7,
               last_business_day: date | None = None, off_hours_notice_days: int = 14) -> Doc:
    """The customer-facing text of a notice (``customer/notice_quarter_end``, ``customer/notice_usage``).

    ``last_business_day``: the quarter's last business day (before a year-end closure it is days before
    the lapse): the quarter-end notice says both (issue 20 item 4, review 23)."""
    if n.kind == "quarter-end":
        return voice.doc("customer/notice_quarter_end", left=n.left, expires=n.expires,
                         last_day=last_business_day or n.expires, paperwork_days=paperwork_days,
                         notice_days=off_hours_notice_days)
    return voice.doc("customer/notice_usage", threshold=n.threshold, percent=n.used_percent, left=n.left,
                     expires=n.expires, spot_price=spot_price, paperwork_days=paperwork_days)


def send_due_notices(
    config: BotConfig, store: StateStore, writer: BacklogWriter, now: datetime
) -> list[Notice]:
    """The notices job: decide for every customer, then post each due notice once (see module docstring)."""
    cal = config.calendar()
    qe = config.service.quarter_end
    sent_refs = set(store.refs_by_kind("comment"))
    out: list[Notice] = []
    for c in config.customers:
        try:
            bal = balance(c.contracts, c.purchases, store.ledger(c.project), now.astimezone(cal.tz))
        except UsageError:
            continue  # no contract today: nothing to tell
        due = due_notices(c.project, bal, now, cal, notice_days=qe.notice_business_days,
                          thresholds=qe.usage_thresholds, sent=sent_refs)
        if not due:
            continue
        try:
            info = writer.directory.project(c.project)
            notify = [u.id for login in c.inquirers if (u := info.user(login)) is not None]
            q = bal.quarter
            voice = config.voice(c.project)
            period = {"start": q.start, "expires": q.end - timedelta(days=1)}
            issue = writer.issue(
                c.project, notice_issue_ref(c.project, q.start),
                voice.line("customer/notice_issue_title", **period),
                voice.doc("customer/notice_issue", **period), issue_type=("その他", "タスク"),
            )
            policy = config.service.quote_policy()
            for n in due:
                doc = notice_doc(voice, n, spot_price=policy.spot_price, paperwork_days=policy.paperwork_days,
                                 last_business_day=cal.business_days_before(q.end, 1),
                                 off_hours_notice_days=policy.off_hours_notice_days)
                writer.comment(c.project, issue.target, n.ref, doc, notify=notify)
                out.append(n)
        except BacklogError:
            log.exception("notices for %s failed; retried on the next run", c.project)
    return out
