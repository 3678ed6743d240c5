"""``status [--json]``: cursors, last successful poll per source, open alerts, SLA clocks, ledger, health.

Exit code 0 when healthy, 1 when not (a source stale or never read), so a health check can use it.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any

from bot.clock import system_clock
from bot.config.loader import load_config
from bot.config.settings import load_settings
from bot.runtime.status import SOURCES, HealthPolicy, build_status, missing_mailbox
from bot.state import StateStore


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("status", help="what the worker knows, and whether it is healthy")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = load_config(settings.bot_config_dir)
    # Read-only: status never takes the worker's lock, so it works while the worker runs.
    store = StateStore.open(settings.state_location, read_only=True)
    now = settings.bot_now or system_clock()
    # The mailbox is a source only where it is configured; without IMAP there is nothing to go stale.
    sources = SOURCES if settings.imap_host else tuple(s for s in SOURCES if s != "mail")
    policy = HealthPolicy(stale_after=timedelta(minutes=settings.bot_stale_minutes))
    try:
        missing = missing_mailbox(config, settings.imap_host)
        data = build_status(config, store, now, policy=policy, sources=sources,
                            extra=(missing,) if missing else ())
        data["store"] = store.describe()  # issue 14: which store is in use (never its password)
    finally:
        store.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"healthy: {'yes' if data['healthy'] else 'NO'}")
        print(f"  store: {data['store']}")
        for problem in data["problems"]:
            print(f"  problem: {problem}")
        for failure in data["failing"]:
            print(f"  failing: {failure}")
        for name, src in sorted(data["sources"].items()):
            err = f", last error {src['last_error']}" if src["failures"] else ""
            print(f"  {name}: last ok {src['last_ok'] or 'never'}{err}")  # no Python None (issue 19)
        print(f"open alerts: {len(data['open_alerts'])}; SLA clocks running: {len(data['sla_clocks'])}")
        if data["next_due"]:
            nd = data["next_due"]
            print(f"  next due: {nd['issue']} {nd['kind']} at {nd['due']}")
        for key, led in data["ledger"].items():
            if "error" in led:
                print(f"  {key}: {led['error']}")
            else:
                print(f"  {key}: {led['remaining']} h left of {led['allotment']} + {led['purchased']} "
                      f"(quarter until {led['quarter']['end']})")
    # A supervisor's health check reads the exit code: 0 healthy, 1 not (README "Commands").
    return 0 if data["healthy"] else 1
