"""The staff summary (C7): one monthly page across customers: hours, lapses, purchases, SLA, alerts."""

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
    sold: Decimal  # the quarter's allotment (H1, H2)
    bought: Decimal  # spot hours bought in the month (H6)
    bought_yen: int
    used: Decimal  # consumed in the month (H8)
    lapsed: Decimal  # lapsed at a quarter end inside the month (H4)
    left: Decimal
    sla_met: int
    sla_total: int
    alerts: int


def summary_rows(reports: Sequence[MonthlyReport]) -> tuple[SummaryRow, ...]:
    """One row per customer, in the order given."""
    rows = []
    for r in reports:
        month_prices = sum(p.price for p in r.purchases if p.day.replace(day=1) == r.month)
        closed = [s for s in r.sla if s.outcome != "open"]
        rows.append(SummaryRow(
            r.customer, r.hours.allotment, r.hours.bought_month, month_prices, r.hours.consumed_month,
            r.lapsed, r.hours.left, r.sla_met, len(closed), sum(a.count for a in r.alerts),
        ))
    return tuple(rows)


def total(rows: Sequence[SummaryRow]) -> SummaryRow:
    """The sums of every column."""
    zero = Decimal(0)
    return SummaryRow(
        "",  # the totals row: the template names it
        sum((r.sold for r in rows), zero),
        sum((r.bought for r in rows), zero),
        sum(r.bought_yen for r in rows),
        sum((r.used for r in rows), zero),
        sum((r.lapsed for r in rows), zero),
        sum((r.left for r in rows), zero),
        sum(r.sla_met for r in rows),
        sum(r.sla_total for r in rows),
        sum(r.alerts for r in rows),
    )


def summary_name(month: date) -> str:
    return f"保守レポート/全体/{month_key(month)}"


def summary_doc(voice: Voice, month: date, reports: Sequence[MonthlyReport]) -> Doc:
    """C7: the monthly staff page (``staff/summary``): one row per customer and the totals, as values the
    template lays out; SLA compliance counts decided clocks only (met / met + missed)."""
    rows = summary_rows(reports)
    return voice.doc("staff/summary", month_key=month_key(month), customers=len(rows), total=total(rows),
                     rows=rows)
