"""The staff summary (C7): one monthly page across customers: hours, lapses, purchases, SLA, alerts.

Each customer's hours are those of *their own* quarter (contracts start on different days, H3), so the
totals row sums only what adds across customers (the month's consumption, lapses, purchases, clocks and
alerts), never quarter allotments or what is left (issue 20 item 6, review 33).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.backlog.text import Doc
from bot.reports.model import MonthlyReport, month_key
from bot.wording import Voice


@dataclass(frozen=True)
class SummaryRow:
    """One customer's month for staff; the totals row has the same shape."""

    customer: str
    quarter_start: date | None  # the customer's own quarter (None on the totals row)
    quarter_end: date | None  # its last valid day (H4)
    sold: Decimal  # the quarter's allotment (H1, H2)
    bought: Decimal  # spot hours bought in the month (H6)
    bought_yen: int
    used: Decimal  # consumed in the month (H8)
    lapsed: Decimal  # lapsed at a quarter end inside the month (H4)
    left: Decimal
    sla_met: int
    sla_total: int
    alerts: int
    sla_missed: int = 0  # clocks that breached (T2-T4): a staff matter every month


def summary_rows(reports: Sequence[MonthlyReport]) -> tuple[SummaryRow, ...]:
    """One row per customer, in the order given."""
    rows = []
    for r in reports:
        month_prices = sum(p.price for p in r.purchases if p.day.replace(day=1) == r.month)
        closed = [s for s in r.sla if s.outcome != "open"]
        rows.append(SummaryRow(
            r.customer, r.quarter.start, r.hours.expires, r.hours.allotment, r.hours.bought_month,
            month_prices, r.hours.consumed_month, r.lapsed, r.hours.left, r.sla_met, len(closed),
            sum(a.count for a in r.alerts), r.sla_missed,
        ))
    return tuple(rows)


def total(rows: Sequence[SummaryRow]) -> SummaryRow:
    """The sums of the columns that add across customers; allotment and what is left belong to each
    customer's own quarter and are not summed (zero here, shown as 「-」)."""
    zero = Decimal(0)
    return SummaryRow(
        "",  # the totals row: the template names it
        None, None,
        zero,
        sum((r.bought for r in rows), zero),
        sum(r.bought_yen for r in rows),
        sum((r.used for r in rows), zero),
        sum((r.lapsed for r in rows), zero),
        zero,
        sum(r.sla_met for r in rows),
        sum(r.sla_total for r in rows),
        sum(r.alerts for r in rows),
        sum(r.sla_missed for r in rows),
    )


def summary_name(month: date) -> str:
    return f"保守レポート/全体/{month_key(month)}"


def summary_doc(voice: Voice, month: date, reports: Sequence[MonthlyReport]) -> Doc:
    """C7: the monthly staff page (``staff/summary``): one row per customer and the totals, as values the
    template lays out; SLA compliance counts decided clocks only (met / met + missed)."""
    rows = summary_rows(reports)
    return voice.doc("staff/summary", month_key=month_key(month), customers=len(rows), total=total(rows),
                     rows=rows)
