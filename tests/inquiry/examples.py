"""The shared example data of the inquiry tests: ACME's contract, quotes and balances (H1, H7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.hour_tracker import Balance, Contract, LedgerEntry, Quote, balance, quote
from bot.inquiry.texts import Hours
from bot.rules.calendar import BandPart
from tests.inquiry.conftest import brochure_calendar, jst

#: ACME: annual 24 h from 2026-04-01 for 12 months, 6 h per quarter (H1); Q3 is 2026-10-01..12-31.
ACME = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)
AT = jst(2026, 11, 30, 11)
SPAN = (jst(2026, 12, 5, 10), jst(2026, 12, 5, 13))  # a Saturday: x3.0 (T7)


def used(hours: str, at: datetime | None = None) -> tuple[LedgerEntry, ...]:
    """A ledger where ``hours`` were consumed on ACME-3 in the current quarter (default 2026-10-05)."""
    when = at or jst(2026, 10, 5, 12)
    return (LedgerEntry("ACME", "consume", Decimal(hours), when, "ACME-3", "sato", "設定代行", "ref"),)


def acme_balance(consumed: str = "0") -> Balance:
    return balance(ACME, (), used(consumed), AT)


def acme_hours(consumed: str = "0") -> Hours:
    return Hours.from_balance(acme_balance(consumed))


def brochure_quote_12h() -> Quote:
    """Brochure H7: estimate 12 h with 6 h left -> buy 6 h (90,000 yen)."""
    return quote(ACME, (), (), AT, Decimal(12))


def brochure_quote_half() -> Quote:
    """Brochure H7: estimate 0.5 h with 0 h left -> buy 1 h (15,000 yen)."""
    return quote(ACME, (), used("6"), AT, Decimal("0.5"))


def saturday_quote() -> tuple[Quote, tuple[BandPart, ...]]:
    """3 h on Saturday 10:00-13:00 five days ahead: 9 h consumed, T7 notice and H6 warnings."""
    cal = brochure_calendar()
    return quote(ACME, (), (), AT, Decimal(3), calendar=cal, span=SPAN), cal.split(*SPAN)
