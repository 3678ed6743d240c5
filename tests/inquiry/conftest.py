"""Shared fixtures of the inquiry tests: the brochure's business calendar in Asia/Tokyo."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import BusinessCalendar

JST = ZoneInfo("Asia/Tokyo")


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Asia/Tokyo instant (tests never read the wall clock)."""
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def brochure_calendar() -> BusinessCalendar:
    """T1: weekdays 10:00-18:00 JST, national holidays, company holidays 12/29-1/3."""
    return BusinessCalendar(
        company_holidays=frozenset(),
        opening=time(10),
        closing=time(18),
        tz=JST,
        verified_through=2027,
        recurring_holidays=frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}),
    )


@pytest.fixture
def cal() -> BusinessCalendar:
    """The brochure's calendar."""
    return brochure_calendar()
