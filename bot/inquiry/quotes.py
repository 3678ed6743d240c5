"""Hours of an inquiry: balances from config and ledger, quotes with schedules, ledger references (H1-H10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bot.backlog.refs import reference_data, shown
from bot.backlog.text import Doc
from bot.clock import JST
from bot.config.loader import BotConfig, Customer
from bot.hour_tracker import Balance, LedgerEntry, Quote, balance, quote
from bot.inquiry.commands import Schedule
from bot.rules.calendar import BandPart
from bot.state.store import StateStore
from bot.wording import Voice

__all__ = [
    "QuoteState",
    "compact_time",
    "confirm_ref",
    "customer_balance",
    "data_ref",
    "ledger_data",
    "ledger_entries",
    "ledger_record",
    "make_quote",
    "parse_compact_time",
    "parse_meta",
    "quote_data",
    "quote_record",
    "read_ledger",
    "read_quote",
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


def data_ref(ref: str) -> str:
    """Where a customer text's data lives in the staff project (issue 20 item 2, INTERFACE 2026-12-03):
    ``hoshu-bot:quote:ACME-12:1`` -> ``hoshu-bot:quote-data:ACME-12:1``."""
    _, kind, rest = ref.split(":", 2)
    return f"hoshu-bot:{kind}-data:{rest}"


def ledger_record(voice: Voice, entry: LedgerEntry) -> Doc:
    """The staff record of a ledger entry the customer is told about (``staff/record``)."""
    return voice.doc("staff/record", what=entry.kind, number=shown(confirm_ref(entry.ref)) or "",
                     hours=entry.hours, worked=entry.hours, kind="", multiplier=entry.multiplier,
                     at=entry.at, who=entry.who or "-")


def quote_record(voice: Voice, ref: str, worked: Decimal, requested: Decimal, kind: str | None) -> Doc:
    """The staff record of a quote sent to the customer (``staff/record``)."""
    return voice.doc("staff/record", what="quote", number=shown(ref) or "", hours=requested, worked=worked,
                     kind=kind or "", multiplier=Decimal(1), at=None, who="-")


# Older comments (before issue 15) carried a second machine line; rebuild-state still reads them.
LEDGER_TAG = "hoshu-bot:ledger"
QUOTE_TAG = "hoshu-bot:quote-hours"


def parse_meta(text: str, tag: str) -> dict[str, str] | None:
    """The fields of the last ``tag`` line in an older comment (``hoshu-bot:ledger hours=3 ...``), or None."""
    found: dict[str, str] | None = None
    for line in text.splitlines():
        words = line.strip().split()
        if words and words[0] == tag:
            found = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return found


def compact_time(at: datetime) -> str:
    """An instant in JST, compact and exact: ``20261202T180012`` (microseconds only when there are)."""
    t = at.astimezone(JST)
    return t.strftime("%Y%m%dT%H%M%S") + (f".{t.microsecond:06d}" if t.microsecond else "")


def parse_compact_time(text: str) -> datetime:
    """The inverse of :func:`compact_time` (JST); ValueError on anything else."""
    fmt = "%Y%m%dT%H%M%S.%f" if "." in text else "%Y%m%dT%H%M%S"
    return datetime.strptime(text, fmt).replace(tzinfo=JST)


def ledger_data(entry: LedgerEntry) -> dict[str, str]:
    """H6/H8: what a confirmation's reference carries of its ledger entry (hours after T7, multiplier,
    instant, who): ``h=12;x=1.5;t=20261202T180012;by=yamada``. The kind is the reference's own."""
    return {"h": str(entry.hours), "x": str(entry.multiplier), "t": compact_time(entry.at),
            "by": entry.who or "-"}


def quote_data(worked: Decimal, requested: Decimal, kind: str | None) -> dict[str, str]:
    """Flow ⑤: the hours of a posted quote, so that an approval after a rebuild consumes the same hours."""
    data = {"w": str(worked), "r": str(requested)}
    if kind:
        data["k"] = kind
    return data


def read_ledger(text: str) -> tuple[Decimal, Decimal, datetime, str] | None:
    """Hours, multiplier, instant and who of a confirmation: from its reference, or an older ledger line.

    Raises KeyError, ValueError or InvalidOperation when the data is there but unreadable.
    """
    data = reference_data(text)
    if data is not None and "h" in data:
        at = parse_compact_time(data["t"])
        return Decimal(data["h"]), Decimal(data.get("x", "1")), at, data.get("by", "-")
    meta = parse_meta(text, LEDGER_TAG)
    if meta is None:
        return None
    return (Decimal(meta["hours"]), Decimal(meta.get("x", "1")), datetime.fromisoformat(meta["at"]),
            meta.get("by", "-"))


def read_quote(text: str) -> tuple[Decimal, Decimal, str | None] | None:
    """Worked and consumed hours and the kind of a quote: from its reference, or an older hours line."""
    data = reference_data(text)
    if data is not None and "w" in data:
        return Decimal(data["w"]), Decimal(data["r"]), data.get("k")
    meta = parse_meta(text, QUOTE_TAG)
    if meta is None:
        return None
    kind = None if meta.get("kind", "-") == "-" else meta["kind"]
    return Decimal(meta["worked"]), Decimal(meta["requested"]), kind


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

    ``state``: ``pending`` (posted, waiting for the customer), ``proposal`` (posted, but it cannot be met
    as asked and proposes another date: an approval goes to staff, issue 20), ``held`` (approved, hours
    to buy first, H7), ``approved`` (consumed, H8) or ``rejected``.
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
    schedule: Schedule | None, wished: date | None = None,
) -> tuple[Quote, Sequence[BandPart]]:
    """H7 with T7: the quote of ``hours`` at ``at``, weighted by the schedule's off-hours bands if any.

    T6 counts from the customer's wished date (``wished``, read from the inquiry: review 9); without one,
    from the scheduled work date, as before."""
    cal = config.calendar()
    span = span_of(schedule, cal.tz) if schedule is not None else None
    q = quote(
        customer.contracts, customer.purchases, ledger_entries(store, customer.project), at, hours,
        policy=config.service.quote_policy(), calendar=cal, span=span,
        due=wished if wished is not None else (schedule.date if schedule is not None else None),
    )
    parts = cal.split(*span) if span is not None else ()
    return q, parts
