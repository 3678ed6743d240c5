"""The staff side of monitoring: unreadable, unroutable and suspicious mail, grouped (M2; issue 12 item 3).

Order of effects per mail, as for alerts: decide on the group -> Backlog write (idempotent by reference)
-> one store transaction (group row, mail record) -> the watcher files the mail in the quarantine folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.backlog.directory import Directory
from bot.backlog.text import DESCRIPTION_MAX
from bot.backlog.writer import BacklogWriter, finish
from bot.mail.grouping import CommentSummary, GroupState, OpenIssue, Policy, ReopenAsNew, decide_class
from bot.mail.message import ParsedMail
from bot.mail.routing import Staff
from bot.mailbox.source import Disposition, FetchedMail
from bot.monitoring.groups import load
from bot.monitoring.staff import StaffKey, staff_issue_ref, staff_row, staff_update_ref
from bot.monitoring.texts import Received, staff_item, staff_item_summary, staff_summary_comment
from bot.state.alerts import AlertGroupRow, AlertRecords
from bot.state.mail import MailRecords, MailSeen
from bot.state.store import StateStore
from bot.wording import Voice

log = logging.getLogger(__name__)

STAFF_ISSUE_TYPES = ("監視アラート", "その他")


class Quarantine:
    """Raises and counts staff groups; ``closed`` tells whether Backlog shows an issue finished."""

    def __init__(self, store: StateStore, writer: BacklogWriter, directory: Directory, policy: Policy,
                 project: str, notify: Callable[[str], Sequence[int]],
                 closed: Callable[[str | None, datetime], bool], *, voice: Voice) -> None:
        self.store = store
        self.voice = voice  # the staff wording (issue 15)
        self.writer = writer
        self.directory = directory
        self.policy = policy
        self.project = project
        self.notify = notify
        self.closed = closed
        self.alerts = AlertRecords(store)

    def handle(self, mail: FetchedMail, parsed: ParsedMail | None, key: str, staff: Staff, now: datetime,
               fingerprint: str | None = None) -> Disposition:
        """One more mail for staff: open the group's issue, count it, or summarise the interval."""
        group = StaffKey.of(staff, parsed)
        fp = group.fingerprint
        row = self.alerts.latest(fp)
        closed = row is not None and row.status == "open" and self.closed(row.issue_key, now)
        loaded = load(row, None, now, closed)
        decision = decide_class(fp, "action", loaded.state, now, self.policy)
        state = decision.state
        issue_key = state.issue_key
        received = Received(state.count, state.first_seen, state.last_seen)
        if isinstance(decision, OpenIssue | ReopenAsNew):
            doc = staff_item(self.voice, staff.shown, parsed, mail.uid, mail.folder, len(mail.raw),
                             received)
            written = self.writer.issue(self.project, staff_issue_ref(fp, loaded.generation),
                                        staff_item_summary(self.voice, staff.shown), doc,
                                        issue_type=STAFF_ISSUE_TYPES, notify=self.notify(self.project))
            issue_key = written.target
        elif isinstance(decision, CommentSummary) and issue_key is not None:
            self._summarise(issue_key, fp, loaded.generation, decision, staff, parsed, mail, received, now)
        saved = staff_row(state, loaded.generation, self.project, group, issue_key)
        with self.store.transaction() as c:
            if loaded.close is not None:
                AlertRecords.save(c, loaded.close)
            AlertRecords.save(c, saved)
            MailRecords.put(c, MailSeen(key, "quarantined", None, fingerprint, issue_key or "", now))
        log.info("mail uid=%d -> staff issue %s (%s; count %d)", mail.uid, issue_key or "-", staff.reason,
                 state.count)
        return Disposition.QUARANTINE

    def _summarise(self, issue_key: str, fp: str, generation: int, decision: CommentSummary, staff: Staff,
                   parsed: ParsedMail | None, mail: FetchedMail, received: Received, now: datetime) -> None:
        """The interval's summary comment, with the refreshed count in the description (one PATCH)."""
        doc = staff_item(self.voice, staff.shown, parsed, mail.uid, mail.folder, len(mail.raw), received)
        text = finish(doc, self.directory.project(self.project).rule, staff_issue_ref(fp, generation),
                      DESCRIPTION_MAX)
        self.writer.comment(self.project, issue_key, staff_update_ref(fp, generation, received.count),
                            staff_summary_comment(self.voice, decision.occurrences, decision.since, now,
                                                  received.count, received.first), description=text)

    def flush_comment(self, row: AlertGroupRow, due: CommentSummary, at: datetime) -> None:
        """The periodic job's summary for a staff group (no new mail: the description stays)."""
        assert row.issue_key is not None  # noqa: S101 - flush only passes open groups with an issue
        state: GroupState = due.state
        ref = staff_update_ref(row.fingerprint, row.generation, row.count)
        self.writer.comment(self.project, row.issue_key, ref,
                            staff_summary_comment(self.voice, due.occurrences, due.since, at, row.count,
                                                  state.first_seen))
