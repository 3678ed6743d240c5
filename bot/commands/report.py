"""``report --customer KEY --month YYYY-MM [--dry-run]``: build one customer's monthly report (R1)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.app import backlog_client, backlog_writer
from bot.clock import FixedClock, system_clock
from bot.config.loader import load_config, load_monitoring
from bot.config.settings import load_settings, require
from bot.errors import UsageError
from bot.mail.adapters import adapter_labels
from bot.reports.content import parse_month
from bot.reports.publish import ReportPublisher, month_ended, not_ended
from bot.state.reader import open_reader, snapshot
from bot.state.store import StateStore


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand."""
    p = subparsers.add_parser("report", help="build a customer's monthly report (rule R1)")
    p.add_argument("--customer", required=True, help="Backlog project key, e.g. ACME")
    p.add_argument("--month", required=True, help="the month, YYYY-MM")
    p.add_argument("--dry-run", action="store_true", help="print the report instead of publishing it")
    p.add_argument("--format", choices=("markdown", "backlog"), default="markdown",
                   help="formatting rule of the printed report (--dry-run only)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """``--dry-run`` reads the state store only (no Backlog, no credentials, no write access: the month's
    rows in one read-only snapshot, bot/state/reader.py) and prints the page text;
    otherwise the page is published (created, updated or left alone when unchanged). A month that has
    not ended is published by nobody (exit 2, R1, issue 19 item 2); ``--dry-run`` previews it "as of"."""
    settings = load_settings()
    config = load_config(settings.bot_config_dir)
    month = parse_month(args.month)
    config.customer(args.customer)
    labels = adapter_labels(load_monitoring(settings.bot_config_dir / "monitoring.toml", config))
    if args.dry_run:
        # Read in place, never written (issue 22 item 4): no copy of the store, one read-only snapshot.
        store = open_reader(settings.state_location)
        try:
            publisher = ReportPublisher(config, store, adapter_labels=labels)
            if not publisher.covered(args.customer, month):
                msg = f"no contract of {args.customer} covers {args.month}"
                raise UsageError(msg)
            now = settings.bot_now or system_clock()
            with snapshot(store):
                report = publisher.build(args.customer, month, now=now)
            text = publisher.render(report, args.format)
        finally:
            store.close()
        if args.json:
            out = {"customer": args.customer, "month": args.month, "text": text}
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(text)
        return 0
    clock = FixedClock(settings.bot_now) if settings.bot_now else system_clock
    tz = config.calendar().tz
    if not month_ended(month, clock(), tz):  # issue 19 item 2: never publish a month not ended
        raise UsageError(not_ended(args.customer, month, clock(), tz))
    require(settings, "backlog_base_url", "backlog_api_key")
    client = backlog_client(settings)
    store = StateStore.open(settings.state_location)
    try:
        writer = backlog_writer(client, store, clock)
        publisher = ReportPublisher(config, store, writer, labels)
        if not publisher.covered(args.customer, month):
            msg = f"no contract of {args.customer} covers {args.month}"
            raise UsageError(msg)
        done = publisher.publish(args.customer, month, clock())
    finally:
        store.close()
        client.close()
    result = {"customer": done.customer, "month": done.month, "kind": done.kind, "target": done.target,
              "changed": done.changed}
    what = "written" if done.changed else "unchanged"
    print(json.dumps(result, ensure_ascii=False) if args.json else
          f"{done.customer} {done.month}: {done.kind} {done.target} ({what})")
    return 0
