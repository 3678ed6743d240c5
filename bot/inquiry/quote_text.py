"""The quote the customer reads (flow ⑤, issue 20 item 1): what is quoted, for which work, how it adds up,
until when it holds, and the exact sentence that answers it (issue 18).

Rules: H7 (hours, what is left after the work and after any purchase, whole hours to buy and their price),
H6 (15,000 yen per hour, the purchase through the vendor's sales representative, about a week of
paperwork), H8 (consumed in the quarter of the approval: the quote holds until that quarter's last
business day), H10 (0.5 h steps), T6/T7 (lead times; off-hours multipliers shown band by band with the
work placed in each, their products, the sum and the rounding, equal to the table), ⑥ (the answer).
A quote that cannot be met as asked (off-hours lead time, or a purchase that cannot be completed before
the work date) proposes to re-arrange the date instead of asking for approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.backlog.text import Doc
from bot.clock import JST
from bot.hour_tracker import Quote
from bot.inquiry.texts import Hours
from bot.rules.calendar import BandPart, BusinessCalendar
from bot.wording import Voice
from bot.wording.formats import fmt_datetime

__all__ = ["BANDS", "BandWork", "QuoteFacts", "band_work", "last_business_day", "quote_text", "unmeetable"]

BANDS = {
    "business": "営業時間内",
    "evening": "平日 18:00〜22:00",
    "night": "平日 22:00〜翌 10:00",
    "holiday": "土日祝祭日・弊社指定休業日",
}
_MILLI = Decimal("0.001")


@dataclass(frozen=True)
class QuoteFacts:
    """What the quote says besides the hours: its number (お見積り番号 ACME-12-1), the kind of work in
    words, the staff memo, the scheduled work, the last day it holds, and the sentences that answer it."""

    number: str = ""
    kind: str = ""
    memo: str = ""
    work: tuple[datetime, datetime] | None = None
    valid_until: date | None = None
    approval_sentence: str = "承認します。"
    decline_sentence: str = "見送ります。"
    paperwork_days: int = 7


@dataclass(frozen=True)
class BandWork:
    """T7, one band of the scheduled span: the work placed in it, its multiplier and their product."""

    span: str
    label: str
    work: Decimal
    multiplier: Decimal
    product: Decimal
    exact: bool


def band_work(parts: Sequence[BandPart], worked: Decimal) -> list[BandWork]:
    """The worked hours spread over the span in proportion to each band's share (as ``quote`` does, T7),
    to 0.001 h where the share does not come out exact (``exact`` then False: the text says so)."""
    length = sum((p.hours for p in parts), Decimal(0))
    out = []
    for p in parts:
        share = worked * p.hours / length if length else Decimal(0)
        work = share.quantize(_MILLI, ROUND_HALF_UP)
        product = (share * p.multiplier).quantize(_MILLI, ROUND_HALF_UP)
        exact = work == share and product == share * p.multiplier
        span = f"{fmt_datetime(p.start)}〜{p.end.astimezone(JST):%H:%M}"
        label = BANDS.get(p.band, p.band)
        out.append(BandWork(span, label, _plain(work), p.multiplier, _plain(product), exact))
    return out


def _plain(d: Decimal) -> Decimal:
    """0.50 -> 0.5 and 2.00 -> 2, for the hours filter."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def last_business_day(calendar: BusinessCalendar, end: date) -> date:
    """The last business day before ``end`` (a quarter's exclusive end): the quote holds until then."""
    return calendar.business_days_before(end, 1)


def _unmeetable(quote: Quote, facts: QuoteFacts, today: date | None) -> list[str]:
    """Why the work cannot happen as asked (the cases of the warnings the quote carries)."""
    cases = {w.case for w in quote.warnings}
    why = []
    if "off_hours_notice" in cases:
        why.append("off_hours_notice")
    if quote.purchase_needed > 0 and facts.work is not None and today is not None:
        days = (facts.work[0].astimezone(JST).date() - today).days
        if days < facts.paperwork_days:
            why.append("purchase_paperwork")
    return why


def unmeetable(quote: Quote, facts: QuoteFacts, today: date | None) -> bool:
    """True when the quote proposes another date instead of asking for approval (its answer is then a
    matter for staff, issue 18)."""
    return bool(_unmeetable(quote, facts, today))


def quote_text(
    voice: Voice,
    quote: Quote,
    *,
    parts: Sequence[BandPart] = (),
    facts: QuoteFacts = QuoteFacts(),
    today: date | None = None,
    reserved: Decimal = Decimal(0),
) -> Doc:
    """The quote (``customer/quote``): see the module docstring for what it says and why.

    ``reserved``: hours of other pending quotes; the bar shows them and this quote as reserved.
    ``today``: the day the quote is written, for the purchase lead time (skipped when not given).
    """
    left = quote.balance.remaining
    after_work = left - quote.requested
    after_purchase = left + quote.purchase_needed - quote.requested
    bands = band_work(parts, quote.worked)
    total = sum((b.product for b in bands), Decimal(0))
    weekend = any(p.band == "holiday" for p in parts)
    work = facts.work
    span = f"{fmt_datetime(work[0])}〜{work[1].astimezone(JST):%H:%M}" if work else ""
    return voice.doc(
        "customer/quote", quote=quote, facts=facts, work_span=span,
        after_work=max(after_work, Decimal(0)), short=max(-after_work, Decimal(0)),
        after_purchase=after_purchase, bands=bands, band_total=_plain(total),
        bands_exact=all(b.exact for b in bands), weekend=weekend,
        unmeetable=_unmeetable(quote, facts, today),
        next_quarter_day=quote.balance.quarter.end,
        warnings=[w.words() for w in quote.warnings],
        hours=Hours.from_balance(quote.balance, reserved + quote.requested),
    )

