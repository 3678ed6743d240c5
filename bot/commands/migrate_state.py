"""``migrate-state --to URL|PATH [--json]``: copy the whole state store into another one (issue 14).

From the store in use (``DATABASE_URL``, else ``BOT_STATE_PATH``) into an empty PostgreSQL database or
SQLite file, in one transaction, then verified: every table's row count and the ledger itself must be
equal on both sides, or the command fails (exit 1) and says which table differs. Both stores are held
with the owner lock meanwhile, so no worker writes to either during the copy (exit 2 if one runs).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.config.settings import load_settings
from bot.errors import UsageError
from bot.runtime.logs import setup_logging
from bot.state import StateStore
from bot.state.copy import copy_store
from bot.state.db import is_database_url


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("migrate-state",
                              help="copy the state store into another (SQLite <-> PostgreSQL)")
    p.add_argument("--to", required=True, metavar="URL|PATH",
                   help="an empty target: postgres://... / postgresql://... or a SQLite file path")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.bot_log_level, settings.bot_log_format)
    target_location = str(args.to)
    if target_location == settings.state_location:
        raise UsageError("migrate-state --to names the store in use; give another database or file")
    source = StateStore.open(settings.state_location, owner=True)
    try:
        target = StateStore.open(target_location, owner=True)
        try:
            if not target.is_empty():
                msg = (f"state store {target.describe()} is not empty; migrate-state copies only into an "
                       "empty one")
                raise UsageError(msg)
            report = copy_store(source, target)
            summary: dict[str, Any] = {
                "from": source.describe(), "to": target.describe(), "counts": report.counts,
                "ledger_entries": len(target.ledger()), "verified": True,
            }
        finally:
            target.close()
    finally:
        source.close()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"copied {summary['from']} -> {summary['to']}")
    for table, n in summary["counts"].items():
        print(f"  {table}: {n}")
    print("  verified: the same rows in every table and the same ledger on both sides")
    if is_database_url(target_location):
        print("  next: set DATABASE_URL to the new database and start the worker")
    else:
        print("  next: unset DATABASE_URL, set BOT_STATE_PATH to the new file and start the worker")
    return 0
