"""``ledger adjust``: an adjustment recorded in the ledger and copied to the staff project (issue 19 item 7).

The store is written first (so ``quote``, ``status`` and the worker count it at once), then the copy: one
comment per adjustment on the customer's one staff issue (``hoshu-bot:adjustments:ACME``; customers cannot
see the staff project), whose reference line carries everything ``rebuild-state`` needs to restore the
entry exactly: ``hoshu-bot:adjust:ACME:3;h=-1.5;t=20261204T100000;by=sato;r=<reason>``. Both writes are
idempotent by reference; a copy that failed (Backlog down) is written by the next ``ledger adjust`` of the
customer, and ``ledger`` shows the entry as not yet copied until then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.backlog.refs import reference_data, reference_line
from bot.backlog.text import Doc, render
from bot.backlog.writer import BacklogWriter
from bot.clock import JST
from bot.config.loader import BotConfig
from bot.errors import StateError
from bot.hour_tracker import LedgerEntry, quarter_at
from bot.inquiry.quotes import compact_time, parse_compact_time
from bot.rules import adjustments as adj
from bot.state import StateStore
from bot.wording import Voice

log = logging.getLogger(__name__)

__all__ = ["Recorded", "adjustment_comment", "adjustments_issue", "adjustments_title", "copy_pending",
           "entry_from_reference", "prepare", "record", "reference_data_of"]


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: the entry, whether this call added it, and the staff copies it wrote."""

    entry: LedgerEntry
    new: bool
    copies: tuple[str, ...] = ()  # references whose staff comment this call wrote


def prepare(store: StateStore, customer: str, hours: Decimal, reason: str, at: datetime, who: str,
            now: datetime) -> LedgerEntry:
    """The entry ``ledger adjust`` would record (its number the next free one); UsageError when the
    input or the quarter refuses it (H10, H4: see ``bot.rules.adjustments``)."""
    text = adj.check_input(hours, reason, at, now)
    entries = store.ledger(customer)
    return LedgerEntry(customer=customer, kind="consume", hours=hours, at=at.astimezone(JST), issue_key=None,
                       who=who, why=text, ref=adj.reference(customer, adj.next_number(entries)))


def record(config: BotConfig, store: StateStore, entry: LedgerEntry, now: datetime, *,
           again: bool = False) -> Recorded:
    """Append ``entry`` unless the same adjustment is already there (and ``again`` is not given): then
    the earlier one is returned with ``new`` false. Refuses (UsageError) a quarter that would have
    consumed less than nothing."""
    c = config.customer(entry.customer)
    entries = store.ledger(entry.customer)
    same = adj.same_as(c.contracts, entries, entry)
    if same is not None and not again:
        return Recorded(same, new=False)
    adj.check_balance(c.contracts, c.purchases, entries, entry)
    added = store.append_ledger(customer=entry.customer, kind=entry.kind, hours=entry.hours, at=entry.at,
                                issue_key=None, who=entry.who, why=entry.why, ref=entry.ref, now=now)
    if not added:  # another ``ledger adjust`` took the number a moment ago: nothing is overwritten
        msg = f"{entry.ref} was recorded by another command at the same time; run this one again"
        raise StateError(msg)
    log.info("ledger: %s recorded (%s h, by %s)", entry.ref, entry.hours, entry.who)
    return Recorded(entry, new=True)


def reference_data_of(entry: LedgerEntry) -> dict[str, str]:
    """What the staff comment's reference line carries: hours, instant (JST), who and the reason."""
    return {"h": str(entry.hours), "t": compact_time(entry.at), "by": entry.who or "-", "r": entry.why}


def entry_from_reference(ref: str, text: str) -> LedgerEntry | None:
    """The inverse, for ``rebuild-state``: the entry of an adjustment comment, or None when ``ref`` is
    not one. Raises KeyError, ValueError or InvalidOperation when its data is there but unreadable."""
    parsed = adj.parse_reference(ref)
    if parsed is None:
        return None
    data = reference_data(text)
    if data is None:
        msg = f"{ref}: no data on the reference line"
        raise ValueError(msg)
    return LedgerEntry(customer=parsed[0], kind="consume", hours=Decimal(data["h"]),
                       at=parse_compact_time(data["t"]), issue_key=None, who=data["by"], why=data["r"],
                       ref=ref)


def copy_pending(config: BotConfig, store: StateStore, writer: BacklogWriter, customer: str) -> list[str]:
    """Write the staff comment of every adjustment of ``customer`` not yet copied (oldest first); the
    references written. The staff issue is opened with the first one."""
    pending = [e for e in store.ledger(customer) if adj.is_adjustment(e) and not store.ref_target(e.ref)]
    if not pending:
        return []
    staff = config.service.staff.project
    voice = config.voice()
    name = config.customer(customer).name
    issue = writer.issue(staff, adj.issue_reference(customer), adjustments_title(voice, customer, name),
                         adjustments_issue(voice, customer, name), issue_type=("タスク",))
    rule = writer.directory.project(staff).rule
    written = []
    for e in pending:
        q = quarter_at(config.customer(customer).contracts, e.at)
        body = adjustment_comment(voice, customer, name, e, q.start, q.end)
        text = f"{render(body, rule)}\n\n{reference_line(e.ref, **reference_data_of(e))}"  # type: ignore[arg-type]
        writer.comment(staff, issue.target, e.ref, text)
        written.append(e.ref)
    return written


# ---- the staff texts (templates staff/adjustments*.j2, staff/adjustment.j2) ------------------------------
def adjustments_title(voice: Voice, customer: str, name: str) -> str:
    return voice.line("staff/adjustments_title", project=customer, company=name)


def adjustments_issue(voice: Voice, customer: str, name: str) -> Doc:
    return voice.doc("staff/adjustments", project=customer, company=name)


def adjustment_comment(voice: Voice, customer: str, name: str, entry: LedgerEntry, start: date,
                       end: date) -> Doc:
    """One adjustment as staff read it; ``start``/``end`` the quarter's first day and exclusive end."""
    return voice.doc("staff/adjustment", project=customer, company=name, n=adj.number(entry),
                     hours=entry.hours, given_back=entry.hours < 0, at=entry.at, start=start,
                     last=end - timedelta(days=1), reason=entry.why, who=entry.who)
