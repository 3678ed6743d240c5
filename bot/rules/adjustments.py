"""Ledger adjustments (issue 19 item 7): hours used outside the bot, or a correction (rules H4, H8, H10).

An adjustment is a consumption entered by the operator (``hoshu-bot ledger adjust``): a positive number
of hours used before the bot started, or a correction; a negative one gives hours back. It is kept as a
consumption of the ledger (so every balance, quote, acknowledgement and report counts it the same way,
``consumed + left == allotment + bought``), told apart only by its reference ``hoshu-bot:adjust:ACME:3``.
This module decides what may be recorded; it takes values and ``now`` and does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from bot.errors import UsageError
from bot.hour_tracker import STEP, Contract, LedgerEntry, Purchase, is_step, local_day, quarter_at
from bot.rules.figures import hours_figure

PREFIX = "hoshu-bot:adjust:"
ISSUE_PREFIX = "hoshu-bot:adjustments:"  # the customer's one staff issue that carries them
REASON_MAX = 200  # one line of the staff comment and one cell of the customer's report


def reference(customer: str, n: int) -> str:
    """The reference of the customer's ``n``-th adjustment (its ledger entry and its staff comment)."""
    return f"{PREFIX}{customer}:{n}"


def issue_reference(customer: str) -> str:
    """The reference of the staff issue on which the customer's adjustments are written."""
    return f"{ISSUE_PREFIX}{customer}"


def is_adjustment(entry: LedgerEntry) -> bool:
    """True for an entry the operator recorded with ``ledger adjust`` (not a confirmed quote)."""
    return entry.ref.startswith(PREFIX)


def parse_reference(ref: str) -> tuple[str, int] | None:
    """``hoshu-bot:adjust:ACME:3`` -> ``("ACME", 3)``; None for any other reference."""
    if not ref.startswith(PREFIX):
        return None
    customer, _, n = ref[len(PREFIX):].rpartition(":")
    return (customer, int(n)) if customer and n.isdigit() and int(n) > 0 else None


def number(entry: LedgerEntry) -> int:
    """The adjustment's number within its customer (0 for an entry that is not one)."""
    parsed = parse_reference(entry.ref)
    return parsed[1] if parsed is not None else 0


def next_number(entries: Iterable[LedgerEntry]) -> int:
    """One more than the highest adjustment number so far: numbers are never reused."""
    return 1 + max((number(e) for e in entries), default=0)


def check_input(hours: Decimal, reason: str, at: datetime, now: datetime, step: Decimal = STEP) -> str:
    """H10: ``hours`` a non-zero multiple of 0.5 h; a reason of one line; ``at`` not after ``now``
    (hours not used yet are not recorded). Returns the reason stripped; UsageError names the option."""
    if not hours.is_finite() or hours == 0 or not is_step(hours, step):
        msg = f"--hours: a non-zero multiple of {hours_figure(step)} h (rule H10), got {hours}"
        raise UsageError(msg)
    text = reason.strip()
    if not text:
        msg = "--reason: say why (it is shown in the ledger, the staff project and the monthly report)"
        raise UsageError(msg)
    if "\n" in text or "\r" in text or len(text) > REASON_MAX:
        msg = f"--reason: one line of at most {REASON_MAX} characters"
        raise UsageError(msg)
    if at > now:
        msg = f"--at {at.isoformat()} is after now ({now.isoformat()}): record hours once they are used"
        raise UsageError(msg)
    return text


def check_balance(
    contracts: Sequence[Contract], purchases: Sequence[Purchase], entries: Sequence[LedgerEntry],
    new: LedgerEntry,
) -> None:
    """H4, H8: the quarter of ``new`` must have a contract (UsageError otherwise), and what it has
    consumed may never fall below zero, at any moment of the quarter: hours given back are hours that
    were consumed before. Purchases do not matter here; a positive adjustment may exceed what is left
    (the hours were used), which the command then says."""
    q = quarter_at(contracts, new.at)
    mine = sorted((e for e in [*entries, new] if e.kind != "purchase" and q.contains(local_day(e.at))),
                  key=lambda e: e.at)
    used = Decimal(0)
    for e in mine:
        used += e.hours
        if used < 0:
            last = q.end - timedelta(days=1)
            msg = (f"--hours {hours_figure(new.hours)}: the quarter {q.start.isoformat()} to "
                   f"{last.isoformat()} would have consumed {hours_figure(used)} h on "
                   f"{local_day(e.at).isoformat()}; only hours consumed before can be given back")
            raise UsageError(msg)


def same_as(
    contracts: Sequence[Contract], entries: Iterable[LedgerEntry], new: LedgerEntry,
) -> LedgerEntry | None:
    """An adjustment already recorded with the same hours and reason in the same quarter: the same
    command given twice by mistake (``ledger adjust`` refuses it unless ``--again``)."""
    q = quarter_at(contracts, new.at)
    for e in entries:
        if (is_adjustment(e) and e.hours == new.hours and e.why == new.why
                and q.contains(local_day(e.at)) and e.customer == new.customer):
            return e
    return None
