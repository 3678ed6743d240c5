"""``run [--once] [--dry-run] [--standby]``: the long-running worker (Procfile ``worker: python -m bot run``).

Before the first pass the store is checked (issue 14): an empty store while Backlog shows the bot's own
earlier writes is refused (exit 2, with a hint) or, with ``BOT_AUTO_REBUILD=true``, rebuilt first.
``--standby`` waits for the active worker's lease and takes over when it expires (issue 22): the worker
died, froze or was cut off. A worker that finds its lease taken over steps down with one line: exit 1,
or (``BOT_ON_LEASE_LOST=standby``) it waits as a standby again.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING, Any

from bot.commands.rebuild_state import rebuild
from bot.config.loader import load_config
from bot.config.settings import Settings, load_settings, require, require_state_path
from bot.errors import BlindStartError, StoreLockedError
from bot.runtime.logs import setup_logging
from bot.runtime.space import check_space
from bot.runtime.startup import ask, check_not_blind, earlier_writes, hint, identify
from bot.runtime.status import missing_mailbox
from bot.worker import Worker

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("run", help="the worker: mail, Backlog, SLA clocks, reports")
    p.add_argument("--once", action="store_true", help="one pass of every job that is due, then exit")
    p.add_argument("--dry-run", action="store_true", help="read everything, write nothing (logs each write)")
    p.add_argument("--standby", action="store_true",
                   help="wait while another worker owns the store; take over when it stops or dies")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.wording.check import check_config  # noqa: PLC0415 - same: the templates' samples

    settings = load_settings()
    setup_logging(settings.bot_log_level, settings.bot_log_format)
    require(settings, "backlog_base_url", "backlog_api_key")
    require_state_path(settings)  # issue 19 item 5: exit 2 naming BOT_STATE_PATH, not "File exists"
    # issue 15: a broken template stops the worker here (exit 2, one line), before anything is written.
    check_config(load_config(settings.bot_config_dir))
    dry_run = bool(args.dry_run or settings.bot_dry_run)
    standby = bool(args.standby)
    while True:
        stop = threading.Event()
        if not args.once:
            _stop_on_signals(stop)  # before the store is opened: SIGTERM also ends a standby's wait
        code = _serve(args, settings, dry_run, stop, standby=standby)
        if code is not None:
            return code
        standby = True  # the lease was lost and BOT_ON_LEASE_LOST=standby: wait for it again


def _serve(args: argparse.Namespace, settings: Settings, dry_run: bool, stop: threading.Event, *,
           standby: bool) -> int | None:
    """One term as the active worker; None: the lease was lost and this process waits as a standby."""
    from bot.app import App  # noqa: PLC0415 - the worker's imports are not paid by the other commands

    waited = time.monotonic()
    try:
        # A second worker on the same store: exit 2 naming the holder; a standby waits instead.
        app = App.build(settings, dry_run=dry_run, standby=stop if standby else None, stop=stop)
    except StoreLockedError:
        if standby and stop.is_set():
            log.info("standby stopped before it became active")
            return 0
        raise
    if standby:
        log.info("standby: now the active worker on %s (waited %.1f s)", app.store.describe(),
                 time.monotonic() - waited)
    try:
        if not _prepared(app, settings, dry_run=dry_run, once=args.once):
            app.close()
            return 0  # stopped while Backlog was unreachable
        app.inquiries.resolve_people(retry_later=not args.once)  # issue 18: unknown users exit 2 here
    except BaseException:
        app.close()
        raise
    worker = Worker(jobs=app.jobs(once=args.once), store=app.store, clock=app.clock, stop=app.stop,
                    lock=app.lock)
    missing = missing_mailbox(app.config, settings.imap_host)
    if missing:  # issue 19 item 3: said at start, then every hour while the worker runs
        log.warning("%s; set IMAP_HOST, IMAP_USER and IMAP_PASSWORD", missing)
    try:
        if args.once:
            ok = worker.run_once()
            _end_if_refused(app)
            return _stepped_down(app, settings, once=True) or (0 if ok else 1)
        _stop_on_signals(app.stop)
        log.info("worker started%s", " (dry run)" if dry_run else "")
        mail = threading.Thread(target=app.run_mail_forever, name="mail-watcher", daemon=True)
        mail.start()
        if missing:
            threading.Thread(target=_remind, args=(app.stop, missing), name="mailbox-reminder",
                             daemon=True).start()
        worker.run_forever()
        mail.join(timeout=30)
        _end_if_refused(app)
        if app.store.lease_lost() is not None:
            return _stepped_down(app, settings, once=False)
        if app.store.lost.is_set():
            log.error("the connection to the state store was lost; exiting so that a standby or a restart "
                      "takes over")
            return 1
        return 0
    finally:
        app.close()


def _stepped_down(app: App, settings: Settings, *, once: bool) -> int | None:
    """The one line of a worker whose lease was taken over (issue 22); 1 to exit, None to wait again."""
    why = app.store.lease_lost()
    if why is None:
        return None if not once else 0
    again = settings.bot_on_lease_lost == "standby" and not once
    log.error("lease lost on the state store %s: %s; this worker sent nothing after it and %s",
              app.store.describe(), why, "waits as a standby again" if again else "exits 1")
    return None if again else 1


def _end_if_refused(app: App) -> None:
    """Backlog refused the key again and again, or the mailbox its login (issue 19 item 6; logged when it
    happened): the command ends with exit 2 and that one line."""
    if app.refused is not None:
        raise app.refused


def _prepared(app: App, settings: Settings, *, dry_run: bool, once: bool) -> bool:
    """Before the first job: who the key is (issue 19 item 6: a refused key ends here with exit 2, not in
    jobs that retry it for ever), the store of this space (item 1), never blind (issue 14), and
    ``--once`` counts only its own failures.
    False: stopped while Backlog was unreachable."""
    me = identify(app.client, settings.backlog_base_url, app.stop, once=once)
    if me is None:
        return False
    keys = [c.project for c in app.config.customers] + [app.config.service.staff.project]
    found = ask(lambda: (app.client.get_space().space_key,
                         {k: app.directory.project(k).project.id for k in keys}),
                settings.backlog_base_url, app.stop, once=once)
    if found is None:
        return False
    check_space(app.store, found[0], me.id, found[1])  # issue 19 item 1: the store is of this space
    _not_blind(app, settings, dry_run=dry_run, once=once)
    if once:
        app.store.restart_failure_counts()
    return True


def _not_blind(app: App, settings: Settings, *, dry_run: bool, once: bool = False) -> None:
    """Issue 14: never start from an empty store while Backlog shows the bot's own earlier writes.

    ``--once`` asks once: a pass for cron or a pre-flight must end (exit 1, one line) when Backlog cannot
    be reached, not wait for it as the long-running worker does (issue 13).
    """
    if once and app.store.is_empty():
        found = earlier_writes(app.client)
    else:
        found = check_not_blind(app.store, app.client, app.stop)
    if not found:
        return
    if not settings.bot_auto_rebuild or dry_run:
        raise BlindStartError(hint(app.store, found))
    log.info("state store %s is empty but Backlog shows %s: rebuilding it first (BOT_AUTO_REBUILD)",
             app.store.describe(), found.what)
    summary = rebuild(settings, app.store)
    log.info("state store rebuilt before the first pass: %s", summary["counts"])


REMIND_SECONDS = 3600.0


def _remind(stop: threading.Event, missing: str) -> None:
    """Every hour until the worker stops: a monitoring customer without a mailbox is not forgotten."""
    while not stop.wait(REMIND_SECONDS):
        log.warning("%s; set IMAP_HOST, IMAP_USER and IMAP_PASSWORD", missing)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM / SIGINT end the loop after the item in hand; every wait in the worker watches ``stop``."""

    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
