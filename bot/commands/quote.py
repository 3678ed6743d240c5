"""``quote --customer KEY --hours H [--at] [--start --end] [--due] [--json]``: the hour quote (H1-H10, T7)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.clock import system_clock
from bot.commands.deadline import aware
from bot.config.loader import BotConfig, load_config
from bot.config.settings import load_settings
from bot.errors import UsageError
from bot.hour_tracker import LedgerEntry, Quote, quote
from bot.rules.estimates import split_task, task_cap_finding
from bot.rules.figures import hours_figure, yen_figure
from bot.rules.findings import Finding
from bot.state import StateStore


def register(subparsers: Any) -> None:
    """Add the ``quote`` subcommand."""
    p = subparsers.add_parser("quote", help="quote hours against a customer's quarter (rules H1-H10, T7)")
    p.add_argument("--customer", required=True, help="Backlog project key, e.g. ACME")
    p.add_argument("--hours", required=True, help="hours of work, in 0.5 h steps (rule H10)")
    p.add_argument("--at", default=None, help="when the estimate is confirmed (default BOT_NOW or now)")
    p.add_argument("--start", default=None, help="work span start, ISO 8601 (T7 multipliers)")
    p.add_argument("--end", default=None, help="work span end, ISO 8601")
    p.add_argument("--due", default=None, help="wished completion date YYYY-MM-DD (T6)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def quote_customer(
    config: BotConfig,
    project: str,
    hours: Decimal,
    at: datetime,
    *,
    span: tuple[datetime, datetime] | None = None,
    due: date | None = None,
    entries: Iterable[LedgerEntry] = (),
) -> Quote:
    """Quote ``hours`` for a customer: config purchases plus the ledger ``entries`` of that customer."""
    customer = config.customer(project)
    cal = config.calendar()
    mine = [e for e in entries if e.customer == project]
    return quote(
        customer.contracts,
        customer.purchases,
        mine,
        at.astimezone(cal.tz),
        hours,
        policy=config.service.quote_policy(),
        calendar=cal,
        span=span,
        due=due,
    )


def as_json(project: str, q: Quote) -> dict[str, Any]:
    """The JSON shape of INTERFACE.md: the quarter's ``number`` counts from 1 as the text says
    (「quarter #3」), ``index`` from 0 as before (scripts read it); end exclusive. ``remaining_after`` is
    what is left after the work and the purchase it needs (H7)."""
    b = q.balance
    return {
        "customer": project,
        "quarter": {
            "number": b.quarter.index + 1,
            "index": b.quarter.index,
            "start": b.quarter.start.isoformat(),
            "end": b.quarter.end.isoformat(),
            "contract_start": b.quarter.contract.start.isoformat(),
        },
        "allotment": hours_figure(b.allotment),
        "purchased": hours_figure(b.purchased),
        "consumed": hours_figure(b.consumed),
        "remaining": hours_figure(b.remaining),
        "worked": hours_figure(q.worked),
        "requested": hours_figure(q.requested),
        "remaining_after": hours_figure(q.remaining_after),
        "purchase_needed": hours_figure(q.purchase_needed),
        "purchase_price": q.purchase_price,
        "warnings": [{"rule": w.rule, "case": w.case, "text": w.reason} for w in q.warnings],
    }


def refused_json(project: str, hours: Decimal, cap: Finding, parts: Iterable[Decimal],
                 worked: Decimal | None = None) -> dict[str, Any]:
    """A request over the task cap (O7) as JSON: not quoted (``quoted`` false), the O7 warning, the split
    of the consumed hours (``requested``, after multipliers; ``worked`` the hours of work)."""
    return {
        "customer": project,
        "quoted": False,
        "worked": hours_figure(hours if worked is None else worked),
        "requested": hours_figure(hours),
        "split": [hours_figure(p) for p in parts],
        "warnings": [{"rule": cap.rule, "case": cap.case, "text": cap.reason}],
    }


def _refuse_cap(args: argparse.Namespace, config: BotConfig, cap: Finding, worked: Decimal,
                consumed: Decimal) -> None:
    """O7: over the cap is not one job, so it is not priced as one; exit 2 with the split to quote instead.

    INTERFACE.md promises O7 among ``warnings`` of ``quote --json``: a script still reads it there, with
    the split, although nothing is priced and the exit code is 2."""
    tasks = config.service.tasks
    if args.json:
        parts = split_task(consumed, tasks.max_hours, tasks.step)
        print(json.dumps(refused_json(args.customer, consumed, cap, parts, worked), ensure_ascii=False))
    msg = f"--hours {hours_figure(worked)}: rule {cap.rule}: {cap.reason}"
    raise UsageError(msg)


def _args(args: argparse.Namespace, now: datetime | None) -> tuple[Decimal, datetime, Any, date | None]:
    try:
        hours = Decimal(args.hours)
    except InvalidOperation:
        msg = f"--hours: not a number: {args.hours!r}"
        raise UsageError(msg) from None
    if not hours.is_finite():
        msg = f"--hours: not a number: {args.hours!r}"
        raise UsageError(msg)
    at = aware(args.at, "--at") if args.at else (now or system_clock())
    span = None
    if (args.start is None) != (args.end is None):
        msg = "--start and --end go together"
        raise UsageError(msg)
    if args.start is not None:
        span = (aware(args.start, "--start"), aware(args.end, "--end"))
    due = None
    if args.due is not None:
        try:
            due = date.fromisoformat(args.due)
        except ValueError:
            msg = f"--due: not a YYYY-MM-DD date: {args.due!r}"
            raise UsageError(msg) from None
    return hours, at, span, due


def run(args: argparse.Namespace) -> int:
    """Print the quote; hours as decimal strings, the price in yen excluding tax."""
    settings = load_settings()
    hours, at, span, due = _args(args, settings.bot_now)
    config = load_config(settings.bot_config_dir)
    config.customer(args.customer)  # an unknown key is a usage error before the store is touched
    tasks = config.service.tasks
    if hours > tasks.max_hours:  # O7 on the work itself: refused before the store is touched
        _refuse_cap(args, config, task_cap_finding(hours, tasks.max_hours, tasks.step), hours, hours)
    # The ledger lives in the state store; reading it takes no lock, so quoting works beside the worker.
    store = StateStore.open(settings.state_location, read_only=True)
    q = quote_customer(config, args.customer, hours, at, span=span, due=due,
                       entries=store.ledger(args.customer))
    cap = next((w for w in q.refusals if w.rule == "O7"), None)
    if cap is not None:  # O7 after the T7 multipliers (decided 2026-12-03): 5 h on a Saturday is 15 h
        _refuse_cap(args, config, cap, q.worked, q.requested)
    out = as_json(args.customer, q)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    qt = out["quarter"]
    print(f"{config.customer(args.customer).name} ({args.customer})")
    print(f"四半期 quarter #{qt['number']} (JSON number {qt['number']}, index {qt['index']} from 0): "
          f"{qt['start']} – {qt['end']} (end exclusive)")
    print(f"枠 allotment {out['allotment']} h + 購入 purchased {out['purchased']} h"
          f" − 消化 consumed {out['consumed']} h = 残 remaining {out['remaining']} h")
    worked = "" if q.worked == q.requested else f"作業 worked {out['worked']} h, 割増後 after multipliers "
    if q.purchase_needed > 0:
        price = f"¥{yen_figure(q.purchase_price)}"
        print(f"今回 {worked}requested {out['requested']} h → 追加購入 purchase needed "
              f"{out['purchase_needed']} h = {price} (税抜 excl. tax) → 残 remaining after the purchase "
              f"{out['remaining_after']} h")
    else:
        print(f"今回 {worked}requested {out['requested']} h → 残 remaining after {out['remaining_after']} h")
        print("追加購入は不要です / no purchase needed")
    for w in q.warnings:
        print(f"⚠ {w.rule}: {w.reason}")
    return 0
