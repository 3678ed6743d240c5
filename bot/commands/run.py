"""``run [--once] [--dry-run]``: the long-running worker (Procfile ``worker: python -m bot run``)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType
from typing import Any

from bot.logs import setup_logging
from bot.settings import load_settings, require
from bot.worker import Worker

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("run", help="the worker: mail, Backlog, SLA clocks, reports")
    p.add_argument("--once", action="store_true", help="one pass of every job that is due, then exit")
    p.add_argument("--dry-run", action="store_true", help="read everything, write nothing (logs each write)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.app import App  # noqa: PLC0415 - the worker's imports are not paid by the other commands

    settings = load_settings()
    setup_logging(settings.bot_log_level, settings.bot_log_format)
    require(settings, "backlog_base_url", "backlog_api_key")
    dry_run = bool(args.dry_run or settings.bot_dry_run)
    app = App.build(settings, dry_run=dry_run)  # a second worker on the same store: exit 2 naming the holder
    worker = Worker(jobs=app.jobs(once=args.once), store=app.store, clock=app.clock, stop=app.stop,
                    lock=app.lock)
    try:
        if args.once:
            ok = worker.run_once()
            return 0 if ok else 1
        _stop_on_signals(app.stop)
        log.info("worker started%s", " (dry run)" if dry_run else "")
        mail = threading.Thread(target=app.run_mail_forever, name="mail-watcher", daemon=True)
        mail.start()
        worker.run_forever()
        mail.join(timeout=30)
        return 0
    finally:
        app.close()


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM / SIGINT end the loop after the item in hand; every wait in the worker watches ``stop``."""

    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
