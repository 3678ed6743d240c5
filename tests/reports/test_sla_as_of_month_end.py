"""A month's report shows each SLA clock as it stood at the month's end (R1), whenever it is rebuilt."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.hour_tracker import Contract
from bot.reports.content import build_report
from bot.rules.sla import ClockKind, ClockRecord

JST = ZoneInfo("Asia/Tokyo")
CONTRACT = Contract("annual", date(2026, 4, 1), Decimal(24), 12)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("due", "met_at", "outcome"),
    [
        (at(11, 30, 18), at(11, 30, 12), "met"),
        (at(11, 27, 18), at(11, 30, 12), "missed"),
        (at(12, 1, 18), at(12, 1, 12), "open"),  # answered in time, but in December's report
        (at(11, 30, 15), at(12, 1, 12), "missed"),  # overdue at the month's end
        (at(11, 30, 15), None, "missed"),
        (at(12, 1, 18), None, "open"),
    ],
    ids=["met-in-month", "late-in-month", "met-next-month", "overdue-at-month-end", "breached", "still-open"],
)
def test_a_clock_is_judged_as_it_stood_at_the_month_end(
    due: datetime, met_at: datetime | None, outcome: str
) -> None:
    """T2 clocks started in November are reported in November as they were on 30 November 24:00."""
    clock = ClockRecord("ACME-7", ClockKind.FIRST_RESPONSE, at(11, 30, 10), due, met_at, "open")
    report = build_report(customer="ACME", customer_name="株式会社アクメ", month=date(2026, 11, 1),
                          contracts=(CONTRACT,), purchases=(), ledger=(), clocks=(clock,))
    (line,) = report.sla
    assert line.outcome == outcome
    answered_by_month_end = met_at is not None and met_at < at(12, 1, 0)
    assert line.met_at == (met_at if answered_by_month_end else None)
