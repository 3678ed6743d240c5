"""``ledger --customer KEY [--json]`` and ``ledger adjust --customer KEY --hours H --reason TEXT [--at]``.

The hour ledger as a command (issue 19 item 7). ``ledger`` lists every entry and the quarter balances;
it reads the store in place without the worker's lease, like ``status`` and ``quote``, so it works while
the worker runs. ``ledger adjust`` records hours used outside the bot (before it started, or a
correction; negative gives hours back) and copies them to the staff project, where ``rebuild-state``
finds them. The same adjustment given twice (same hours, reason and quarter) is refused with exit 2
unless ``--again``: a second entry exists only when the operator means it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import threading
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.app import backlog_client, backlog_writer
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock, system_clock
from bot.commands.deadline import aware
from bot.config.loader import BotConfig, load_config
from bot.config.settings import load_settings, require
from bot.errors import BacklogError, BlindStartError, BotError, UsageError
from bot.hour_tracker import Balance, LedgerEntry, balance, quarter_at
from bot.reports import adjust
from bot.reports.ledger import listing, text_lines
from bot.rules import adjustments as adj
from bot.rules.figures import hours_figure
from bot.runtime.space import check_space
from bot.runtime.startup import ask, earlier_writes
from bot.state import StateStore

LIST_HELP = """\
example:
  hoshu-bot ledger --customer ACME
  hoshu-bot ledger --customer ACME --json
  hoshu-bot ledger adjust --customer ACME --hours 6 --reason "導入前の作業" --at 2026-10-31T18:00+09:00

environment: BOT_CONFIG_DIR, BOT_STATE_PATH or DATABASE_URL, BOT_NOW (tests).
exit codes: 0 listed; 2 bad usage or configuration (an unknown customer); 1 the store cannot be read.
"""

ADJUST_HELP = """\
example:
  hoshu-bot ledger adjust --customer ACME --hours 6 --reason "導入前の作業" --at 2026-10-31T18:00+09:00
  hoshu-bot ledger adjust --customer ACME --hours -1.5 --reason "ACME-12 の記録の誤り"

The reason is shown to the customer in the monthly report's detail (as 調整): write it for them.
The same adjustment (hours, reason, quarter) given twice is refused unless --again.
environment: BACKLOG_BASE_URL, BACKLOG_API_KEY, BOT_CONFIG_DIR, BOT_STATE_PATH or DATABASE_URL,
BOT_NOW (tests: the default --at).
exit codes: 0 recorded (and copied to the staff project); 2 bad usage, configuration, the same
adjustment again, a store of another space or an empty store that needs rebuild-state; 1 Backlog or the
store failed (an entry already in the ledger is copied by the next 'ledger adjust' of the customer).
"""


def register(subparsers: Any) -> None:
    """Add ``ledger`` and its ``adjust`` subcommand."""
    p = subparsers.add_parser(
        "ledger", help="a customer's hour ledger and quarter balances; 'ledger adjust' corrects it",
        description="List every entry of a customer's hour ledger (consumption, purchase, adjustment) and "
                    "the quarter balances they add up to (rules H4-H8). Read-only: works beside the worker.",
        epilog=LIST_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--customer", default=None, help="Backlog project key, e.g. ACME")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)
    sub = p.add_subparsers(dest="ledger_command", metavar="adjust", parser_class=type(p))
    a = sub.add_parser(
        "adjust", help="record hours used outside the bot, or a correction (negative gives hours back)",
        description="Record hours a customer used outside the bot (before it started, or a correction) in "
                    "the quarter containing --at, and copy them to the staff project for rebuild-state.",
        epilog=ADJUST_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--customer", required=True, help="Backlog project key, e.g. ACME")
    a.add_argument("--hours", required=True, help="hours consumed, in 0.5 h steps (H10); negative gives back")
    a.add_argument("--reason", required=True, help="why, one line (the customer's report shows it)")
    a.add_argument("--at", default=None, help="when the hours were used, ISO 8601 with offset (default now)")
    a.add_argument("--by", default=None, help="who records it (default: your login name)")
    a.add_argument("--again", action="store_true", help="record the same adjustment a second time")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=run_adjust)


def run(args: argparse.Namespace) -> int:
    """``ledger --customer KEY``: the listing, from the store read in place."""
    if args.customer is None:
        msg = "ledger: --customer KEY is required (or 'ledger adjust --customer KEY ...')"
        raise UsageError(msg)
    settings = load_settings()
    config = load_config(settings.bot_config_dir)
    customer = config.customer(args.customer)
    now = settings.bot_now or system_clock()
    store = StateStore.open(settings.state_location, read_only=True)
    try:
        entries = store.ledger(args.customer)
        copied = {e.ref for e in entries if adj.is_adjustment(e) and store.ref_target(e.ref)}
    finally:
        store.close()
    data = listing(customer, entries, copied, now, config.calendar().tz)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(text_lines(data)))
    return 0


def _hours(text: str) -> Decimal:
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = Decimal("NaN")
    if not hours.is_finite():
        msg = f"--hours: not a number: {text!r}"
        raise UsageError(msg)
    return hours


def _who(given: str | None) -> str:
    if given is not None:
        if not given.strip() or any(ch.isspace() for ch in given.strip()):
            msg = f"--by: one word, a login name: {given!r}"
            raise UsageError(msg)
        return given.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment (a container): say so plainly
        return "operator"


def _same_space(store: StateStore, client: BacklogClient, config: BotConfig, base_url: str | None) -> None:
    """Issue 19 item 1 and issue 14 before anything is written: the store belongs to this space, and an
    empty store is not a lost one (an adjustment written into it would hide the loss from ``run``)."""
    stop = threading.Event()
    me = ask(client.get_myself, base_url, stop, once=True)
    keys = [c.project for c in config.customers] + [config.service.staff.project]
    found = ask(lambda: (client.get_space().space_key, {k: client.get_project(k).id for k in keys}),
                base_url, stop, once=True)
    if me is None or found is None:  # pragma: no cover - only a set stop event gives None
        msg = "Backlog could not be asked"
        raise BotError(msg)
    check_space(store, found[0], me.id, found[1])
    if store.is_empty():
        earlier = earlier_writes(client)
        if earlier:
            msg = (f"state store {store.describe()} is empty but Backlog shows the bot's earlier work "
                   f"({earlier.what}); run 'hoshu-bot rebuild-state' first, then 'ledger adjust' again")
            raise BlindStartError(msg)


def run_adjust(args: argparse.Namespace) -> int:
    """Record one adjustment and copy it; one line per fact printed, the balance of its quarter last."""
    settings = load_settings()
    now = settings.bot_now or system_clock()
    hours = _hours(args.hours)
    at = aware(args.at, "--at") if args.at else now
    adj.check_input(hours, args.reason, at, now)  # before any I/O: a bad value touches nothing
    who = _who(args.by)
    config = load_config(settings.bot_config_dir)
    customer = config.customer(args.customer)
    quarter_at(customer.contracts, at, config.calendar().tz)  # no contract covers --at: exit 2 now
    require(settings, "backlog_base_url", "backlog_api_key")
    clock = FixedClock(settings.bot_now) if settings.bot_now else system_clock
    store = StateStore.open(settings.state_location)
    client = backlog_client(settings)
    try:
        _same_space(store, client, config, settings.backlog_base_url)
        entry = adjust.prepare(store, args.customer, hours, args.reason, at, who, now)
        done = adjust.record(config, store, entry, now, again=args.again)
        if not done.new and store.ref_target(done.entry.ref):
            raise UsageError(_again(done.entry, config))
        try:
            copies = adjust.copy_pending(config, store, backlog_writer(client, store, clock), args.customer)
        except BacklogError as exc:
            n = adj.number(done.entry)
            msg = (f"{args.customer}: adjustment #{n} is in the ledger but not yet in the staff project "
                   f"({exc}); run 'hoshu-bot ledger adjust' for {args.customer} again to copy it")
            raise BotError(msg) from None
        target = store.ref_target(done.entry.ref) or ""
        entries = store.ledger(args.customer)
    finally:
        client.close()
        store.close()
    b = balance(customer.contracts, customer.purchases, entries, done.entry.at, config.calendar().tz)
    out = _result(done, target, copies, b, config)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print("\n".join(_text(out)))
    return 0


def _signed(hours: Decimal) -> str:
    return hours_figure(hours) if hours < 0 else f"+{hours_figure(hours)}"


def _when(entry: LedgerEntry, config: BotConfig) -> str:
    return entry.at.astimezone(config.calendar().tz).strftime("%Y-%m-%d %H:%M")


def _again(entry: LedgerEntry, config: BotConfig) -> str:
    return (f"{entry.customer}: the same adjustment ({_signed(entry.hours)} h, \"{entry.why}\") is already "
            f"recorded as #{adj.number(entry)} at {_when(entry, config)} by {entry.who}; "
            f"'hoshu-bot ledger --customer {entry.customer}' lists it, and --again records a second one")


def _result(done: adjust.Recorded, target: str, copies: list[str], b: Balance,
            config: BotConfig) -> dict[str, Any]:
    e = done.entry
    q = b.quarter
    return {
        "customer": e.customer, "recorded": done.new, "number": adj.number(e), "ref": e.ref,
        "hours": hours_figure(e.hours), "at": e.at.astimezone(config.calendar().tz).isoformat(),
        "reason": e.why, "who": e.who, "staff_copy": target, "copied_now": copies,
        "quarter": {"index": q.index, "start": q.start.isoformat(), "end": q.end.isoformat(),
                    "allotment": hours_figure(b.allotment), "purchased": hours_figure(b.purchased),
                    "consumed": hours_figure(b.consumed), "remaining": hours_figure(b.remaining)},
    }


def _text(out: dict[str, Any]) -> list[str]:
    q = out["quarter"]
    last_day = (date.fromisoformat(q["end"]) - timedelta(days=1)).isoformat()
    hours = out["hours"] if out["hours"].startswith("-") else f"+{out['hours']}"
    when = out["at"][:16].replace("T", " ")
    head = (f"{out['customer']}: adjustment #{out['number']} recorded: {hours} h at {when}, "
            f"reason \"{out['reason']}\", by {out['who']}")
    if not out["recorded"]:
        head = (f"{out['customer']}: adjustment #{out['number']} ({hours} h at {when}, \"{out['reason']}\") "
                "was recorded before; nothing new is recorded")
    lines = [head]
    others = [r for r in out["copied_now"] if r != out["ref"]]
    lines.append(f"  copied to the staff project: {out['staff_copy']}")
    if others:
        lines.append(f"  also copied now (recorded earlier, not yet copied): {', '.join(others)}")
    lines.append(f"  quarter {q['start']} to {last_day}: allotment {q['allotment']} h + purchased "
                 f"{q['purchased']} h - consumed {q['consumed']} h = remaining {q['remaining']} h")
    if Decimal(q["remaining"]) < 0:
        lines.append("  warning: the quarter has consumed more than it holds; "
                     "the next quote asks for a purchase")
    return lines
