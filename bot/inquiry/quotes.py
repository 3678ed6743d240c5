"""Hours of an inquiry: balances from config and ledger, quotes with schedules, ledger references (H1-H10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bot.config import BotConfig, Customer
from bot.hour_tracker import Balance, LedgerEntry, Quote, balance, quote
from bot.inquiry.commands import Schedule
from bot.rules.calendar import BandPart
from bot.state.store import StateStore

__all__ = [
    "QuoteState",
    "confirm_ref",
    "customer_balance",
    "ledger_entries",
    "ledger_line",
    "make_quote",
    "meta_line",
    "parse_meta",
    "quote_line",
    "schedule_from",
    "schedule_to",
    "span_of",
]


def ledger_entries(store: StateStore, customer: str) -> list[LedgerEntry]:
    """The store's ledger rows of ``customer`` as hour_tracker entries (consume and purchase, H6, H8)."""
    return [
        LedgerEntry(e.customer, "purchase" if e.kind == "purchase" else "consume", e.hours, e.at,
                    e.issue_key, e.who, e.why, e.ref)
        for e in store.ledger(customer)
    ]


def customer_balance(store: StateStore, customer: Customer, at: datetime) -> Balance:
    """H4-H6: the balance of the quarter containing ``at``: configured purchases plus the ledger."""
    return balance(customer.contracts, customer.purchases, ledger_entries(store, customer.project), at)


def confirm_ref(ledger_ref: str) -> str:
    """The reference of the one customer comment confirming a ledger entry.

    ``hoshu-bot:consume:ACME-12:1`` -> ``hoshu-bot:confirm:ACME-12:1``;
    ``hoshu-bot:purchase:ACME-12:c7`` -> ``hoshu-bot:purchased:ACME-12:c7``.
    """
    _, kind, rest = ledger_ref.split(":", 2)
    return f"hoshu-bot:{'purchased' if kind == 'purchase' else 'confirm'}:{rest}"


LEDGER_TAG = "hoshu-bot:ledger"
QUOTE_TAG = "hoshu-bot:quote-hours"


def meta_line(tag: str, **fields: str) -> str:
    """A machine-readable line written just above a reference line, so that ``rebuild-state`` can recover
    what the text alone does not say reliably (hours, instants): ``hoshu-bot:ledger kind=consume hours=3``.

    Values never contain spaces (decimals, ISO instants, Backlog userIds). Untrusted text in a comment can
    never forge one: ``untrusted()`` turns every ``hoshu-bot:`` into ``hoshu-bot：``.
    """
    return " ".join([tag, *(f"{k}={v}" for k, v in fields.items())])


def parse_meta(text: str, tag: str) -> dict[str, str] | None:
    """The fields of the last ``tag`` line in ``text`` (see :func:`meta_line`), or None."""
    found: dict[str, str] | None = None
    for line in text.splitlines():
        words = line.strip().split()
        if words and words[0] == tag:
            found = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return found


def ledger_line(entry: LedgerEntry) -> str:
    """H6/H8: the ledger entry a confirmation comment stands for (hours after T7, multiplier, when, who)."""
    return meta_line(LEDGER_TAG, kind=entry.kind, hours=str(entry.hours), x=str(entry.multiplier),
                     at=entry.at.isoformat(), by=entry.who or "-")


def quote_line(worked: Decimal, requested: Decimal, kind: str | None) -> str:
    """Flow ⑤: the hours of a posted quote, so that an approval after a rebuild consumes the same hours."""
    return meta_line(QUOTE_TAG, worked=str(worked), requested=str(requested), kind=kind or "-")


def schedule_to(s: Schedule) -> dict[str, str]:
    """A schedule as JSON for the inquiry row."""
    return {"date": s.date.isoformat(), "start": s.start.isoformat(), "end": s.end.isoformat()}


def schedule_from(d: dict[str, str]) -> Schedule:
    """The inverse of :func:`schedule_to`."""
    day, start, end = d["date"], d["start"], d["end"]
    return Schedule(date.fromisoformat(day), time.fromisoformat(start), time.fromisoformat(end))


def span_of(s: Schedule, tz: Any) -> tuple[datetime, datetime]:
    """The work span in ``tz``; an end at or before the start runs past midnight (T7 "after 22:00")."""
    start = datetime.combine(s.date, s.start, tzinfo=tz)
    end = datetime.combine(s.date + timedelta(days=1) if s.crosses_midnight else s.date, s.end, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class QuoteState:
    """The quote in force on an inquiry (flow ⑤-⑦): number, hours worked and consumed, state.

    ``state``: ``pending`` (posted, waiting for the customer), ``held`` (approved, hours to buy first, H7),
    ``approved`` (consumed, H8) or ``rejected``.
    """

    n: int
    worked: Decimal
    requested: Decimal
    state: str
    kind: str | None = None
    approved_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "worked": str(self.worked), "requested": str(self.requested),
                "state": self.state, "kind": self.kind, "approved_at": self.approved_at}

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> QuoteState | None:
        if not d:
            return None
        return cls(int(d["n"]), Decimal(d["worked"]), Decimal(d["requested"]), str(d["state"]),
                   d.get("kind"), d.get("approved_at"))

    @property
    def multiplier(self) -> Decimal:
        """The effective T7 multiplier recorded in the ledger (consumed / worked)."""
        return (self.requested / self.worked).quantize(Decimal("0.01")) if self.worked else Decimal(1)


def make_quote(
    config: BotConfig, store: StateStore, customer: Customer, at: datetime, hours: Decimal,
    schedule: Schedule | None,
) -> tuple[Quote, Sequence[BandPart]]:
    """H7 with T7: the quote of ``hours`` at ``at``, weighted by the schedule's off-hours bands if any."""
    cal = config.calendar()
    span = span_of(schedule, cal.tz) if schedule is not None else None
    q = quote(
        customer.contracts, customer.purchases, ledger_entries(store, customer.project), at, hours,
        policy=config.service.quote_policy(), calendar=cal, span=span,
        due=schedule.date if schedule is not None else None,
    )
    parts = cal.split(*span) if span is not None else ()
    return q, parts
