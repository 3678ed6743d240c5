"""What the worker knows, for ``status``: cursors, source health, alerts, SLA clocks, ledgers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.config.loader import BotConfig
from bot.errors import UsageError
from bot.hour_tracker import balance
from bot.state import StateStore
from bot.state.alerts import AlertRecords
from bot.state.inquiries import InquiryRecords

# Sources that must be read regularly; a source not read successfully for longer is unhealthy.
SOURCES = ("mail", "backlog-poll")


@dataclass(frozen=True)
class HealthPolicy:
    """``stale_after``: how long a source may go without a successful read (``BOT_STALE_MINUTES``)."""

    stale_after: timedelta = timedelta(minutes=15)


def missing_mailbox(config: BotConfig, imap_host: str | None) -> str | None:
    """Issue 19 item 3 (M1): customers with the monitoring option and no mailbox configured are not
    monitored at all; said by ``run`` (at start and hourly) and by ``status`` (unhealthy). None: fine."""
    monitored = config.monitored()
    if imap_host or not monitored:
        return None
    return (f"mailbox: IMAP_HOST is not set, so the adapter mail of {', '.join(monitored)} (monitoring "
            "option) is not read")


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def build_status(
    config: BotConfig, store: StateStore, now: datetime, *, policy: HealthPolicy = HealthPolicy(),
    sources: tuple[str, ...] = SOURCES, extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The whole status as plain JSON-ready data.

    ``healthy`` is false when a source (``sources``) has not been read successfully within
    ``policy.stale_after``, and ``problems`` says which (issue 7), or while any job's last run failed:
    ``failing`` lists each, with its error, whether or not it is a source (issue 19 item 9). ``extra``
    problems given by the caller (a monitoring customer without a mailbox) make it unhealthy too.
    """
    health = {h.name: h for h in store.health()}
    problems = list(extra)
    for name in sources:
        h = health.get(name)
        if h is None or h.last_ok is None:
            problems.append(f"{name}: never read successfully")
        elif now - h.last_ok > policy.stale_after:
            problems.append(f"{name}: not read successfully since {h.last_ok.isoformat()}")
    failing = [f"{name}: {h.failures} failure(s) in a row, last: {h.last_error}"
               for name, h in health.items() if h.failures and h.last_error]
    jobs = {
        name: {
            "last_ok": _iso(h.last_ok), "failures": h.failures, "last_error": h.last_error,
            "last_error_at": _iso(h.last_error_at),
        }
        for name, h in health.items()
    }
    alerts = [
        {
            "customer": g.customer, "issue": g.issue_key, "adapter": g.adapter, "job": g.job,
            "error_code": g.error_code, "class": g.error_class, "count": g.count,
            "last_seen": g.last_seen.isoformat(),
        }
        for g in AlertRecords(store).groups(status="open")
    ]
    clocks = sorted(
        (
            {"issue": c.clock.issue_key, "kind": c.clock.kind.value, "due": c.clock.due.isoformat(),
             "paused": c.clock.paused_at is not None}
            for c in InquiryRecords(store).clocks(open_only=True)
        ),
        key=lambda c: str(c["due"]),
    )
    return {
        "now": now.isoformat(),
        "healthy": not problems and not failing,  # issue 19 item 9: a failing job printed is unhealthy
        "problems": problems,
        "failing": failing,
        "cursors": store.cursors(),
        "sources": jobs,
        "open_alerts": alerts,
        "sla_clocks": clocks,
        "next_due": clocks[0] if clocks else None,
        "ledger": _ledgers(config, store, now),
    }


def _ledgers(config: BotConfig, store: StateStore, now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for customer in config.customers:
        try:
            b = balance(customer.contracts, customer.purchases, store.ledger(customer.project), now)
        except UsageError as exc:  # no contract covers today
            out[customer.project] = {"error": str(exc)}
            continue
        out[customer.project] = {
            # ``number`` from 1 as people count, ``index`` from 0 as before (as ``quote --json``, issue 19)
            "quarter": {"number": b.quarter.index + 1, "index": b.quarter.index,
                        "start": b.quarter.start.isoformat(), "end": b.quarter.end.isoformat()},
            "allotment": str(b.allotment), "purchased": str(b.purchased), "consumed": str(b.consumed),
            "remaining": str(b.remaining),
        }
    return out
