"""``rebuild-state [--force] [--json]``: reconstruct the state store from Backlog and the mailbox folders."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from bot.app import backlog_client
from bot.clock import JST, system_clock
from bot.config.loader import load_config, load_monitoring
from bot.config.settings import Settings, load_settings, require
from bot.errors import UsageError
from bot.inquiry.watcher import newest_id
from bot.mail_watcher import ImapSettings
from bot.rebuild.mail import FiledMail, read_filed
from bot.rebuild.restore import Rebuilder
from bot.rebuild.scan import scan_backlog
from bot.runtime.logs import setup_logging
from bot.state import StateStore

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("rebuild-state",
                              help="reconstruct the state store from Backlog and the mailbox folders")
    p.add_argument("--force", action="store_true",
                   help="move an existing, non-empty store aside (to <path>.before-rebuild-<time>) first")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.bot_log_level, settings.bot_log_format)
    require(settings, "backlog_base_url", "backlog_api_key")
    # The owner lock: no worker may run while its store is rebuilt (StoreLockedError: exit 2).
    store = StateStore.open(settings.state_location, owner=True)
    try:
        summary = rebuild(settings, store, force=args.force)
    finally:
        store.close()
    _print(summary, as_json=args.json, mailbox=bool(settings.imap_host))
    return 0


def rebuild(settings: Settings, store: StateStore, *, force: bool = False) -> dict[str, Any]:
    """Rebuild ``store`` (owned by the caller) from Backlog and the mailbox folders; the summary.

    ``run`` calls it too, with its own owned store, when ``BOT_AUTO_REBUILD`` is set (issue 14).
    """
    config = load_config(settings.bot_config_dir)
    monitoring = load_monitoring(settings.bot_config_dir / "monitoring.toml", config)
    now = (settings.bot_now or system_clock()).astimezone(JST)
    path = Path(settings.bot_state_path)
    moved: Path | None = None
    if not store.is_empty():
        if not force:
            msg = (f"state store {store.describe()} is not empty; rebuild-state --force moves it "
                   "aside and rebuilds")
            raise UsageError(msg)
        moved = path.with_name(f"{path.name}.before-rebuild-{now.strftime('%Y%m%dT%H%M%S')}")
    client = backlog_client(settings)
    try:
        scan = scan_backlog(client, config)
        newest = newest_id(client)
    finally:
        client.close()
    mails: list[FiledMail] = []
    if settings.imap_host:
        mails = list(read_filed(ImapSettings.from_settings(settings), config, monitoring))
    # Built aside and swapped in whole: a rebuild that fails halfway leaves the old store untouched.
    built = path.with_name(f"{path.name}.rebuilding")
    for suffix in ("", "-wal", "-shm"):
        built.with_name(built.name + suffix).unlink(missing_ok=True)
    fresh = StateStore.open(built)
    try:
        summary = Rebuilder(config, fresh, scan, now).run(newest, mails)
    finally:
        fresh.close()
    if moved is not None:
        store.move_aside(moved)
        log.info("state store moved aside to %s", moved)
    store.adopt(built)
    where = store.describe() if settings.database_url else str(settings.bot_state_path)
    summary = {"state_path": where, "moved_aside": str(moved) if moved else None,
               "mailbox": bool(settings.imap_host), **summary}
    tally = summary["counts"]
    counts = ", ".join(f"{k} {n}" for k, n in tally.items()) if isinstance(tally, dict) else ""  # not a repr
    log.info("state store rebuilt: %s", counts or "nothing")
    return summary


def _print(summary: dict[str, Any], *, as_json: bool, mailbox: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    moved = summary["moved_aside"]
    print(f"rebuilt {summary['state_path']}" + (f" (old store moved to {moved})" if moved else ""))
    for name, n in summary["counts"].items():
        print(f"  {name}: {n}")
    for w in summary["warnings"]:
        print(f"  warning: {w}")
    if not mailbox:
        print("  mailbox: IMAP_HOST unset; the processed-mail record was not rebuilt")
