"""What an approval does (flow ⑥-⑦, H6-H8): consume now, hold for a purchase, or explain there is no quote.

Whether a reply *is* an approval is read by ``bot.rules.answers`` (an allow-list, issue 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.hour_tracker import Balance, round_up

__all__ = ["ConsumeNow", "HoldForPurchase", "NoEstimate", "decide_approval"]


@dataclass(frozen=True)
class ConsumeNow:
    """H8: consume ``hours`` now, in the quarter of the approval; ``remaining_after`` is the new balance."""

    hours: Decimal
    remaining_after: Decimal


@dataclass(frozen=True)
class HoldForPurchase:
    """H6/H7: the quarter lacks hours; hold the approval until staff record ``purchase_needed`` hours."""

    hours: Decimal
    left: Decimal
    purchase_needed: Decimal
    price: int


@dataclass(frozen=True)
class NoEstimate:
    """An approval before any quote (flow ⑤ not done): explain, consume nothing."""


def decide_approval(
    quoted: Decimal | None,
    balance: Balance,
    *,
    spot_price: int = 15_000,
    purchase_unit: Decimal = Decimal(1),
) -> ConsumeNow | HoldForPurchase | NoEstimate:
    """What an approval does (flow ⑥-⑦).

    ``quoted`` is the consumed hours of the quote on the issue (after T7 multipliers), or None when no
    quote was sent. ``balance`` must be the balance of the quarter containing the approval (H8), with
    every purchase recorded so far, so a held approval is re-decided after `/bot purchase`.
    The shortfall is bought in whole hours, rounded up (H7), at ``spot_price`` per hour (H6).
    """
    if quoted is None:
        return NoEstimate()
    left = balance.remaining
    if quoted <= left:
        return ConsumeNow(quoted, left - quoted)
    needed = round_up(quoted - max(left, Decimal(0)), purchase_unit)
    return HoldForPurchase(quoted, left, needed, int(needed * spot_price))
