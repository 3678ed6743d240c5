"""Publishing the monthly reports (R1, C7): one wiki page per customer and month, idempotent, caught up.

Calls per customer and month (after the project's metadata, which the directory caches): a page the store
already knows costs one read when nothing changed, and one more read plus one update when it did; a new
page costs two searches and one create. A project without a wiki gets the report as an issue (one create,
once) and staff are told by one issue per month in the staff project. The pacing of ``BacklogClient``
keeps every budget under its limit, so a run over 200 customers gets no 429.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.backlog.refs import with_reference
from bot.backlog.text import WIKI_MAX, Rule, fit
from bot.backlog.writer import BacklogWriter
from bot.config.loader import BotConfig
from bot.errors import BacklogError, UsageError
from bot.hour_tracker import add_months, quarter_at
from bot.reports.content import build_report, parse_month, window
from bot.reports.model import MonthlyReport, month_key
from bot.reports.render import extract_remarks, page_name, render_report, title
from bot.reports.staff_summary import summary_doc, summary_name
from bot.rules.calendar import BusinessCalendar
from bot.rules.sla import record
from bot.state.alerts import AlertRecords
from bot.state.inquiries import InquiryRecords
from bot.state.store import StateStore

log = logging.getLogger(__name__)

SUMMARY = "STAFF"
_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Published:
    """One report written or found unchanged: ``kind`` says where, ``changed`` if Backlog was touched."""

    customer: str
    month: str
    kind: Literal["wiki", "issue"]
    target: str
    changed: bool


def report_ref(customer: str, month: date) -> str:
    return f"hoshu-bot:report:{customer}:{month_key(month)}"


def cursor_name(customer: str) -> str:
    return f"report:{customer}"


def month_ended(month: date, now: datetime, tz: tzinfo) -> bool:
    """R1: a month is reported once it has ended, i.e. ``now`` (local time) is on or after the 1st of the
    next month (issue 19 item 2: a typo'd future month must not be published as complete)."""
    return now.astimezone(tz).date() >= add_months(month.replace(day=1), 1)


def key_ended(key: str, now: datetime, tz: tzinfo) -> bool:
    """``month_ended`` for a month key read from Backlog (``2026-11``); not a month key: False."""
    try:
        return month_ended(parse_month(key), now, tz)
    except UsageError:
        return False


def not_ended(customer: str, month: date, now: datetime, tz: tzinfo) -> str:
    """The one line that refuses a report for a month in progress or in the future."""
    local = now.astimezone(tz).date()
    state = "is in progress" if month.replace(day=1) == local.replace(day=1) else "is in the future"
    return (f"{customer} {month_key(month)}: the month {state} (today is {local.isoformat()}); a report is "
            "published only for a month that has ended ('report --dry-run' previews one)")


def due_months(last: str | None, now: datetime, cal: BusinessCalendar, at: time) -> list[date]:
    """R1: the months whose report is due at ``now`` and not yet published, oldest first.

    Month M is due from the first business day of M+1 at ``at`` (local time). Every month after ``last``
    (the cursor: the last month published) that is due is returned, so a month missed while the bot was
    down is produced when it comes back. Without a cursor (a fresh install) only the latest due month is
    returned: the bot does not back-fill a customer's history. A cursor past the latest due month (a page
    published for a month not ended, by an older version) is treated as no cursor, so the real month is
    still written (issue 19 item 2); publishing is idempotent, so the latest month is at worst found as is.
    """
    local = now.astimezone(cal.tz)
    this_month = local.date().replace(day=1)

    def due(month: date) -> bool:
        nxt = add_months(month, 1)
        day = cal.first_business_day_of_month(nxt.year, nxt.month)
        return local >= datetime.combine(day, at, tzinfo=cal.tz)

    latest = add_months(this_month, -1)
    if not due(latest):
        latest = add_months(latest, -1)
    if last is None or parse_month(last) > latest:
        return [latest]
    months: list[date] = []
    m = add_months(parse_month(last), 1)
    while m <= latest:
        months.append(m)
        m = add_months(m, 1)
    return months


class ReportPublisher:
    """Builds reports from the store (ledger, SLA clocks, alerts, the issue mirror) and writes them."""

    def __init__(
        self, config: BotConfig, store: StateStore, writer: BacklogWriter | None = None,
        adapter_labels: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        # The adapters' display names from monitoring.toml ("DataSpider Cloud", not "dataspider").
        self.adapter_labels = dict(adapter_labels or {})
        self.store = store
        self._writer = writer
        self.calendar = config.calendar()

    @property
    def writer(self) -> BacklogWriter:
        """The writer; a publisher built without one (``report --dry-run``) can only build reports."""
        if self._writer is None:
            msg = "this report publisher was built without a Backlog writer"
            raise UsageError(msg)
        return self._writer

    # ---- building (no Backlog calls) ------------------------------------------------------------
    def build(
        self, customer: str, month: date, remarks: str | None = None, now: datetime | None = None,
    ) -> MonthlyReport:
        """R1: the report of ``month`` from the bot's own records; UsageError when no contract covers it.
        With ``now`` inside the month it is a report of a month in progress ("as of", issue 15)."""
        c = self.config.customer(customer)
        inquiries = InquiryRecords(self.store)
        alerts = AlertRecords(self.store)
        w = window(month, c.contracts, self.calendar.tz)
        # Only what the month's report needs, by indexed ranges (issue 22 item 4), never the customer's
        # whole history. A day's margin either side: the store compares ISO strings, which differ by
        # offset; build_report keeps exactly the month (and the quarters it shows).
        since, until = w.start - _MARGIN, w.cut + _MARGIN
        rows = {r.issue_key: r for r in inquiries.for_month(c.project, since, until)}
        if w.in_progress(now):  # what pending quotes reserve, from issues of any age
            rows.update((r.issue_key, r) for r in inquiries.quoted(c.project))
        return build_report(
            customer=c.project,
            customer_name=c.name,
            month=month,
            contracts=c.contracts,
            purchases=c.purchases,
            ledger=self.store.ledger(c.project, since=w.ledger_from - _MARGIN, until=until),
            inquiries=rows.values(),
            clocks=[record(s.clock) for s in inquiries.customer_clocks(c.project, since, until)],
            monitoring=c.monitoring,
            alert_events=alerts.events(c.project, since, until) if c.monitoring else (),
            alert_groups=alerts.groups_with_events(c.project, since, until) if c.monitoring else (),
            spot_price=self.config.service.spot.price_per_hour,
            remarks=remarks,
            tz=self.calendar.tz,
            now=now,
        )

    def render(self, report: MonthlyReport, rule: Rule) -> str:
        """The page text in the customer's wording, category IDs shown by their labels (no rule IDs)."""
        labels = {c.id: c.label for c in self.config.service.categories}
        return render_report(self.config.voice(report.customer), report, rule, labels, self.adapter_labels)

    def covered(self, customer: str, month: date) -> bool:
        """True when a contract covers the month's last day (otherwise there is nothing to report)."""
        try:
            quarter_at(self.config.customer(customer).contracts, add_months(month, 1) - timedelta(days=1))
        except UsageError:
            return False
        return True

    # ---- publishing -----------------------------------------------------------------------------
    def publish(self, customer: str, month: date, now: datetime | None = None) -> Published:
        """R1: write the report page; staff remarks on the current page survive; unchanged means untouched.

        With ``now``, a month that has not ended is refused (UsageError, issue 19 item 2)."""
        if now is not None and not month_ended(month, now, self.calendar.tz):
            raise UsageError(not_ended(customer, month, now, self.calendar.tz))
        info = self.writer.directory.project(customer)
        rule: Rule = "backlog" if info.rule == "backlog" else "markdown"
        ref = report_ref(customer, month)
        if not info.project.use_wiki:
            report = self.build(customer, month, now=now)
            done = self.writer.issue(customer, ref, title(self.config.voice(customer), report),
                                     self.render(report, rule),
                                     issue_type=("その他", "タスク"), refresh=True)
            return Published(customer, month_key(month), "issue", done.target, done.created)
        name = page_name(self.build(customer, month))
        current = self.writer.read_wiki(customer, name, ref)
        report = self.build(customer, month, extract_remarks(current, rule), now)
        text = self.render(report, rule)
        known = self.store.ref_target(ref)
        if known and current is not None and current.replace("\r\n", "\n") == fit(
            with_reference(text, ref), WIKI_MAX
        ):
            # Already up to date and already indexed: no second read, no write.
            return Published(customer, month_key(month), "wiki", known, changed=False)
        done = self.writer.wiki(customer, name, ref, text)
        return Published(customer, month_key(month), "wiki", done.target, done.created)

    def publish_summary(self, month: date, as_issues: Sequence[Published] = ()) -> Published:
        """The staff summary page of ``month`` in the staff project, and one staff issue listing the
        reports that went out as issues (projects without a wiki)."""
        staff = self.config.service.staff.project
        reports = [
            self.build(c.project, month) for c in self.config.customers if self.covered(c.project, month)
        ]
        key = month_key(month)
        if as_issues:
            voice = self.config.voice()
            body = voice.doc("staff/report_issues", month_key=key,
                             lines=[f"{p.customer}: {p.target}" for p in as_issues])
            self.writer.issue(staff, f"hoshu-bot:report-issues:{key}",
                              voice.line("staff/report_issues_title", month_key=key), body,
                              issue_type=("タスク",))
        info = self.writer.directory.project(staff)
        ref = f"hoshu-bot:report-summary:{key}"
        page = summary_doc(self.config.voice(), month, reports)
        if not info.project.use_wiki:
            done = self.writer.issue(staff, ref, summary_name(month), page)
            return Published(SUMMARY, key, "issue", done.target, done.created)
        done = self.writer.wiki(staff, summary_name(month), ref, page)
        return Published(SUMMARY, key, "wiki", done.target, done.created)

    def publish_due_reports(self, now: datetime) -> list[Published]:
        """The monthly job (R1): every customer's due months, oldest first, then the staff summary.

        A customer whose write fails is logged and retried on the next run; the others go on. The cursor
        of a customer moves only after its month is written.
        """
        at = time.fromisoformat(self.config.service.reports.publish_at)
        out: list[Published] = []
        failed: set[str] = set()
        for c in self.config.customers:
            for month in due_months(self.store.get_cursor(cursor_name(c.project)), now, self.calendar, at):
                if self.covered(c.project, month):
                    try:
                        out.append(self.publish(c.project, month))
                    except BacklogError:
                        log.exception("monthly report %s %s failed; retried on the next run",
                                      c.project, month_key(month))
                        failed.add(month_key(month))
                        break
                self.store.set_cursor(cursor_name(c.project), month_key(month), now)
        for month in due_months(self.store.get_cursor(cursor_name(SUMMARY)), now, self.calendar, at):
            if month_key(month) in failed:
                break
            issues = [p for p in out if p.kind == "issue" and p.month == month_key(month)]
            out.append(self.publish_summary(month, issues))
            self.store.set_cursor(cursor_name(SUMMARY), month_key(month), now)
        return out
