"""Business calendar: business days (T1), SLA deadlines (T2), off-hours bands (T7), holiday data."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.loader import BotConfig
from bot.rules.calendar import BusinessCalendar

JST = ZoneInfo("Asia/Tokyo")


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(JST)


# Section E of mail-imap-calendar.md, copied as independent literal data (MMDD).
EXPECTED_HOLIDAYS = {
    2024: "0101 0108 0211 0212 0223 0320 0429 0503 0504 0505 0506 0715 0811 0812 0916 0922 0923 1014 "
    "1103 1104 1123",
    2025: "0101 0113 0211 0223 0224 0320 0429 0503 0504 0505 0506 0721 0811 0915 0923 1013 1103 1123 1124",
    2026: "0101 0112 0211 0223 0320 0429 0503 0504 0505 0506 0720 0811 0921 0922 0923 1012 1103 1123",
    2027: "0101 0111 0211 0223 0321 0322 0429 0503 0504 0505 0719 0811 0920 0923 1011 1103 1123",
}
EXPECTED_COUNTS = {2024: 21, 2025: 19, 2026: 18, 2027: 17}


class TestNationalHolidays:
    @pytest.mark.parametrize("year", sorted(EXPECTED_HOLIDAYS), ids=lambda y: f"T1-{y}")
    def test_national_holidays_equal_the_cabinet_office_list(self, cal: BusinessCalendar, year: int) -> None:
        """T1: the dates used for 2024-2027 are exactly the independent list, date for date."""
        expected = {date(year, int(m[:2]), int(m[2:])) for m in EXPECTED_HOLIDAYS[year].split()}
        assert set(cal.national_holidays(year)) == expected
        assert len(expected) == EXPECTED_COUNTS[year]

    def test_sandwiched_day_is_a_holiday(self, cal: BusinessCalendar) -> None:
        """T1: 国民の休日 2026-09-22 is not a business day."""
        assert cal.holiday_name(date(2026, 9, 22)) is not None
        assert not cal.is_business_day(date(2026, 9, 22))

    def test_warns_when_asked_about_a_year_past_verified_through(
        self, cal: BusinessCalendar, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Holiday data past holidays_verified_through is provisional: say so at WARNING."""
        with caplog.at_level(logging.WARNING, logger="bot.rules.calendar"):
            cal.is_business_day(date(2026, 6, 1))
            assert not caplog.records
            cal.is_business_day(date(2028, 6, 1))
        assert [r.levelno for r in caplog.records] == [logging.WARNING]
        assert "2028" in caplog.records[0].getMessage()
        assert cal.stale_years(date(2028, 1, 1))
        assert not cal.stale_years(date(2027, 12, 31))


class TestBusinessDays:
    @pytest.mark.parametrize(
        ("day", "business"),
        [
            (date(2026, 11, 20), True),   # Friday
            (date(2026, 11, 21), False),  # Saturday
            (date(2026, 11, 22), False),  # Sunday
            (date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
            (date(2026, 12, 28), True),
            (date(2026, 12, 29), False),  # company year-end closure
            (date(2027, 1, 3), False),
            (date(2027, 1, 4), True),
        ],
        ids=["T1-weekday", "T1-saturday", "T1-sunday", "T1-national", "T1-before-closure",
             "T1-company-1229", "T1-company-0103", "T1-after-closure"],
    )
    def test_business_days(self, cal: BusinessCalendar, day: date, business: bool) -> None:
        assert cal.is_business_day(day) is business

    def test_company_holiday_has_a_name(self, cal: BusinessCalendar) -> None:
        assert cal.holiday_name(date(2026, 12, 30)) == "会社休業日"
        assert cal.holiday_name(date(2026, 11, 23)) == "勤労感謝の日"
        assert cal.holiday_name(date(2026, 11, 24)) is None

    def test_day_helpers(self, cal: BusinessCalendar) -> None:
        assert cal.next_business_day(date(2026, 11, 20)) == date(2026, 11, 24)
        assert cal.add_business_days(date(2026, 11, 20), 0) == date(2026, 11, 20)
        assert cal.add_business_days(date(2026, 12, 25), 2) == date(2027, 1, 4)
        assert cal.first_business_day_of_month(2027, 1) == date(2027, 1, 4)
        assert cal.first_business_day_of_month(2026, 11) == date(2026, 11, 2)
        assert cal.business_days_before(date(2027, 1, 4), 1) == date(2026, 12, 28)
        assert cal.business_days_before(date(2026, 11, 24), 2) == date(2026, 11, 19)


class TestDeadline:
    @pytest.mark.parametrize(
        ("received", "clock_start", "deadline"),
        [
            ("2026-11-16T15:00+09:00", "2026-11-16T15:00+09:00", "2026-11-17T15:00+09:00"),
            ("2026-11-20T17:00+09:00", "2026-11-20T17:00+09:00", "2026-11-24T17:00+09:00"),
            ("2026-11-28T11:00+09:00", "2026-11-30T10:00+09:00", "2026-11-30T18:00+09:00"),
            ("2026-12-28T17:00+09:00", "2026-12-28T17:00+09:00", "2027-01-04T17:00+09:00"),
            ("2026-11-24T18:00+09:00", "2026-11-25T10:00+09:00", "2026-11-25T18:00+09:00"),
            ("2026-11-24T09:59+09:00", "2026-11-24T10:00+09:00", "2026-11-24T18:00+09:00"),
            ("2026-11-24T01:00+00:00", "2026-11-24T10:00+09:00", "2026-11-24T18:00+09:00"),
        ],
        ids=["T2-mon-15h", "T2-fri-17h-over-national-holiday", "T2-saturday", "T2-year-end-closure",
             "T2-closing-sharp-is-outside", "T2-before-opening", "T2-utc-input"],
    )
    def test_first_response_deadline(
        self, cal: BusinessCalendar, received: str, clock_start: str, deadline: str
    ) -> None:
        """T2 Reading: 1 business day = 8 business hours from the clock start."""
        d = cal.deadline(datetime.fromisoformat(received))
        assert d.clock_start == jst(clock_start)
        assert d.deadline == jst(deadline)
        assert d.deadline.utcoffset() == timedelta(hours=9)

    def test_two_business_days_for_a_work_result(self, cal: BusinessCalendar) -> None:
        """T4: 2 business days = 16 business hours."""
        assert cal.deadline(jst("2026-11-20T17:00+09:00"), 2).deadline == jst("2026-11-25T17:00+09:00")

    def test_landing_on_closing_stays_at_closing(self, cal: BusinessCalendar) -> None:
        eight = cal.add_business_hours(jst("2026-11-24T10:00+09:00"), Decimal(8))
        assert eight == jst("2026-11-24T18:00+09:00")
        assert cal.add_business_hours(jst("2026-11-24T18:00+09:00"), Decimal("0.5")) == jst(
            "2026-11-25T10:30+09:00"
        )

    def test_business_hours_between(self, cal: BusinessCalendar) -> None:
        assert cal.business_hours_between(jst("2026-11-20T17:00+09:00"), jst("2026-11-24T12:30+09:00")) == (
            Decimal("3.5")
        )
        assert cal.business_hours_between(jst("2026-11-24T12:00+09:00"), jst("2026-11-24T11:00+09:00")) == 0


class TestBands:
    @pytest.mark.parametrize(
        ("start", "end", "weighted"),
        [
            ("2026-11-27T17:00+09:00", "2026-11-27T23:00+09:00", Decimal(9)),
            ("2026-11-28T10:00+09:00", "2026-11-28T12:00+09:00", Decimal(6)),
            ("2026-11-23T13:00+09:00", "2026-11-23T15:00+09:00", Decimal(6)),
            ("2026-12-29T13:00+09:00", "2026-12-29T14:00+09:00", Decimal(3)),
            ("2026-11-24T10:00+09:00", "2026-11-24T18:00+09:00", Decimal(8)),
            ("2026-11-24T23:00+09:00", "2026-11-25T11:00+09:00", Decimal(23)),
        ],
        ids=["T7-friday-evening-and-night", "T7-saturday", "T7-national-holiday", "T7-company-holiday",
             "T7-business-hours", "T7-night-until-10"],
    )
    def test_weighted_hours(self, cal: BusinessCalendar, start: str, end: str, weighted: Decimal) -> None:
        """T7: each piece of a span is multiplied by its own band."""
        assert cal.weighted_hours(jst(start), jst(end)) == weighted

    def test_split_names_each_band(self, cal: BusinessCalendar) -> None:
        parts = cal.split(jst("2026-11-27T17:00+09:00"), jst("2026-11-27T23:00+09:00"))
        assert [(p.band, p.hours, p.multiplier) for p in parts] == [
            ("business", Decimal(1), Decimal(1)),
            ("evening", Decimal(4), Decimal("1.5")),
            ("night", Decimal(1), Decimal(2)),
        ]
        assert parts[0].start == jst("2026-11-27T17:00+09:00")
        assert parts[-1].end == jst("2026-11-27T23:00+09:00")

    def test_night_across_midnight_is_one_part(self, cal: BusinessCalendar) -> None:
        parts = cal.split(jst("2026-11-24T22:00+09:00"), jst("2026-11-25T10:00+09:00"))
        assert [(p.band, p.hours) for p in parts] == [("night", Decimal(12))]


_instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 20), timezones=st.just(JST)
).map(lambda t: t.replace(second=0, microsecond=0))
_half_hours = st.integers(min_value=1, max_value=200).map(lambda n: Decimal(n) / 2)


class TestCalendarProperties:
    @settings(max_examples=200, deadline=None)
    @given(received=_instants, days=st.integers(min_value=1, max_value=4))
    def test_deadline_is_after_receipt_and_inside_business_hours(
        self, config: BotConfig, received: datetime, days: int
    ) -> None:
        """T2: never before receipt; 10:00 < deadline <= 18:00 on a business day."""
        cal = config.calendar()
        d = cal.deadline(received, days).deadline
        assert d >= received
        assert cal.is_business_day(d.date())
        assert time(10) < d.timetz().replace(tzinfo=None) <= time(18)

    @settings(max_examples=200, deadline=None)
    @given(t=_instants, a=_half_hours, b=_half_hours)
    def test_adding_a_then_b_equals_adding_a_plus_b(
        self, config: BotConfig, t: datetime, a: Decimal, b: Decimal
    ) -> None:
        """Business-hour addition composes, including landings on 18:00."""
        cal = config.calendar()
        assert cal.add_business_hours(cal.add_business_hours(t, a), b) == cal.add_business_hours(t, a + b)

    @settings(max_examples=100, deadline=None)
    @given(t=_instants, a=_half_hours)
    def test_business_hours_between_inverts_addition(
        self, config: BotConfig, t: datetime, a: Decimal
    ) -> None:
        cal = config.calendar()
        start = cal.clock_start(t)
        assert cal.business_hours_between(start, cal.add_business_hours(start, a)) == a
