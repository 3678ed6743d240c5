"""``rebuild-state``: the operator's ledger adjustments, from their comments in the staff project (issue 19).

``ledger adjust`` copies each adjustment to a comment on the customer's staff issue, whose reference line
carries the hours, the instant, who and the reason (``bot.reports.adjust``); the entry comes back exactly
as it was recorded, under the same reference, so numbering goes on where it stopped.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import InvalidOperation

from bot.rebuild.scan import Scan
from bot.reports.adjust import entry_from_reference
from bot.rules import adjustments as adj
from bot.state.store import StateStore


def restore_adjustments(store: StateStore, scan: Scan, now: datetime, counts: Counter[str],
                        warnings: list[str], customers: set[str]) -> None:
    """One ledger entry per adjustment comment of the bot in the staff project; a customer no longer
    configured or unreadable data is a warning, never a guess."""
    for f in scan.with_prefix(adj.PREFIX):
        try:
            entry = entry_from_reference(f.ref, f.text)
        except (KeyError, ValueError, InvalidOperation):
            warnings.append(f"{f.ref}: adjustment not readable; no ledger entry")
            continue
        if entry is None:
            continue
        if entry.customer not in customers:
            warnings.append(f"{f.ref}: customer {entry.customer} is not configured; no ledger entry")
            continue
        added = store.append_ledger(customer=entry.customer, kind=entry.kind, hours=entry.hours, at=entry.at,
                                    issue_key=None, who=entry.who, why=entry.why, ref=entry.ref, now=now)
        counts["ledger_adjustments"] += added
