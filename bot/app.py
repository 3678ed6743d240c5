"""Composition root: builds every adapter and use case once, from the settings and the configuration.

Nothing here runs at import time. ``App.build`` wires the state store, the Backlog client, the writer,
the use cases and (when IMAP is configured) the mail watcher; ``App.jobs`` lists what the worker ticks.
One process-wide lock serialises the mail thread and the worker's jobs, so the store connection and the
Backlog client (whose pacing needs serial calls anyway) are never used by two threads at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from bot.backlog_client import BacklogClient
from bot.backlog_writer import BacklogWriter
from bot.clock import Clock, FixedClock, system_clock
from bot.config import BotConfig, load_config
from bot.directory import Directory
from bot.inquiry.workflow import InquiryWorkflow
from bot.mail.config import MonitoringConfig, load_monitoring
from bot.mail_source import Disposition, FetchedMail, StateCursorStore
from bot.mail_watcher import ImapSettings, MailWatcher
from bot.monitoring import MonitoringService
from bot.reports.notices import send_due_notices
from bot.reports.publish import ReportPublisher
from bot.rules.calendar import BusinessCalendar
from bot.settings import Settings
from bot.state import StateStore
from bot.worker import Job

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often each job ticks; each job decides from `now` what is actually due.
POLL_SECONDS = 20
RECONCILE_SECONDS = 300
SLA_SECONDS = 60
ALERT_FLUSH_SECONDS = 60
REPORT_SECONDS = 600
MAIL_HEALTH_SECONDS = 30
RECONCILE_BUDGET = 5  # projects per reconciliation tick, well inside the search budget


@dataclass
class App:
    """Everything the worker needs, built once."""

    settings: Settings
    config: BotConfig
    monitoring_config: MonitoringConfig
    store: StateStore
    client: BacklogClient
    directory: Directory
    writer: BacklogWriter
    calendar: BusinessCalendar
    clock: Clock
    inquiries: InquiryWorkflow
    monitoring: MonitoringService
    reports: ReportPublisher
    dry_run: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.RLock = field(default_factory=threading.RLock)
    watcher: MailWatcher | None = None

    @classmethod
    def build(
        cls, settings: Settings, *, dry_run: bool = False, owner: bool = True, clock: Clock | None = None,
        client: BacklogClient | None = None, store: StateStore | None = None,
    ) -> App:
        config = load_config(settings.bot_config_dir)
        monitoring_config = load_monitoring(settings.bot_config_dir / "monitoring.toml")
        if clock is None:
            clock = FixedClock(settings.bot_now) if settings.bot_now else system_clock
        if store is None:
            store = StateStore.open(settings.bot_state_path, owner=owner, dry_run=dry_run)
        if client is None:
            key = settings.backlog_api_key.get_secret_value() if settings.backlog_api_key else ""
            client = BacklogClient(str(settings.backlog_base_url), key)
        directory = Directory(client)
        writer = BacklogWriter(client, store, directory, clock, dry_run=dry_run)
        calendar = config.calendar()
        app = cls(
            settings=settings, config=config, monitoring_config=monitoring_config, store=store,
            client=client, directory=directory, writer=writer, calendar=calendar, clock=clock,
            inquiries=InquiryWorkflow(config, store, client, writer, directory, clock),
            monitoring=MonitoringService(
                config, monitoring_config, store, writer, directory, calendar, clock, client
            ),
            reports=ReportPublisher(config, store, writer),
            dry_run=dry_run,
        )
        if settings.imap_host:
            app.watcher = MailWatcher(
                ImapSettings.from_settings(settings, dry_run=dry_run),
                app.handle_mail,
                StateCursorStore(store, clock),
                stop_event=app.stop,
                now=clock,
            )
        return app

    # ---- the mail thread --------------------------------------------------------------------------
    def handle_mail(self, mail: FetchedMail) -> Disposition:
        with self.lock:
            return self.monitoring.handle(mail)

    def run_mail_forever(self) -> None:
        if self.watcher is not None:
            self.watcher.run_forever()

    # ---- the worker's jobs ------------------------------------------------------------------------
    def jobs(self, *, once: bool = False) -> list[Job]:
        jobs = [
            Job("backlog-poll", POLL_SECONDS, self._locked(self.inquiries.poll)),
            Job("reconcile", RECONCILE_SECONDS,
                self._locked(lambda now: self.inquiries.reconcile(now, RECONCILE_BUDGET))),
            Job("sla", SLA_SECONDS, self._locked(self.inquiries.check_clocks)),
            Job("alert-flush", ALERT_FLUSH_SECONDS, self._locked(self.monitoring.flush)),
            Job("reports", REPORT_SECONDS, self._locked(self._reports)),
        ]
        if self.watcher is not None:
            if once:
                jobs.insert(0, Job("mail", MAIL_HEALTH_SECONDS, self._mail_once))
            else:
                jobs.append(Job("mail-health", MAIL_HEALTH_SECONDS, self._mail_health))
        return jobs

    def _locked(self, fn: Callable[[datetime], object]) -> Callable[[datetime], None]:
        def run(now: datetime) -> None:
            with self.lock:
                fn(now)

        return run

    def _reports(self, now: datetime) -> None:
        self.reports.publish_due_reports(now)
        send_due_notices(self.config, self.store, self.writer, now)

    def _mail_once(self, now: datetime) -> None:
        if self.watcher is not None:
            self.watcher.run_once()

    def _mail_health(self, now: datetime) -> None:
        """The watcher thread keeps its own last success; the store shows it to ``status``."""
        watcher = self.watcher
        if watcher is None or watcher.last_success_at is None:
            msg = "the mailbox has not been read successfully yet"
            raise RuntimeError(msg)
        with self.lock:
            self.store.mark_ok("mail", watcher.last_success_at)

    def close(self) -> None:
        self.client.close()
        self.store.close()
