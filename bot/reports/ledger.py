"""``ledger --customer KEY``: every entry of a customer's hour ledger and the quarter balances they add up to.

Values in, values out (no I/O): the command reads the store read-only and prints what this returns.
The entries are the configured purchases (``customers.toml``) and the store's ledger: consumptions
(confirmed quotes and ``/bot consume``, H8), purchases (H6) and the operator's adjustments (issue 19
item 7); each quarter's balance is the same ``balance()`` that quotes, acknowledgements, reports and
``status`` use, so the listing and they never disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.loader import Customer
from bot.hour_tracker import LedgerEntry, Quarter, balance, local_day, quarters
from bot.rules.adjustments import is_adjustment, number
from bot.rules.figures import hours_figure

CONSUMPTION, PURCHASE, ADJUSTMENT = "consumption", "purchase", "adjustment"


def _kind(e: LedgerEntry) -> str:
    if is_adjustment(e):
        return ADJUSTMENT
    return PURCHASE if e.kind == "purchase" else CONSUMPTION


def listing(customer: Customer, entries: Sequence[LedgerEntry], copied: Collection[str], now: datetime,
            tz: ZoneInfo) -> dict[str, Any]:
    """The JSON of ``ledger --json``: ``entries`` oldest first, ``quarters`` from the first contract's
    first quarter to the one containing ``now`` (and any later one an entry falls in). ``copied``: the
    references whose staff copy is in Backlog (an adjustment not in it is ``"copied": false``)."""
    rows: list[tuple[datetime, dict[str, Any]]] = []
    for p in customer.purchases:
        at = datetime.combine(p.date, time(0), tzinfo=tz)
        rows.append((at, {"kind": PURCHASE, "at": at.isoformat(), "hours": hours_figure(p.hours),
                          "issue": None, "title": "", "reason": "customers.toml", "who": "-", "ref": None}))
    for e in entries:
        kind = _kind(e)
        row: dict[str, Any] = {
            "kind": kind, "at": e.at.astimezone(tz).isoformat(), "hours": hours_figure(e.hours),
            "issue": e.issue_key, "title": e.title, "reason": e.why, "who": e.who, "ref": e.ref,
        }
        if kind == ADJUSTMENT:
            row["number"] = number(e)
            row["copied"] = e.ref in copied
        rows.append((e.at, row))
    rows.sort(key=lambda r: r[0])
    today = local_day(now, tz)
    days = {local_day(e.at, tz) for e in entries} | {p.date for p in customer.purchases}
    shown: list[Quarter] = [q for c in customer.contracts for q in quarters(c)
                            if q.start <= today or any(q.contains(d) for d in days)]
    out_q = []
    for q in shown:
        b = balance(customer.contracts, customer.purchases, entries, q.start, tz)
        out_q.append({
            "index": q.index, "start": q.start.isoformat(), "end": q.end.isoformat(),
            "contract_start": q.contract.start.isoformat(), "allotment": hours_figure(b.allotment),
            "purchased": hours_figure(b.purchased), "consumed": hours_figure(b.consumed),
            "remaining": hours_figure(b.remaining), "current": q.contains(today), "ended": q.end <= today,
        })
    return {"customer": customer.project, "name": customer.name, "entries": [r for _, r in rows],
            "quarters": out_q}


def text_lines(data: dict[str, Any]) -> list[str]:
    """The listing for a person: one line per entry, then one per quarter (last day inclusive)."""
    out = [f"{data['name']} ({data['customer']}): {len(data['entries'])} ledger entries"]
    for r in data["entries"]:
        when = r["at"][:16].replace("T", " ")
        hours = r["hours"]
        if r["kind"] == ADJUSTMENT and not hours.startswith("-"):
            hours = f"+{hours}"
        if r["kind"] == ADJUSTMENT:
            what = f"#{r['number']} {r['reason']}"
            if not r["copied"]:
                what += " (not yet in the staff project: 'ledger adjust' writes it on its next run)"
        elif r["issue"]:
            what = " ".join(x for x in (r["issue"], r["title"] or r["reason"]) if x)
        else:
            what = r["reason"]
        out.append(f"  {when}  {r['kind']:<11} {hours:>6} h  {what}  (by {r['who']})")
    out.append("quarters:")
    for q in data["quarters"]:
        last = (datetime.fromisoformat(q["end"]) - timedelta(days=1)).date().isoformat()
        state = " (this quarter)" if q["current"] else " (ended)" if q["ended"] else ""
        out.append(f"  {q['start']} to {last}: allotment {q['allotment']} h + purchased {q['purchased']} h"
                   f" - consumed {q['consumed']} h = remaining {q['remaining']} h{state}")
    return out
