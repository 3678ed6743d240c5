"""The hour ledger: contracts, quarters, purchases, balances and quotes (rules H1-H10, O7, T6, T7)."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_CEILING, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.rules.calendar import BusinessCalendar, timedelta_to_hours
from bot.rules.estimates import consumed_cap_finding, task_cap_finding
from bot.rules.figures import hours_figure
from bot.rules.findings import Finding
from bot.rules.lead_time import REFUSING_CASES, lead_time_findings

STEP = Decimal("0.5")
JST = ZoneInfo("Asia/Tokyo")  # the service's time zone (T1); quarters are Japan dates


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the month's last day (01-31 + 3 -> 04-30)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def is_step(hours: Decimal, step: Decimal = STEP) -> bool:
    """H10 (**Reading**): hours entered by a person are multiples of 0.5 h."""
    return hours % step == 0


def round_up(hours: Decimal, step: Decimal) -> Decimal:
    """``hours`` rounded up to a multiple of ``step`` (H7 buys whole hours; H10 counts in 0.5 h)."""
    steps = (hours / step).to_integral_value(rounding=ROUND_CEILING)
    value = steps * step
    # Not normalize() on whole hours: it writes 10 as 1E+1, which then reached a customer's quote.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class Contract:
    """One contract period. ``annual``: ``hours`` per year (H1); ``bridge``: ``hours`` per 3 months (H2)."""

    kind: Literal["annual", "bridge"]
    start: date
    hours: Decimal
    months: int
    price: int | None = None

    @property
    def end(self) -> date:
        """The first day after the contract (exclusive end), counted from the start (H3)."""
        return add_months(self.start, self.months)

    @property
    def allotment(self) -> Decimal:
        """Hours per quarter: annual hours / 4 (H1), bridge hours per 3-month block (H2)."""
        return self.hours / 4 if self.kind == "annual" else self.hours


@dataclass(frozen=True)
class Quarter:
    """A 3-month period of a contract (H3). ``index`` is zero-based within the contract; ``end`` exclusive."""

    index: int
    start: date
    end: date
    allotment: Decimal
    contract: Contract

    def contains(self, d: date) -> bool:
        """True when the day ``d`` lies in this quarter."""
        return self.start <= d < self.end


@dataclass(frozen=True)
class Purchase:
    """Spot hours bought (H6): whole hours, valid only in the quarter containing ``date``."""

    date: date
    hours: Decimal


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger line: hours consumed (H8, at confirmation) or purchased (H6) for a customer."""

    customer: str
    kind: Literal["consume", "purchase"]
    hours: Decimal
    at: datetime
    issue_key: str | None
    who: str
    why: str
    ref: str
    title: str = ""  # the issue's title, for the monthly report (R1)
    category: str = ""  # C1-C8
    multiplier: Decimal = Decimal(1)  # the T7 band multiplier already applied to ``hours``


@dataclass(frozen=True)
class Balance:
    """H4/H5: what a quarter holds. ``remaining = allotment + purchased - consumed``, nothing else."""

    quarter: Quarter
    allotment: Decimal
    purchased: Decimal
    consumed: Decimal

    @property
    def remaining(self) -> Decimal:
        """Hours left in the quarter; never includes another quarter's hours (H4, H5)."""
        return self.allotment + self.purchased - self.consumed


@dataclass(frozen=True)
class QuotePolicy:
    """The numbers a quote uses (from ``service.toml``; the brochure's values as defaults)."""

    max_task_hours: Decimal = Decimal(12)  # O7
    spot_price: int = 15_000  # H6, yen per hour excl. tax
    purchase_unit: Decimal = Decimal(1)  # H6/H7: whole hours
    step: Decimal = STEP  # H10
    refuse_days: int = 7  # T6: 7 days or fewer before the wished date: may not be accepted
    recommended_days: int = 21  # T6: 8-20 days: the 2-3 weeks advice (decided 2026-12-03)
    off_hours_notice_days: int = 14  # T7
    paperwork_days: int = 7  # H6: about 1 week of paperwork


@dataclass(frozen=True)
class Quote:
    """The answer to "what does this request cost?" (H7 and friends), with its warnings.

    ``requested`` is what the work consumes after the T7 multipliers; ``remaining_after`` what the
    quarter holds once the work is done *and* the purchase it needs is made (H7: 6.5 h against 6 h left
    buys 1 h and leaves 0.5 h), the figure the customer's quote shows as well.
    """

    balance: Balance
    worked: Decimal
    requested: Decimal
    remaining_after: Decimal
    purchase_needed: Decimal
    purchase_price: int
    warnings: tuple[Finding, ...]

    @property
    def refusals(self) -> tuple[Finding, ...]:
        """The warnings that stop this quote from being offered: O7 over the cap (after multipliers) and
        T6 a wished date already past; staff are told why instead of the customer getting a quote."""
        return tuple(w for w in self.warnings if w.case in _REFUSING)


#: O7 in either form (the work itself, or what it consumes after multipliers) and T6's past date.
_REFUSING = frozenset({"task_cap", "task_cap_consumed"}) | REFUSING_CASES


def quarters(contract: Contract) -> tuple[Quarter, ...]:
    """H3: quarter k starts at start + 3k months, clamped to month end and computed from the contract
    start (not chained), so 01-31 gives 01-31, 04-30, 07-31, 10-31.
    """
    count = max(1, contract.months // 3)
    return tuple(
        Quarter(
            k,
            add_months(contract.start, 3 * k),
            add_months(contract.start, 3 * (k + 1)),
            contract.allotment,
            contract,
        )
        for k in range(count)
    )


def local_day(at: date | datetime, tz: tzinfo = JST) -> date:
    """The business day ``at`` falls on: an aware datetime is read in ``tz`` (Japan time), a naive one
    and a date as they are. 15:30Z on 30 June is 1 July in Japan (issue 13)."""
    if isinstance(at, datetime):
        return at.astimezone(tz).date() if at.tzinfo is not None else at.date()
    return at


def quarter_at(contracts: Sequence[Contract], at: date | datetime, tz: tzinfo = JST) -> Quarter:
    """The quarter containing ``at`` (a date, or a datetime taken as its Japan date); UsageError if none."""
    day = local_day(at, tz)
    for contract in contracts:
        for q in quarters(contract):
            if q.contains(day):
                return q
    msg = f"no contract covers {day.isoformat()}"
    raise UsageError(msg)


def balance(
    contracts: Sequence[Contract],
    purchases: Iterable[Purchase],
    entries: Iterable[LedgerEntry],
    at: date | datetime,
    tz: tzinfo = JST,
) -> Balance:
    """H4-H6, H8: the balance of the quarter containing ``at``. Purchases count only in the quarter of
    their date; consumption counts in the quarter of its confirmation; nothing carries over.
    Aware datetimes (``at`` and each entry's time) are read by their date in ``tz`` (Japan time),
    whatever offset they were stored with.
    """
    q = quarter_at(contracts, at, tz)
    bought = Decimal(0)
    used = Decimal(0)
    for p in purchases:
        if q.contains(p.date):
            bought += p.hours
    for e in entries:
        if q.contains(local_day(e.at, tz)):
            if e.kind == "purchase":
                bought += e.hours
            else:
                used += e.hours
    return Balance(q, q.allotment, bought, used)


def quote(
    contracts: Sequence[Contract],
    purchases: Iterable[Purchase],
    entries: Iterable[LedgerEntry],
    at: datetime,
    hours: Decimal,
    *,
    policy: QuotePolicy = QuotePolicy(),
    calendar: BusinessCalendar | None = None,
    span: tuple[datetime, datetime] | None = None,
    due: date | None = None,
) -> Quote:
    """H7: quote ``hours`` of work against the balance at ``at``.

    With ``span`` (needs ``calendar``) the worked hours are spread evenly over it and weighted by the
    T7 bands: requested = hours x weighted(span) / length(span), rounded up to 0.5 h (H10 Reading).
    A shortfall is bought in whole hours, rounded up (H7), at the spot price (H6). O7 applies to the
    hours consumed, after the multipliers; T6 to the customer's wished date ``due`` (``Quote.refusals``).
    """
    if hours <= 0 or not is_step(hours, policy.step):
        msg = f"hours must be a positive multiple of {policy.step} (rule H10), got {hours}"
        raise UsageError(msg)
    bal = balance(contracts, purchases, entries, at)
    requested = hours
    warnings: list[Finding] = []
    if span is not None:
        if calendar is None:
            msg = "a work span needs the business calendar"
            raise ValueError(msg)
        start, end = span
        length = timedelta_to_hours(end - start)
        if length <= 0 or hours > length:
            msg = f"{hours} h cannot be worked in a span of {length} h"
            raise UsageError(msg)
        parts = calendar.split(start, end)
        weighted = sum((p.weighted for p in parts), Decimal(0))
        requested = round_up(hours * weighted / length, policy.step)
        days_ahead = (start.astimezone(calendar.tz).date() - at.astimezone(calendar.tz).date()).days
        if any(p.multiplier > 1 for p in parts) and days_ahead < policy.off_hours_notice_days:
            warnings.append(Finding(
                "T7",
                f"時間外・休日の作業は{policy.off_hours_notice_days}日以上前のご依頼が必要です"
                f"（作業開始まで{days_ahead}日）。",
                case="off_hours_notice",
                values=(("notice_days", str(policy.off_hours_notice_days)), ("days_ahead", str(days_ahead))),
            ))
    if requested > policy.max_task_hours:  # O7 (decided 2026-12-03): the cap is on hours consumed
        warnings.append(task_cap_finding(hours, policy.max_task_hours, policy.step) if requested == hours
                        else consumed_cap_finding(hours, requested, policy.max_task_hours, policy.step))
    if due is not None:
        warnings.extend(lead_time_findings(due, local_day(at), policy.refuse_days, policy.recommended_days))
    shortfall = max(Decimal(0), requested - max(bal.remaining, Decimal(0)))
    needed = round_up(shortfall, policy.purchase_unit)
    if needed > 0:
        warnings.append(Finding(
            "H6",
            f"追加購入（{hours_figure(needed)}時間）のお手続きに約{policy.paperwork_days}日かかります。"
            "作業ご希望日の1〜2週間前までにお手続きを完了してください。",
            case="purchase_paperwork",
            values=(("hours", hours_figure(needed)), ("paperwork_days", str(policy.paperwork_days))),
        ))
    return Quote(
        balance=bal,
        worked=hours,
        requested=requested,
        remaining_after=bal.remaining + needed - requested,
        purchase_needed=needed,
        purchase_price=int(needed * policy.spot_price),
        warnings=tuple(warnings),
    )

