"""Composition root: builds every adapter and use case once, from the settings and the configuration.

Nothing here runs at import time. ``App.build`` wires the state store, the Backlog client, the writer,
the use cases and (when IMAP is configured) the mail watcher; ``App.jobs`` lists what the worker ticks.
One process-wide lock serialises the mail thread and the worker's jobs, so the store connection and the
Backlog client (whose pacing needs serial calls anyway) are never used by two threads at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.backlog.directory import Directory
from bot.backlog.fence import fence_writes
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import Clock, FixedClock, system_clock
from bot.config.loader import BotConfig, load_config, load_monitoring
from bot.config.monitoring import MonitoringConfig
from bot.config.settings import Settings
from bot.errors import BacklogAuthError, ConfigError, LeaseLostError, StoreLostError
from bot.inquiry.workflow import InquiryWorkflow
from bot.mail.adapters import adapter_labels
from bot.mail_watcher import ImapSettings, MailboxLoginRefused, MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, StateCursorStore
from bot.monitoring import MonitoringService
from bot.reports.notices import send_due_notices
from bot.reports.publish import ReportPublisher
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from bot.worker import Job

log = logging.getLogger(__name__)

# How often each job ticks, as multiples of BOT_POLL_SECONDS (default 20 s: reconcile every 5 min, SLA
# clocks and alert summaries every minute, reports every 10 min); each job decides from `now` what is due.
RECONCILE_TIMES = 15
SLA_TIMES = 3
ALERT_FLUSH_TIMES = 3
REPORT_TIMES = 30
MAIL_HEALTH_TIMES = 1.5
BACKFILL_BUDGET = 5  # customer projects per backfill tick (first start, long downtime; issue 13)
RECONCILE_BUDGET = 5  # projects per reconciliation tick, well inside the search budget
IDLE_CHECK_SECONDS = 2.0  # how often the mail thread looks at the stop event while idling (SIGTERM)
IDLE_RENEW_TIMES = 3  # IDLE renewed (and the folder caught up) every 3 polls: 60 s by default
AUTH_REFUSALS = 3  # Backlog jobs refused with 401 in a row before the worker stops (issue 19 item 6)


@dataclass(frozen=True)
class _LockedCursors:
    """The store's cursors behind the process-wide lock: the mail thread saves its IMAP cursor while a
    job of the worker thread may be inside a transaction on the same connection."""

    store: StateStore
    lock: threading.RLock

    def get_cursor(self, name: str) -> str | None:
        with self.lock:
            return self.store.get_cursor(name)

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        with self.lock:
            self.store.set_cursor(name, value, now)


def backlog_client(settings: Settings, *, max_retries: int = 5) -> BacklogClient:
    """The Backlog client for the configured space (the key is given to the transport, never logged)."""
    key = settings.backlog_api_key.get_secret_value() if settings.backlog_api_key else ""
    return BacklogClient(str(settings.backlog_base_url), key, max_retries=max_retries)


def backlog_writer(client: BacklogClient, store: StateStore, clock: Clock, *,
                   dry_run: bool = False) -> BacklogWriter:
    """The writer over ``client`` with its own directory of the space (what every write looks up)."""
    return BacklogWriter(client, store, Directory(client), clock, dry_run=dry_run)


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
    # Issue 19 item 6: set (one line naming the variable) when Backlog or the mailbox refused our
    # credentials; ``run`` then ends with exit 2 instead of retrying for ever.
    refused: ConfigError | None = None
    _auth_refusals: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, settings: Settings, *, dry_run: bool = False, owner: bool = True, clock: Clock | None = None,
        client: BacklogClient | None = None, store: StateStore | None = None,
        standby: threading.Event | None = None, stop: threading.Event | None = None,
    ) -> App:
        """``standby``: wait for the store's owner lock (cancelled when the event is set); ``stop`` is the
        app's stop event, when the caller needs it before the app exists (signals during a standby)."""
        config = load_config(settings.bot_config_dir)
        monitoring_config = load_monitoring(settings.bot_config_dir / "monitoring.toml", config)
        if clock is None:
            clock = FixedClock(settings.bot_now) if settings.bot_now else system_clock
        if store is None:
            store = StateStore.open(settings.state_location, owner=owner, dry_run=dry_run, standby=standby,
                                    lease_seconds=settings.bot_lease_seconds)
        if client is None:
            client = backlog_client(settings)
        if store.lease is not None:
            # Issue 22: a worker that lost its lease (frozen, cut off) sends no Backlog write after it.
            fence_writes(client.transport.session, store.guard)
        writer = backlog_writer(client, store, clock, dry_run=dry_run)
        if store.lease is not None:  # issue 22: what the previous owner was writing may still land
            window = client.transport.timeout[1]
            writer.hold_pending(store.pending_marks(window), window)
        directory = writer.directory
        calendar = config.calendar()
        app = cls(
            settings=settings, config=config, monitoring_config=monitoring_config, store=store,
            client=client, directory=directory, writer=writer, calendar=calendar, clock=clock,
            inquiries=InquiryWorkflow(config, store, client, writer, directory, clock),
            monitoring=MonitoringService(
                config, monitoring_config, store, writer, directory, calendar, clock, client
            ),
            reports=ReportPublisher(config, store, writer, adapter_labels(monitoring_config)),
            dry_run=dry_run,
            stop=stop or threading.Event(),
        )
        if settings.imap_host:
            app.watcher = MailWatcher(
                ImapSettings.from_settings(
                    settings, dry_run=dry_run, idle_check_seconds=IDLE_CHECK_SECONDS,
                    # A full catch-up at least once a minute whatever IDLE says: firewalls drop quiet
                    # connections, and a missed notice then costs a minute, not the 10-minute renewal.
                    idle_renew_seconds=float(max(5, settings.bot_poll_seconds * IDLE_RENEW_TIMES)),
                ),
                app.handle_mail,
                StateCursorStore(_LockedCursors(store, app.lock), clock),
                stop_event=app.stop,
                now=clock,
                unit=app.mail_batch,
                prepare=app.monitoring.prepare,  # inside the batch's unit, so under the lock
            )
        return app

    # ---- the mail thread --------------------------------------------------------------------------
    @contextlib.contextmanager
    def mail_batch(self) -> Iterator[None]:
        """One store transaction per fetched batch (issue 12), under the process-wide lock for as long as
        it is open: the worker's jobs share the connection and must not write into the batch."""
        with self.lock, self.store.batch():
            yield

    def handle_mail(self, mail: FetchedMail) -> Disposition:
        with self.lock:
            return self.monitoring.handle(mail)

    def run_mail_forever(self, *, pause: float = 30.0) -> None:
        """The mail thread. The watcher handles connection drops itself; anything else it lets escape
        (the state store refusing a write, a bug) is logged and the watcher restarted after ``pause``,
        so the monitoring option never dies silently. ``status`` shows the mail source going stale."""
        while self.watcher is not None and not self.stop.is_set():
            try:
                self.watcher.run_forever()
            except StoreLostError as exc:
                if not isinstance(exc, LeaseLostError):  # a lost lease: ``run`` says it once
                    log.error("mail watcher: %s; the worker stops", exc)
                self.stop.set()
                return
            except MailboxLoginRefused as exc:
                self._mailbox_refused(exc)
                return
            except Exception as exc:  # the last line of defence, like the worker's job wrapper
                log.error("mail watcher failed (%s: %s); restarting in %.0f s",
                          type(exc).__name__, exc, pause)
                self.stop.wait(pause)

    # ---- the worker's jobs ------------------------------------------------------------------------
    def jobs(self, *, once: bool = False) -> list[Job]:
        poll = self.settings.bot_poll_seconds

        def every(times: float) -> int:
            return max(1, round(poll * times))

        jobs = [
            Job("backlog-poll", poll, self._locked(self.inquiries.poll, "backlog-poll")),
            Job("backfill", poll, self._locked(lambda now: self.inquiries.backfill(now, BACKFILL_BUDGET))),
            Job("reconcile", every(RECONCILE_TIMES),
                self._locked(lambda now: self.inquiries.reconcile(now, RECONCILE_BUDGET), "reconcile")),
            Job("sla", every(SLA_TIMES), self._locked(self.inquiries.check_clocks)),
            Job("alert-flush", every(ALERT_FLUSH_TIMES), self._locked(self.monitoring.flush)),
            Job("reports", every(REPORT_TIMES), self._locked(self._reports)),
        ]
        if self.watcher is not None:
            if once:
                jobs.insert(0, Job("mail", every(MAIL_HEALTH_TIMES), self._mail_once))
            else:
                jobs.append(Job("mail-health", every(MAIL_HEALTH_TIMES), self._mail_health))
        return jobs

    def _locked(self, fn: Callable[[datetime], object], name: str = "") -> Callable[[datetime], None]:
        """``fn`` under the process-wide lock; with ``name``, a job that reads Backlog on every run, whose
        401s in a row are counted (issue 19 item 6)."""

        def run(now: datetime) -> None:
            with self.lock:
                try:
                    fn(now)
                except BacklogAuthError:
                    if name:
                        self._backlog_refused(name)
                    raise
                self._auth_refusals.pop(name, None)

        return run

    def _backlog_refused(self, job: str) -> None:
        """A 401 is never retried by the client; several in a row for a job that reads Backlog on every
        run (not one odd answer) stop the worker with one line naming the key and the space, instead of
        backing off for ever (issue 19 item 6)."""
        n = self._auth_refusals[job] = self._auth_refusals.get(job, 0) + 1
        if n < AUTH_REFUSALS or self.refused is not None:
            return
        self.refused = ConfigError("environment", "BACKLOG_API_KEY", (
            f"refused by {self.settings.backlog_base_url} (401, {n} times in a row for {job}); the Backlog "
            "jobs stop: fix the key and start the worker again"))
        log.error("%s", self.refused)
        self.stop.set()

    def _mailbox_refused(self, exc: MailboxLoginRefused) -> None:
        """The mailbox refused the login: the mail watcher stops (reconnecting would be refused again and
        again), the Backlog jobs go on, ``status`` shows ``mail`` failing (issue 19 item 6)."""
        log.error("%s; the mail watcher stops: fix IMAP_USER or IMAP_PASSWORD, then restart the worker", exc)
        with self.lock:
            self.store.mark_failed("mail", str(exc), self.clock())

    def _reports(self, now: datetime) -> None:
        self.reports.publish_due_reports(now)
        send_due_notices(self.config, self.store, self.writer, now)

    def _mail_once(self, now: datetime) -> None:
        if self.watcher is not None:
            try:
                self.watcher.run_once()
            except MailboxLoginRefused as exc:  # run --once: exit 2 after the pass
                self.refused = ConfigError("environment", "IMAP_PASSWORD", str(exc))
                raise

    def _mail_health(self, now: datetime) -> None:
        """The watcher thread keeps its own last success; the store shows it to ``status``.

        Before the first successful read there is nothing to record (not an error: the thread may still be
        connecting); ``status`` then names ``mail`` as never read, or stale, until it succeeds.
        """
        watcher = self.watcher
        if watcher is None or watcher.last_success_at is None:
            return
        with self.lock:
            self.store.mark_ok("mail", watcher.last_success_at)

    def close(self) -> None:
        self.client.close()
        self.store.close()
