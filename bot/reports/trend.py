"""The last three quarters side by side (R1, H4, issue 15): what each held, used and left or lapsed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.hour_tracker import Contract, LedgerEntry, Purchase, Quarter, quarter_at

QUARTERS_SHOWN = 3


@dataclass(frozen=True)
class QuarterLine:
    """One quarter as the report's trend shows it: ``held`` = allotment + bought (H1, H6); ``left`` is
    what remains (the current quarter) or what lapsed (H4, a quarter that ended)."""

    start: date
    expires: date
    held: Decimal
    used: Decimal
    left: Decimal
    ended: bool


def _figures(q: Quarter, purchases: Sequence[Purchase], ledger: Sequence[LedgerEntry], cut: datetime,
             tz: ZoneInfo) -> tuple[Decimal, Decimal]:
    last = (cut - timedelta(microseconds=1)).astimezone(tz).date()
    bought = sum((p.hours for p in purchases if q.contains(p.date) and p.date <= last), Decimal(0))
    used = Decimal(0)
    for e in ledger:
        if e.at < cut and q.contains(e.at.astimezone(tz).date()):
            if e.kind == "purchase":
                bought += e.hours
            else:
                used += e.hours
    return bought, used


def shown(current: Quarter, contracts: Sequence[Contract]) -> list[Quarter]:
    """``current`` and up to two quarters before it (any contract), newest first."""
    out = [current]
    while len(out) < QUARTERS_SHOWN:
        try:
            out.append(quarter_at(contracts, out[-1].start - timedelta(days=1)))
        except UsageError:
            break  # no contract before: fewer quarters to show
    return out


def trend(current: Quarter, contracts: Sequence[Contract], purchases: Sequence[Purchase],
          ledger: Sequence[LedgerEntry], cut: datetime, tz: ZoneInfo) -> tuple[QuarterLine, ...]:
    """``current`` and up to two quarters before it (any contract), oldest first, as at ``cut``."""
    out = []
    for q in reversed(shown(current, contracts)):
        bought, used = _figures(q, purchases, ledger, cut, tz)
        held = q.allotment + bought
        ended = q.end <= cut.astimezone(tz).date()
        out.append(QuarterLine(q.start, q.end - timedelta(days=1), held, used, max(held - used, Decimal(0)),
                               ended))
    return tuple(out)
