"""The monthly report as values (R1, R3, H4, C7): built from the bot's own records and the month, no I/O.

Everything is cut off at the end of the month (00:00 JST on the 1st of the next month), so the same month
and the same records always give the same report: no "generated at" stamp that would change on a rerun.
A month still in progress (``now`` before the cut-off) is cut at ``now`` instead and says so ("as of",
issue 15), and its hour bar shows what pending quotes reserve.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.hour_tracker import Contract, LedgerEntry, Purchase, Quarter, add_months, quarter_at
from bot.reports.model import (
    DEFAULT_REMARKS,
    AlertLine,
    Consumption,
    Forecast,
    Hours,
    IssueLine,
    IssueState,
    MonthlyReport,
    PendingQuote,
    PurchaseLine,
    SlaLine,
)
from bot.reports.trend import shown, trend
from bot.rules.adjustments import is_adjustment

if TYPE_CHECKING:
    from bot.rules.sla import ClockRecord
    from bot.state.alerts import AlertEventRow, AlertGroupRow
    from bot.state.inquiries import InquiryRow

JST = ZoneInfo("Asia/Tokyo")
HALF = Decimal("0.5")
ADJUSTMENT = "adjustment"  # the category of a ``ledger adjust`` entry: the report shows it as 調整 (issue 19)


def parse_month(text: str) -> date:
    """``"2026-11"`` -> 2026-11-01; a UsageError names the wrong value."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        msg = f"--month must be YYYY-MM, got {text!r}"
        raise UsageError(msg)
    try:
        return date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        msg = f"--month must be YYYY-MM, got {text!r}"
        raise UsageError(msg) from None


def month_bounds(month: date, tz: ZoneInfo = JST) -> tuple[datetime, datetime]:
    """The month as ``[start, cut-off)``: midnight of the 1st to midnight of the next 1st, local time."""
    start = datetime.combine(month.replace(day=1), time(0), tzinfo=tz)
    return start, datetime.combine(add_months(month.replace(day=1), 1), time(0), tzinfo=tz)


@dataclass(frozen=True)
class Window:
    """What the report of a month reads from the store (R1, issue 22 item 4): the month ``[start, cut)``
    and the ledger from ``ledger_from``, the first day of the oldest quarter the report shows (the trend;
    a quarter that lapsed in the month is one of them), or of the month when a first contract began in
    it. Nothing before or after changes the report.
    """

    start: datetime
    cut: datetime
    ledger_from: datetime

    def in_progress(self, now: datetime | None) -> bool:
        """``now`` inside the month: the report is "as of" and counts what pending quotes reserve."""
        return now is not None and self.start <= now < self.cut


def window(month: date, contracts: Sequence[Contract], tz: ZoneInfo = JST) -> Window:
    """The reads of ``month``'s report; UsageError when no contract covers the month's last day."""
    start, cut = month_bounds(month, tz)
    oldest = shown(quarter_at(contracts, _day(cut - timedelta(microseconds=1), tz)), contracts)[-1]
    return Window(start, cut, min(start, datetime.combine(oldest.start, time(0), tzinfo=tz)))


def _in(at: datetime, start: datetime, end: datetime) -> bool:
    return start <= at < end


def _day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def _quarter_figures(
    q: Quarter, purchases: Sequence[Purchase], ledger: Sequence[LedgerEntry], cut: datetime,
    tz: ZoneInfo,
) -> tuple[Decimal, Decimal]:
    """H4-H6: bought and consumed in quarter ``q`` before the cut-off."""
    last = _day(cut - timedelta(microseconds=1), tz)
    bought = sum((p.hours for p in purchases if q.contains(p.date) and p.date <= last), Decimal(0))
    used = Decimal(0)
    for e in ledger:
        if e.at < cut and q.contains(_day(e.at, tz)):
            if e.kind == "purchase":
                bought += e.hours
            else:
                used += e.hours
    return bought, used


def forecast(hours: Hours, q: Quarter, cut_day: date) -> Forecast:
    """H4: at the pace of the quarter so far, how many hours will be left unused at its end.

    The pace is hours per calendar day since the quarter started; the projection is rounded to 0.5 h
    (H10). When the month ends with the quarter, the forecast is exactly what is left.
    """
    total = (q.end - q.start).days
    elapsed = min(total, max(0, (cut_day - q.start).days))
    if elapsed <= 0:
        projected = Decimal(0)
    else:
        raw = hours.consumed_quarter * total / elapsed
        projected = (raw / HALF).to_integral_value(ROUND_HALF_UP) * HALF
    lapse = max(Decimal(0), hours.allotment + hours.bought - projected)
    return Forecast(elapsed, total, projected, lapse)


def _issue_lines(
    rows: Iterable[InquiryRow], start: datetime, cut: datetime, tz: ZoneInfo
) -> tuple[IssueLine, ...]:
    """R2: issues opened in the month, still open at its end, or closed in it; state as at the cut-off."""
    out: list[IssueLine] = []
    for r in sorted(rows, key=lambda r: (r.created, r.issue_key)):
        if r.created >= cut or (r.closed is not None and r.closed < start):
            continue
        state: IssueState
        if r.closed is not None and r.closed < cut:
            state = "closed"
        elif r.created >= start:
            state = "opened"
        else:
            state = "in_progress"
        closed = _day(r.closed, tz) if r.closed is not None and r.closed < cut else None
        out.append(IssueLine(r.issue_key, r.summary, _day(r.created, tz), closed, state, r.status,
                             alert=r.data.get("kind") == "alert"))
    return tuple(out)


def _alert_lines(events: Iterable[AlertEventRow], groups: Iterable[AlertGroupRow]) -> tuple[AlertLine, ...]:
    """M2: occurrences by adapter and class; a fingerprint's group counts as open or closed as it is now."""
    status = {g.fingerprint: g.status for g in sorted(groups, key=lambda g: g.generation)}
    counts: Counter[tuple[str, str]] = Counter()
    prints: dict[tuple[str, str], set[str]] = {}
    for e in events:
        counts[(e.adapter, e.error_class)] += 1
        prints.setdefault((e.adapter, e.error_class), set()).add(e.fingerprint)
    return tuple(
        AlertLine(
            adapter, cls, counts[(adapter, cls)],
            sum(1 for f in prints[(adapter, cls)] if status.get(f) != "closed"),
            sum(1 for f in prints[(adapter, cls)] if status.get(f) == "closed"),
        )
        for adapter, cls in sorted(counts)
    )


def _sla_line(c: ClockRecord, cut: datetime) -> SlaLine:
    """A clock as it stood at the month's cut-off (R1): a report rebuilt later shows the same outcome.

    Met before the cut: met or missed by its due time; not met by then: missed once its due time has
    passed, else still open (a later answer belongs to the next month's report).
    """
    if c.met_at is not None and c.met_at < cut:
        return SlaLine(c.issue_key, c.kind.value, c.started, c.due, c.met_at,
                       "met" if c.met_at <= c.due else "missed")
    return SlaLine(c.issue_key, c.kind.value, c.started, c.due, None, "missed" if c.due < cut else "open")


def build_report(
    *,
    customer: str,
    customer_name: str,
    month: date,
    contracts: Sequence[Contract],
    purchases: Sequence[Purchase],
    ledger: Sequence[LedgerEntry],
    inquiries: Iterable[InquiryRow] = (),
    clocks: Iterable[ClockRecord] = (),
    monitoring: bool = False,
    alert_events: Iterable[AlertEventRow] = (),
    alert_groups: Iterable[AlertGroupRow] = (),
    spot_price: int = 15_000,
    remarks: str | None = None,
    tz: ZoneInfo = JST,
    now: datetime | None = None,
) -> MonthlyReport:
    """R1: the report of ``month`` for one customer; the quarter is the one holding the month's last day.

    With ``now`` inside the month the report is a month in progress: figures as at ``now``, SLA clocks
    judged at ``now``, ``as_of`` set and pending quotes counted as reserved. Raises UsageError when no
    contract covers the month's last day.
    """
    start, cut = month_bounds(month, tz)
    as_of = now if now is not None and start <= now < cut else None
    judged = as_of or cut
    inquiries = list(inquiries)
    last_day = _day(cut - timedelta(microseconds=1), tz)
    q = quarter_at(contracts, last_day)
    bought, used = _quarter_figures(q, purchases, ledger, cut, tz)
    month_entries = sorted((e for e in ledger if _in(e.at, start, cut)), key=lambda e: (e.at, e.ref))
    consumptions = tuple(
        Consumption(e.issue_key or "-", e.title or e.why, ADJUSTMENT if is_adjustment(e) else e.category,
                    e.hours, e.multiplier, _day(e.at, tz))
        for e in month_entries if e.kind == "consume"
    )
    bought_month = sum((e.hours for e in month_entries if e.kind == "purchase"), Decimal(0)) + sum(
        (p.hours for p in purchases if start.date() <= p.date <= last_day), Decimal(0)
    )
    lines = [PurchaseLine(p.date, p.hours, int(p.hours * spot_price)) for p in purchases
             if q.contains(p.date) and p.date <= last_day]
    lines += [PurchaseLine(_day(e.at, tz), e.hours, int(e.hours * spot_price)) for e in ledger
              if e.kind == "purchase" and e.at < cut and q.contains(_day(e.at, tz))]
    hours = Hours(q.allotment, bought, bought_month, sum((c.hours for c in consumptions), Decimal(0)), used,
                  q.end - timedelta(days=1))
    lapsed = Decimal(0)
    if start.date() < q.start:
        # A quarter ended inside this month: what it still held then has lapsed (H4).
        try:
            prev: Quarter | None = quarter_at(contracts, q.start - timedelta(days=1))
        except UsageError:
            prev = None  # the first contract started mid-month: nothing before it
        if prev is not None:
            p_bought, p_used = _quarter_figures(prev, purchases, ledger, cut, tz)
            lapsed = max(Decimal(0), prev.allotment + p_bought - p_used)
    if q.end == cut.date():
        lapsed += max(Decimal(0), hours.left)
    sla = tuple(
        _sla_line(c, judged)
        for c in sorted(clocks, key=lambda c: (c.started, c.issue_key, c.kind.value))
        if _in(c.started, start, cut)
    )
    return MonthlyReport(
        customer=customer,
        customer_name=customer_name,
        month=month.replace(day=1),
        contract=q.contract,
        quarter=q,
        hours=hours,
        lapsed=lapsed,
        consumptions=consumptions,
        purchases=tuple(sorted(lines, key=lambda p: p.day)),
        issues=_issue_lines(inquiries, start, cut, tz),
        sla=sla,
        monitoring=monitoring,
        alerts=_alert_lines((e for e in alert_events if _in(e.occurred_at, start, cut)), alert_groups)
        if monitoring else (),
        forecast=forecast(hours, q, cut.date()),
        remarks=remarks if remarks and remarks.strip() else DEFAULT_REMARKS,
        as_of=as_of,
        reserved=_reserved(inquiries) if as_of is not None else Decimal(0),
        quarters=trend(q, contracts, purchases, ledger, judged, tz),
        pending=_pending(r for r in inquiries if r.created < cut and (r.closed is None or r.closed >= start)),
    )


def _pending(rows: Iterable[InquiryRow]) -> tuple[PendingQuote, ...]:
    """The quotes still open (waiting for an answer, or approved and held for a purchase), by number,
    of the month's issues (opened before its end, not closed before its start).

    The state is the one the store holds when the report is written, not a history: the text says so.
    """
    found = []
    for r in rows:
        quote = r.data.get("quote")
        if isinstance(quote, dict) and quote.get("state") in ("pending", "held"):
            number = f"{r.issue_key}-{quote.get('n', 1)}"
            hours = Decimal(str(quote.get("requested", "0")))
            found.append(PendingQuote(number, r.issue_key, r.summary, hours, quote.get("state") == "held"))
    return tuple(sorted(found, key=lambda p: (int(p.issue_key.rsplit("-", 1)[1]), p.number)))


def _reserved(rows: Iterable[InquiryRow]) -> Decimal:
    """Hours of quotes still waiting for the customer's answer (pending or held for a purchase)."""
    total = Decimal(0)
    for r in rows:
        quote = r.data.get("quote")
        if isinstance(quote, dict) and quote.get("state") in ("pending", "held"):
            total += Decimal(str(quote.get("requested", "0")))
    return total
