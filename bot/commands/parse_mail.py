"""``parse-mail FILE.eml [--json]``: what the bot understands from one adapter error mail (M2, C8)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.config.loader import load_config, load_monitoring
from bot.config.settings import load_settings
from bot.errors import UsageError
from bot.mail.error_table import ErrorInfo
from bot.mail.explain import explain
from bot.mail.message import Alert
from bot.mail.pipeline import Understood, route_json, targets, understand
from bot.mail.routing import Customer, NoMonitoring


def register(subparsers: Any) -> None:
    """Add the ``parse-mail`` subcommand."""
    p = subparsers.add_parser("parse-mail", help="parse one adapter error mail and show the alert")
    p.add_argument("file", type=Path, help="the mail, as an .eml file")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--explain", action="store_true",
                   help="say where each value came from and print a ready [[customer_rule]] snippet")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the parsed alert: adapter, customer (or null), error code and class, fingerprint, ..."""
    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        msg = f"cannot read {args.file}: {exc.strerror}"
        raise UsageError(msg) from None
    config_dir = load_settings().bot_config_dir
    config = load_config(config_dir)
    monitoring = load_monitoring(config_dir / "monitoring.toml", config)
    customers = targets(config.customers)
    result = understand(raw, monitoring, customers)
    out = as_json(result)
    if args.explain:
        print(explain(result, customers, str(config_dir / "monitoring.toml")), end="")
    elif args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for key, value in out.items():
            print(f"{key}: {plain(value)}")
    return 0


def plain(value: Any) -> str:
    """A value as a person reads it in the text output (issue 19 item 9): ``-`` for nothing (not Python's
    ``None``), lists and tables as words (``kind customer, project ACME``), not a repr or JSON."""
    if value is None or value in ([], {}, ""):
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def as_json(u: Understood) -> dict[str, Any]:
    """The INTERFACE fields of ``parse-mail`` plus route, defects and the mail's own data.

    ``message`` is what the customer's issue quotes (masked there); a digest adds ``alerts``, one object
    per listed error with the same alert fields (the top-level ones are its first readable entry's), and
    ``unreadable_entries``, the numbers of the entries handed to staff (issue 21 item 7)."""
    customer = u.route.project if isinstance(u.route, Customer | NoMonitoring) else None
    fields = _alert_json(u.alert, u.info, u.fingerprint, u.summary)
    out = {"adapter": fields.pop("adapter"), "customer": customer, **fields, "subject": u.mail.subject,
           "route": route_json(u.route)}
    if u.entries:
        out["alerts"] = [{"entry": e.index, **_alert_json(e.alert, e.info, e.fingerprint, e.summary)}
                         for e in u.entries if e.alert is not None]
        out["unreadable_entries"] = [e.index for e in u.unreadable]
    return {
        **out,
        "mail_date": u.mail.date.isoformat() if u.mail.date else None,
        "from": u.mail.from_addr,
        "message_id": u.mail.message_id,
        "attachments": [{"name": x.name, "size": x.size} for x in u.mail.attachments],
        "defects": list(u.mail.defects),
    }


def _alert_json(a: Alert | None, info: ErrorInfo | None, fingerprint: str | None,
                summary: str | None) -> dict[str, Any]:
    # The adapter's own time of the error, never the mail's Date header in its place (issue 12, item 4):
    # that one is ``mail_date``; null when the mail wrote none (``sources`` then has no occurred_at).
    occurred = a.occurred_at if a else None
    return {
        "adapter": a.adapter if a else None,
        "error_code": a.error_code if a else None,
        "error_class": info.error_class if info else None,
        "fingerprint": fingerprint,
        "occurred_at": occurred.isoformat() if occurred else None,
        "summary": summary,
        "job": a.job if a else None,
        "tenant_key": a.tenant_key if a else None,
        "wrapper": a.wrapper if a else None,
        "message": a.shown_message if a else None,
        "sources": dict(a.sources) if a else {},
        "filled": list(a.filled) if a else [],
    }
