"""Hour ledger: quarters (H3), balances (H4-H6, H8), quotes (H7, H10) and their warnings (O7, T6, T7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.loader import BotConfig
from bot.errors import UsageError
from bot.hour_tracker import (
    Contract,
    LedgerEntry,
    Purchase,
    add_months,
    balance,
    quarter_at,
    quarters,
    quote,
    round_up,
)
from bot.rules.calendar import BusinessCalendar

JST = ZoneInfo("Asia/Tokyo")
ACME = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)
AT = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def used(hours: str, at: datetime, customer: str = "ACME") -> LedgerEntry:
    return LedgerEntry(customer, "consume", Decimal(hours), at, "ACME-1", "sato", "estimate confirmed", "r")


def bought(hours: str, at: datetime) -> LedgerEntry:
    return LedgerEntry("ACME", "purchase", Decimal(hours), at, None, "sato", "spot purchase", "p")


class TestQuarters:
    @pytest.mark.parametrize(
        ("start", "starts"),
        [
            (date(2026, 4, 1), [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1), date(2027, 1, 1)]),
            (
                date(2026, 1, 31),
                [date(2026, 1, 31), date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)],
            ),
            (
                date(2025, 11, 30),
                [date(2025, 11, 30), date(2026, 2, 28), date(2026, 5, 30), date(2026, 8, 30)],
            ),
        ],
        ids=["H3-first-of-month", "H3-clamped-31st", "H3-clamped-february"],
    )
    def test_quarters_count_from_the_contract_start_not_chained(
        self, start: date, starts: list[date]
    ) -> None:
        """H3: quarter k starts at start + 3k months clamped to month end, computed from the start."""
        qs = quarters(Contract("annual", start, Decimal(24), 12))
        assert [q.start for q in qs] == starts
        assert [q.end for q in qs] == [*starts[1:], add_months(start, 12)]
        assert [q.index for q in qs] == [0, 1, 2, 3]

    def test_bridge_quarters_hold_the_hours_per_three_months(self) -> None:
        """H2: a bridge plan's hours are per 3-month block."""
        qs = quarters(Contract("bridge", date(2026, 5, 1), Decimal(6), 6))
        assert [(q.start, q.end, q.allotment) for q in qs] == [
            (date(2026, 5, 1), date(2026, 8, 1), Decimal(6)),
            (date(2026, 8, 1), date(2026, 11, 1), Decimal(6)),
        ]

    def test_quarter_at_follows_a_renewal(self, config: BotConfig) -> None:
        beta = config.customer("BETA").contracts
        assert quarter_at(beta, date(2026, 10, 31)).contract.kind == "bridge"
        q = quarter_at(beta, date(2026, 11, 1))
        assert (q.index, q.allotment, q.contract.kind) == (0, Decimal(9), "annual")

    def test_no_contract_is_a_usage_error(self) -> None:
        with pytest.raises(UsageError, match="no contract covers 2026-03-31"):
            quarter_at(ACME, date(2026, 3, 31))


class TestBalance:
    def test_hours_left_in_one_quarter_are_not_available_in_the_next(self) -> None:
        """H4/H5: 3 h unused in Q1 are lost; an overrun in Q2 is not offset by them."""
        entries = [
            used("3", datetime(2026, 5, 1, 12, tzinfo=JST)),
            used("8", datetime(2026, 8, 3, 12, tzinfo=JST)),
        ]
        q1 = balance(ACME, [], entries, date(2026, 6, 30))
        q2 = balance(ACME, [], entries, date(2026, 9, 1))
        assert (q1.allotment, q1.consumed, q1.remaining) == (Decimal(6), Decimal(3), Decimal(3))
        assert (q2.allotment, q2.consumed, q2.remaining) == (Decimal(6), Decimal(8), Decimal(-2))

    @pytest.mark.parametrize(
        ("bought_on", "at", "purchased"),
        [
            (date(2026, 11, 10), date(2026, 12, 31), Decimal(6)),
            (date(2026, 11, 10), date(2027, 1, 1), Decimal(0)),
            (date(2026, 9, 30), date(2026, 10, 1), Decimal(0)),
        ],
        ids=["H6-same-quarter", "H6-expires-at-quarter-end", "H6-not-before-its-quarter"],
    )
    def test_a_purchase_counts_only_in_its_own_quarter(
        self, bought_on: date, at: date, purchased: Decimal
    ) -> None:
        """H6: spot hours are valid only in the quarter in which they were bought."""
        assert balance(ACME, [Purchase(bought_on, Decimal(6))], [], at).purchased == purchased

    def test_ledger_purchases_count_like_config_purchases(self) -> None:
        b = balance(ACME, [Purchase(date(2026, 10, 5), Decimal(2))], [bought("3", AT)], AT)
        assert b.purchased == Decimal(5)
        assert b.remaining == Decimal(11)


class TestQuote:
    def test_brochure_example_twelve_hours_with_six_left(self) -> None:
        """H7: estimate 12 h, 6 h left -> buy 6 h at 15,000 yen."""
        q = quote(ACME, [], [], AT, Decimal(12))
        assert (q.balance.quarter.index, q.balance.quarter.start, q.balance.quarter.end) == (
            2,
            date(2026, 10, 1),
            date(2027, 1, 1),
        )
        assert (q.balance.allotment, q.balance.remaining) == (Decimal(6), Decimal(6))
        assert (q.requested, q.remaining_after, q.purchase_needed, q.purchase_price) == (
            Decimal(12),
            Decimal(0),  # what is left after the work and the 6 h bought (issue 19 item 8)
            Decimal(6),
            90_000,
        )

    def test_brochure_example_half_hour_with_nothing_left(self) -> None:
        """H7: estimate 0.5 h, 0 h left -> buy 1 h (whole hours, rounded up)."""
        q = quote(ACME, [], [used("6", datetime(2026, 10, 2, 11, tzinfo=JST))], AT, Decimal("0.5"))
        assert (q.balance.remaining, q.purchase_needed, q.purchase_price) == (Decimal(0), Decimal(1), 15_000)

    def test_no_purchase_when_enough_is_left(self) -> None:
        q = quote(ACME, [], [], AT, Decimal("1.5"))
        assert (q.purchase_needed, q.purchase_price, q.remaining_after, q.warnings) == (
            Decimal(0),
            0,
            Decimal("4.5"),
            (),
        )

    @pytest.mark.parametrize(
        ("hours", "due", "rules"),
        [
            ("13", None, ["O7", "H6"]),
            ("12", None, ["H6"]),
            ("1", date(2026, 12, 1), ["T6"]),
            ("1", date(2026, 12, 5), ["T6"]),
            ("1", date(2026, 12, 10), ["T6"]),
            ("1", date(2026, 12, 17), []),
        ],
        ids=[
            "O7-over-12h",
            "O7-12h-is-allowed",
            "T6-5-days-may-be-refused",
            "T6-9-days-recommend-2-3-weeks",
            "T6-14-days-recommend-2-3-weeks",
            "T6-21-days-fine",
        ],
    )
    def test_warnings(self, hours: str, due: date | None, rules: list[str]) -> None:
        q = quote(ACME, [], [], AT, Decimal(hours), due=due)
        assert [w.rule for w in q.warnings] == rules

    def test_t6_texts_differ_by_closeness(self) -> None:
        near = quote(ACME, [], [], AT, Decimal(1), due=date(2026, 12, 1)).warnings[0].reason
        soon = quote(ACME, [], [], AT, Decimal(1), due=date(2026, 12, 5)).warnings[0].reason
        assert "お受けできない場合" in near
        assert "2〜3週間前" in soon

    def test_off_hours_span_is_weighted_and_needs_two_weeks_notice(self, cal: BusinessCalendar) -> None:
        """T7: 6 h worked Friday 17:00-23:00 consume 9 h; asked 1 day ahead -> T7 warning."""
        span = (datetime(2026, 11, 27, 17, tzinfo=JST), datetime(2026, 11, 27, 23, tzinfo=JST))
        q = quote(ACME, [], [], AT, Decimal(6), calendar=cal, span=span)
        assert (q.worked, q.requested, q.purchase_needed) == (Decimal(6), Decimal(9), Decimal(3))
        assert [w.rule for w in q.warnings] == ["T7", "H6"]

    def test_business_hours_span_far_ahead_has_no_t7_warning(self, cal: BusinessCalendar) -> None:
        span = (datetime(2026, 12, 14, 10, tzinfo=JST), datetime(2026, 12, 14, 12, tzinfo=JST))
        q = quote(ACME, [], [], AT, Decimal(2), calendar=cal, span=span)
        assert (q.requested, q.warnings) == (Decimal(2), ())

    def test_partial_span_rounds_up_to_half_hours(self, cal: BusinessCalendar) -> None:
        """T7 + H10 Reading: 1 h spread over 17:00-19:00 is 0.5 + 0.75 = 1.25 -> 1.5 h."""
        span = (datetime(2026, 12, 14, 17, tzinfo=JST), datetime(2026, 12, 14, 19, tzinfo=JST))
        assert quote(ACME, [], [], AT, Decimal(1), calendar=cal, span=span).requested == Decimal("1.5")

    @pytest.mark.parametrize(
        "hours", ["0", "-1", "0.3", "1.25"], ids=["H10-zero", "H10-negative", "H10-0.3", "H10-quarter-hour"]
    )
    def test_hours_must_be_positive_half_hour_steps(self, hours: str) -> None:
        with pytest.raises(UsageError, match="H10"):
            quote(ACME, [], [], AT, Decimal(hours))

    def test_more_hours_than_the_span_is_a_usage_error(self, cal: BusinessCalendar) -> None:
        span = (datetime(2026, 12, 14, 10, tzinfo=JST), datetime(2026, 12, 14, 12, tzinfo=JST))
        with pytest.raises(UsageError, match="span"):
            quote(ACME, [], [], AT, Decimal(3), calendar=cal, span=span)

    @pytest.mark.parametrize(
        ("value", "step", "expected"),
        [
            ("0.1", "1", "1"),
            ("6", "1", "6"),
            ("1.25", "0.5", "1.5"),
            ("0", "1", "0"),
        ],
        ids=["H7-up", "H7-exact", "H10-up", "zero"],
    )
    def test_round_up(self, value: str, step: str, expected: str) -> None:
        assert round_up(Decimal(value), Decimal(step)) == Decimal(expected)


_days = st.integers(min_value=0, max_value=364)
_entry = st.tuples(_days, st.integers(min_value=1, max_value=20), st.booleans())


class TestLedgerProperties:
    @settings(max_examples=200, deadline=None)
    @given(
        entries=st.lists(_entry, max_size=30),
        config_buys=st.lists(st.tuples(_days, st.integers(1, 5)), max_size=5),
        at_day=_days,
    )
    def test_remaining_is_allotment_plus_purchases_minus_consumption_in_the_quarter(
        self, entries: list[tuple[int, int, bool]], config_buys: list[tuple[int, int]], at_day: int
    ) -> None:
        """H4-H6: only the quarter's own allotment, purchases and consumption count; nothing else."""
        start = datetime(2026, 4, 1, 12, tzinfo=JST)
        ledger = [
            (bought if is_buy else used)(str(Decimal(n) / 2), start + timedelta(days=d))
            for d, n, is_buy in entries
        ]
        buys = [Purchase((start + timedelta(days=d)).date(), Decimal(n)) for d, n in config_buys]
        at = (start + timedelta(days=at_day)).date()
        b = balance(ACME, buys, ledger, at)
        q = b.quarter
        inside = [e for e in ledger if q.start <= e.at.date() < q.end]
        expected_bought = sum((e.hours for e in inside if e.kind == "purchase"), Decimal(0)) + sum(
            (p.hours for p in buys if q.start <= p.date < q.end), Decimal(0)
        )
        expected_used = sum((e.hours for e in inside if e.kind == "consume"), Decimal(0))
        assert b.remaining == Decimal(6) + expected_bought - expected_used
        assert q.start <= at < q.end
