"""The monitoring use case: adapter error mail in, its effect in Backlog and the store out (M1-M4, C8).

Order of effects per mail (issue 4): understand -> de-duplicate on the mail key -> Backlog write (idempotent
by reference) -> ONE store transaction (group, event, mail record, SLA clock) -> the watcher files the mail.
A crash anywhere re-offers the mail; the mail record or the writer's references stop a second effect. A
digest does this once per listed error, each under its own key (``bot.monitoring.digest``).

Closed issues are detected by reading the issue (one ``get_issue``) when a repeat arrives or a summary is
due and the last check of that issue is older than ``status_check_interval`` (default 5 minutes). The
check times live in memory: after a restart the first repeat of each group reads once more.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.backlog.directory import Directory
from bot.backlog.text import DESCRIPTION_MAX
from bot.backlog.writer import BacklogWriter, finish
from bot.backlog_client import BacklogClient
from bot.clock import Clock
from bot.config.loader import BotConfig
from bot.config.monitoring import MonitoringConfig
from bot.errors import BacklogError
from bot.mail.grouping import CommentSummary, Decision, OpenIssue, ReopenAsNew, Wait, decide_class
from bot.mail.grouping import flush as flush_group
from bot.mail.pipeline import Understood, targets, understand
from bot.mail.routing import Customer, Ignore, NoMonitoring, Staff
from bot.mailbox.source import Disposition, FetchedMail
from bot.monitoring.closed import ClosedChecks
from bot.monitoring.digest import handle_digest
from bot.monitoring.groups import (
    after_flush,
    issue_ref,
    load,
    mail_key,
    outcome_of,
    policy_of,
    row_state,
    short,
    to_row,
    update_ref,
)
from bot.monitoring.mirror import ALERT_CATEGORY, mirror_alert_issue
from bot.monitoring.numbers import AlertNumbers, issue_alias, update_alias
from bot.monitoring.quarantine import Quarantine
from bot.monitoring.staff import is_staff_group
from bot.monitoring.texts import summary_comment
from bot.monitoring.triage import Occurrences, Triage, triage
from bot.rules.sla import Calendar
from bot.state.alerts import AlertEventRow, AlertRecords
from bot.state.db import Tx
from bot.state.inquiries import InquiryRecords
from bot.state.mail import MailRecords, MailSeen
from bot.state.store import StateStore

__all__ = ["ALERT_CATEGORY", "ALERT_ISSUE_TYPES", "MonitoringService", "mail_key"]

log = logging.getLogger(__name__)

ALERT_ISSUE_TYPES = ("監視アラート", "その他")
UNPARSEABLE = Staff("mail could not be parsed", "unreadable", "メールを解析できませんでした")
UNREADABLE = Staff("alert could not be read", "unreadable", "警告の内容を読み取れませんでした")


class MonitoringService:
    """The mail watcher's handler (``handle``) and the periodic summary job (``flush``)."""

    def __init__(self, config: BotConfig, monitoring_config: MonitoringConfig, store: StateStore,
                 writer: BacklogWriter, directory: Directory, calendar: Calendar, clock: Clock,
                 client: BacklogClient, *, status_check_interval: timedelta = timedelta(minutes=5)) -> None:
        self.config = config
        self.monitoring = monitoring_config
        self.store = store
        self.writer = writer
        self.directory = directory
        self.calendar = calendar
        self.clock = clock
        self.client = client
        self.policy = policy_of(monitoring_config)
        self.status_check_interval = status_check_interval
        self.targets = targets(config.customers)
        self.staff_project = config.service.staff.project
        self.mails = MailRecords(store)
        self.alerts = AlertRecords(store)
        self.inquiries = InquiryRecords(store)
        self._closed = ClosedChecks(client, status_check_interval)
        self._read: dict[tuple[str, int, int], tuple[bytes, Understood]] = {}  # by ``prepare``
        self.numbers = AlertNumbers(config, store, writer)  # 検知番号 instead of a hash (issue 20)
        self.staff = Quarantine(store, writer, directory, self.policy, self.staff_project, self._staff_ids,
                                self._closed_in_backlog, voice=config.voice())

    # ---- the handler --------------------------------------------------------------------------------
    def prepare(self, mails: Sequence[FetchedMail]) -> None:
        """A fetched batch, inside its store unit, before ``handle`` sees its mails one by one: each mail
        is read here, then the batch's mail records and alert groups are looked up at once (issue 22
        item 3: two round trips per batch instead of two per mail on PostgreSQL). Nothing is decided or
        written: ``handle`` still decides each mail alone, on the same rows it would have read."""
        self._read.clear()
        keys: list[str] = []
        fingerprints: list[str] = []
        for mail in mails:
            try:
                u = understand(mail.raw, self.monitoring, self.targets)
            except Exception:  # noqa: S112 - ``handle`` reads it again and quarantines it
                continue
            self._read[mail.folder, mail.uidvalidity, mail.uid] = (mail.raw, u)
            key = mail_key(u.mail.message_id, u.mail.body_hash)
            keys.append(key)
            keys += [f"{key}#{e.index}" for e in u.entries]  # a digest's entries (digest.py)
            if u.unreadable:
                keys.append(f"{key}#staff")
            fingerprints += [f for f in (u.fingerprint, *(e.fingerprint for e in u.entries)) if f]
        self.mails.prefetch(keys)
        self.alerts.prefetch(fingerprints)

    def _understood(self, mail: FetchedMail) -> Understood:
        """The reading ``prepare`` made of this very mail, or a fresh one."""
        read = self._read.pop((mail.folder, mail.uidvalidity, mail.uid), None)
        if read is not None and read[0] is mail.raw:
            return read[1]
        return understand(mail.raw, self.monitoring, self.targets)

    def handle(self, mail: FetchedMail) -> Disposition:
        """Handle one mail; RETRY leaves it in the watched folder when Backlog failed (nothing is lost)."""
        now = self.clock()
        try:
            understood = self._understood(mail)
        except Exception:  # the pipeline repairs bad bytes; anything left is a staff matter, never a loss
            log.warning("mail uid=%d could not be parsed; quarantining", mail.uid)
            key = mail_key(None, hashlib.sha256(mail.raw).hexdigest())
            return self._guarded(mail, lambda: self._quarantine(mail, None, key, UNPARSEABLE, now))
        key = mail_key(understood.mail.message_id, understood.mail.body_hash)
        seen = self.mails.get(key)
        if seen is not None:
            log.info("mail uid=%d already handled (%s, issue %s); filing it again", mail.uid, seen.outcome,
                     seen.detail or "-")
            return Disposition.QUARANTINE if seen.outcome == "quarantined" else Disposition.PROCESSED
        return self._guarded(mail, lambda: self._dispatch(mail, understood, key, now))

    def _guarded(self, mail: FetchedMail, step: Callable[[], Disposition]) -> Disposition:
        try:
            return step()
        except BacklogError as exc:
            log.warning("mail uid=%d left for retry: Backlog failed (%s)", mail.uid, type(exc).__name__)
            return Disposition.RETRY

    def _dispatch(self, mail: FetchedMail, u: Understood, key: str, now: datetime) -> Disposition:
        route = u.route
        if isinstance(route, Ignore):
            self._remember(MailSeen(key, "ignored", None, None, route.reason, now))
            log.info("mail uid=%d ignored (%s)", mail.uid, route.reason)
            return Disposition.PROCESSED
        if isinstance(route, NoMonitoring):
            # M2: without the option the customer gets the adapter's mail itself; we only count it.
            self._remember(MailSeen(key, "no-monitoring", route.project, u.fingerprint, "", now))
            log.info("mail uid=%d customer=%s fingerprint=%s: no monitoring option, no issue (M2)",
                     mail.uid, route.project, short(u.fingerprint))
            return Disposition.PROCESSED
        if isinstance(route, Staff):
            return self._quarantine(mail, u, key, route, now)
        if isinstance(route, Customer) and u.entries:  # a digest: each listed error on its own (issue 21)
            p = route.project
            return handle_digest(u, key, lambda k: self.mails.get(k) is not None,
                                 lambda e, k: self._alert(mail, e, k, p, now),
                                 lambda k, why: self._quarantine(mail, u, k, why, now),
                                 lambda out, why: self._remember(MailSeen(key, out, p, None, why, now)))
        if isinstance(route, Customer) and u.alert is not None and u.info is not None and u.fingerprint:
            return self._alert(mail, u, key, route.project, now)
        return self._quarantine(mail, u, key, UNREADABLE, now)

    # ---- staff items --------------------------------------------------------------------------------
    def _quarantine(self, mail: FetchedMail, u: Understood | None, key: str, reason: Staff,
                    now: datetime) -> Disposition:
        """Unroutable or unreadable: counted in its staff group, then the quarantine folder (M2)."""
        return self.staff.handle(mail, u.mail if u is not None else None, key, reason, now,
                                 u.fingerprint if u is not None else None)

    # ---- customer alerts ----------------------------------------------------------------------------
    def _alert(self, mail: FetchedMail, u: Understood, key: str, project: str, now: datetime) -> Disposition:
        assert u.alert is not None and u.info is not None and u.fingerprint is not None  # noqa: S101
        fp = u.fingerprint
        row = self.alerts.latest(fp)
        closed = row is not None and row.status == "open" and self._closed_in_backlog(row.issue_key, now)
        previous = None
        if row is not None and row.status == "waiting":
            previous = self._issue_of(fp, row.generation - 1)
        loaded = load(row, previous, now, closed)
        decision = decide_class(fp, u.info.error_class, loaded.state, now, self.policy)
        issue_key, issue_id = self._apply(u, project, decision, loaded.generation, loaded.previous_issue_key,
                                          now)
        mirror = (isinstance(decision, OpenIssue | ReopenAsNew) and issue_key is not None
                  and self.inquiries.get(issue_key) is None)
        if mirror and issue_id is None and self.writer.dry_run:
            mirror = False  # a dry run only imagined the issue: there is nothing in Backlog to look up
        if mirror and issue_id is None:  # written before a restart: ask Backlog, outside the transaction
            issue_id = self.client.get_issue(str(issue_key)).id
        saved = to_row(decision.state, loaded.generation, project, u.alert, u.info.error_class, issue_key)
        outcome = outcome_of(decision)
        with self.store.transaction() as c:
            if loaded.close is not None:
                AlertRecords.save(c, loaded.close)
            AlertRecords.save(c, saved)
            AlertRecords.add_event(c, AlertEventRow(key, fp, project, u.alert.adapter, u.info.error_class,
                                                    u.alert.occurred_at or now))
            MailRecords.put(c, MailSeen(key, outcome, project, fp, issue_key or "", now))
            if isinstance(decision, OpenIssue | ReopenAsNew) and issue_key is not None:
                self._mirror(c, project, issue_key, issue_id, u.summary or "", now)
        log.info("mail uid=%d customer=%s fingerprint=%s -> %s (issue %s, count %d)", mail.uid, project,
                 short(fp), outcome, issue_key or "-", decision.state.count)
        return Disposition.PROCESSED

    def _apply(self, u: Understood, project: str, decision: Decision, generation: int,
               previous: str | None, now: datetime) -> tuple[str | None, int | None]:
        """The Backlog side of a decision; returns the group's issue key (None while waiting) and, for an
        issue this call opened, its numeric id."""
        state = decision.state
        if isinstance(decision, Wait):
            return None, None
        if isinstance(decision, OpenIssue | ReopenAsNew):
            t = self._triage(u, project, state.count, state.first_seen, state.last_seen, previous)
            n = self.numbers.number(project, state.fingerprint, generation, t.summary, now)
            written = self.writer.issue(project, issue_ref(state.fingerprint, generation), t.summary,
                                        t.doc, issue_type=ALERT_ISSUE_TYPES, notify=self._staff_ids(project),
                                        shown_as=issue_alias(project, n))
            self._closed.opened(written.target, written.id, now)
            return written.target, written.id
        key = state.issue_key
        if isinstance(decision, CommentSummary) and key is not None:
            # The description's occurrence row is refreshed in the same PATCH as the summary comment:
            # one write per fingerprint per interval, the lower bound.
            t = self._triage(u, project, state.count, state.first_seen, state.last_seen,
                             self._issue_of(state.fingerprint, generation - 1))
            n = self.numbers.number(project, state.fingerprint, generation, t.summary, now)
            rule = self.directory.project(project).rule
            text = finish(t.doc, rule, issue_alias(project, n), DESCRIPTION_MAX)
            self.writer.comment(project, key, update_ref(state.fingerprint, generation, state.count),
                                summary_comment(self.config.voice(project), decision.occurrences,
                                                decision.since, now, state.count, state.first_seen),
                                description=text, shown_as=update_alias(project, n, state.count))
            log.info("updated the occurrences of %s (count %d)", key, state.count)
        return key, None

    def _triage(self, u: Understood, project: str, count: int, first: datetime, last: datetime,
                previous: str | None) -> Triage:
        assert u.alert is not None and u.info is not None and u.fingerprint is not None  # noqa: S101
        occurred = tuple(self.alerts.occurred_times(u.fingerprint, first)) if count > 1 else ()
        return triage(self.config.voice(project), u.alert, u.mail, u.info, u.label or u.alert.adapter,
                      Occurrences(count, first, last, occurred), previous)

    def _mirror(self, c: Tx, project: str, issue_key: str, issue_id: int | None,
                summary: str, now: datetime) -> None:
        mirror_alert_issue(c, self.inquiries, self.config.service.staff.bot_user, self.calendar, project,
                           issue_key, issue_id, summary, now)

    # ---- the periodic job ---------------------------------------------------------------------------
    def flush(self, now: datetime | None = None) -> int:
        """Post the summary comments that are due although no new mail came; returns how many were posted.

        Only open groups are flushed: a transient group below its threshold never opens an issue here.
        A Backlog failure leaves the group as it was, for the next run.
        """
        at = now or self.clock()
        posted = 0
        for row in self.alerts.groups(status="open"):
            due = flush_group(row_state(row), at, self.policy)
            if due is None or row.issue_key is None:
                continue
            try:
                if self._closed_in_backlog(row.issue_key, at):
                    with self.store.transaction() as c:
                        AlertRecords.save(c, row.but(status="closed"))
                    log.info("alert issue %s is finished in Backlog; group %s closed", row.issue_key,
                             short(row.fingerprint))
                    continue
                if is_staff_group(row):
                    self.staff.flush_comment(row, due, at)
                else:
                    n = self.numbers.number(row.customer, row.fingerprint, row.generation,
                                            f"{row.issue_key} {row.error_code}", at)
                    self.writer.comment(row.customer, row.issue_key,
                                        update_ref(row.fingerprint, row.generation, row.count),
                                        summary_comment(self.config.voice(row.customer), due.occurrences,
                                                        due.since, at, row.count, row.first_seen),
                                        shown_as=update_alias(row.customer, n, row.count))
            except BacklogError as exc:
                log.warning("summary for %s postponed: Backlog failed (%s)", row.issue_key,
                            type(exc).__name__)
                continue
            with self.store.transaction() as c:
                AlertRecords.save(c, after_flush(row, due.state))
            posted += 1
        return posted

    # ---- helpers ------------------------------------------------------------------------------------
    def _closed_in_backlog(self, issue_key: str | None, now: datetime) -> bool:
        """Whether Backlog shows the issue Resolved/Closed; read at most once per check interval."""
        return self._closed.closed(issue_key, now)

    def _issue_of(self, fingerprint: str, generation: int) -> str | None:
        return None if generation < 1 else self.alerts.issue_of(fingerprint, generation)

    def _staff_ids(self, project: str) -> tuple[int, ...]:
        info = self.directory.project(project)
        users = (info.user(u) for u in self.config.service.staff.users)
        return tuple(u.id for u in users if u is not None)

    def _remember(self, seen: MailSeen) -> None:
        with self.store.transaction() as c:
            MailRecords.put(c, seen)
