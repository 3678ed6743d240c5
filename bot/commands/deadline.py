"""``deadline --received ISO8601 [--business-days N] [--json]``: the SLA clock of rule T2."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from bot.config.loader import load_config
from bot.config.settings import load_settings
from bot.errors import UsageError


def aware(value: str, option: str) -> datetime:
    """Parse an ISO 8601 instant that carries its UTC offset (a naive time would be a guess)."""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        msg = f"{option}: not an ISO 8601 date-time: {value!r}"
        raise UsageError(msg) from None
    if t.tzinfo is None:
        msg = f"{option}: needs a UTC offset, e.g. 2026-11-20T17:00+09:00"
        raise UsageError(msg)
    return t


def register(subparsers: Any) -> None:
    """Add the ``deadline`` subcommand."""
    p = subparsers.add_parser("deadline", help="first-response deadline of an inquiry (rule T2)")
    p.add_argument("--received", required=True, help="when the inquiry arrived, ISO 8601 with offset")
    p.add_argument("--business-days", type=int, default=None, help="business days (default: config T2)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print received, clock start and deadline (T2 Reading: 1 business day = 8 business hours)."""
    received = aware(args.received, "--received")
    config = load_config(load_settings().bot_config_dir)
    days = args.business_days
    if days is None:
        days = config.service.sla.first_response_business_days
    if days < 1:
        msg = f"--business-days must be at least 1, got {days}"
        raise UsageError(msg)
    d = config.calendar().deadline(received, days)
    out = {
        "received": d.received.isoformat(),
        "clock_start": d.clock_start.isoformat(),
        "deadline": d.deadline.isoformat(),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"受付 received:       {out['received']}")
        print(f"起算 clock start:    {out['clock_start']}")
        print(f"期限 deadline:       {out['deadline']}  ({days} 営業日 / business day(s))")
    return 0
