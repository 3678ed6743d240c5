"""The inquiry workflow in Backlog (flow ①-⑪, issue 5): watcher, dispatch, reconciliation, SLA job.

Entry points for the worker: ``poll(now)`` (space activities after the cursor; one call when there is no
news, however many customer projects), ``reconcile(now, budget)`` (a paced pass over a few projects per
call, catching what the activity feed missed) and ``check_clocks(now)`` (T2-T4 reminders and breaches).

State is read from issues (issue 11): an update-like activity (2, 3, 4, 14) only names the issues
that changed; the poll reads each of them once (``GET /issues/:key``) and acts on the difference from
the store (``bot.inquiry.issue_sync``), never on the activity's ``changes[]``. A quiet poll stays one call.

Idempotency (issue 5 step 6): the activity cursor is saved after each activity; every Backlog write
is known by its reference (``hoshu-bot:ack:ACME-12``, ``quote``, ``confirm``, ``cmd``...; the customer reads
its document number, ``bot.backlog.refs``) and the writer checks
pending references before writing again; ledger entries are unique by reference; comments already handled
are skipped by id. Processing an activity twice therefore changes nothing, and a crash at any point is
finished, not repeated, by the next pass.

First start: with no cursor the bot starts at the newest activity and answers nothing older, so a fresh
bot does not acknowledge years of history; ``reconcile`` likewise adopts only issues created after that
moment (the ``backlog:watch-start`` cursor). Open inquiries from the last few business days that nobody
has answered are adopted by ``bot/inquiry/backfill.py``, on first start and when the feed no longer
reaches back to the cursor after a downtime.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.backlog.directory import Directory
from bot.backlog.feed import READ_TYPES
from bot.backlog.models import Activity, SkippedActivity
from bot.backlog.people import handle
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import JST, Clock
from bot.config.loader import BotConfig
from bot.errors import BacklogError, UsageError
from bot.inquiry import handlers, issue_sync, sla_job, staff
from bot.inquiry.backfill import BackfillResult, backfill_step, feed_lost_history, plan_backfill
from bot.inquiry.context import Ctx, Work
from bot.inquiry.issue_state import IssueReads, StatusNames, fields_of
from bot.inquiry.people import People
from bot.inquiry.reconcile import RECONCILE_NEXT, WATCH_START, Reconciler, ReconcileResult
from bot.inquiry.watcher import (
    CURSOR,
    Anchor,
    Event,
    NewComment,
    NewIssue,
    Touched,
    activity_pages,
    anchors,
    bulk_created,
    newest_id,
    to_events,
    touched,
)
from bot.state.inquiries import InquiryRecords
from bot.state.store import StateStore

log = logging.getLogger(__name__)

__all__ = ["RECONCILE_NEXT", "WATCH_START", "InquiryWorkflow", "PollResult", "ReconcileResult"]


@dataclass(frozen=True)
class PollResult:
    """One poll: activities read, events handled, the cursor after it, whether this was the first, and
    the issues read for their state (one read each at most)."""

    seen: int
    handled: int
    cursor: int
    first_start: bool = False
    issue_reads: int = 0


class InquiryWorkflow:
    """The inquiry use case; all effects go through ``writer`` (idempotent) and ``store``."""

    def __init__(
        self, config: BotConfig, store: StateStore, client: BacklogClient, writer: BacklogWriter,
        directory: Directory, clock: Clock,
    ) -> None:
        self.clock = clock
        self._feed_checked = False
        self._skipped_kinds: set[str] = set()  # record types already logged as not understood (issue 18)
        people = People(config, directory, client.get_myself)
        self.ctx = Ctx(config, store, InquiryRecords(store), client, writer, directory, config.calendar(),
                       people)
        self.statuses = StatusNames(client.status_names)
        self.reconciler = Reconciler(self.ctx, self.statuses, self.dispatch)

    def resolve_people(self, *, retry_later: bool = False) -> None:
        """Staff, the bot and every inquirer resolved against Backlog now (issue 18): ``run`` calls this
        before the first pass, so an unknown or ambiguous entry stops it with exit 2, naming the entry.

        ``retry_later`` (the long-running worker): Backlog being unreachable is not a configuration
        error; the users are then resolved when first needed, and a bad entry fails that job instead.
        """
        try:
            self.ctx.people.resolve()
        except BacklogError as exc:
            if not retry_later:
                raise
            log.warning("configured users not resolved yet (Backlog: %s); they are when first needed",
                        type(exc).__name__)

    # ---- the watcher (step 1) ---------------------------------------------------------------------
    def poll(self, now: datetime) -> PollResult:
        """Read new space activities after the cursor, skip the bot's own, dispatch, save the cursor
        after each one. An error stops the poll before the failing activity, which the next poll retries.
        """
        store = self.ctx.store
        raw = store.get_cursor(CURSOR)
        if raw is None:
            newest = newest_id(self.ctx.client)
            store.set_cursor(CURSOR, str(newest), now)
            store.set_cursor(WATCH_START, now.isoformat(), now)
            log.info("Backlog watcher starts after activity %d; unanswered recent inquiries are backfilled",
                     newest)
            plan_backfill(self.ctx, now)  # issue 13: inquiries opened before the first start
            self._feed_checked = True
            return PollResult(0, 0, newest, first_start=True)
        if not self._feed_checked:  # once per process: a downtime longer than the feed reaches
            self._feed_checked = True
            if feed_lost_history(self.ctx, int(raw)):
                plan_backfill(self.ctx, now)
        cursor, seen, handled = int(raw), 0, 0
        reads = IssueReads(self.ctx.client.get_issue)
        for page in activity_pages(self.ctx.client, cursor):
            here = anchors(page, self.ctx.is_bot)
            for record in page:
                seen += 1
                if isinstance(record, SkippedActivity):
                    self._skip(record, logging.WARNING)
                elif record.type not in READ_TYPES:
                    self._skip(SkippedActivity(record.id, str(record.type), "not read"), logging.INFO)
                elif self.handle_activity(record, now, reads, here):
                    handled += 1
                if record.id is not None:
                    cursor = record.id
                    store.set_cursor(CURSOR, str(cursor), now)
        return PollResult(seen, handled, cursor, issue_reads=reads.calls)

    def _skip(self, record: SkippedActivity, level: int) -> None:
        """A record the bot does not read (wiki, files, Documents, 34, 35...: INFO) or did not understand (a
        field missing or typed otherwise: WARNING) is passed over, never retried, since retrying would block
        the feed; each type is logged once per process, with the reason (issue 18 item 5)."""
        if record.type in self._skipped_kinds:
            log.debug("activity %s of type %s skipped: %s", record.id, record.type, record.reason)
            return
        self._skipped_kinds.add(record.type)
        log.log(level, "activity %s of type %s skipped (%s); later records of this type are skipped without "
                "a word", record.id, record.type, record.reason)

    def handle_activity(
        self, activity: Activity, now: datetime, reads: IssueReads | None = None,
        anchored: dict[str, Anchor] | None = None,
    ) -> bool:
        """Apply one activity: first the state of the issues it touched (read from the issues), then its
        event (a new issue, a comment). False when it is the bot's own or nothing the workflow reads.

        ``anchored`` (from ``watcher.anchors``) says at which activity of a page each issue's state is
        applied; without it every touched issue is read here. ``reads`` de-duplicates reads in one poll.
        """
        if self.ctx.is_bot(handle(activity.created_user)):
            return False
        reads = reads or IssueReads(self.ctx.client.get_issue)
        touch = touched(activity)
        synced, events = False, 0
        try:
            if touch is not None:
                synced = self._state(touch, reads, anchored)
            for event in (*to_events(activity), *self._bulk_created(activity, reads)):
                self.dispatch(event, now)
                events += 1
        except UsageError as exc:
            # A business fact the bot cannot act on (e.g. no contract covers the date): retrying would block
            # the feed forever, so the activity is passed over and the reason logged for staff.
            log.warning("activity %d not handled: %s", activity.id, exc)
            return False
        return synced or events > 0

    def _bulk_created(self, activity: Activity, reads: IssueReads) -> list[NewIssue]:
        """A bulk creation (47) names its issues only (``link[]``): each one in a customer project is read
        and becomes a new inquiry, with its own author and time (issue 18 item 5). Should Backlog also
        send one type-1 record per issue, the second delivery changes nothing (``handlers.new_issue``)."""
        keys = bulk_created(activity)
        if not keys or activity.project_key is None or self.ctx.customer_of(activity.project_key) is None:
            return []
        found = []
        for key in keys:
            issue = reads.read(key)
            if issue is not None:
                found.append(NewIssue(activity.id, activity.project_key, issue.key, issue.id,
                                      handle(issue.created_user), issue.created.astimezone(JST),
                                      issue.summary, issue.description))
        return found

    def _state(self, touch: Touched, reads: IssueReads, anchored: dict[str, Anchor] | None) -> bool:
        """The touched customer inquiries' state, read from the issues (deleted ones: clocks stopped)."""
        ctx = self.ctx
        if ctx.customer_of(touch.project) is None:
            return False
        changed = False
        for key in touch.issue_keys:
            row = ctx.records.get(key)
            anchor = None if anchored is None else anchored.get(key)
            here = anchor is None or touch.activity_id in (anchor.first, anchor.last)
            if row is None or not (touch.deleted or here):
                continue
            work = Work(ctx, row)
            if touch.deleted:
                issue_sync.deleted(work, touch.at)
                changed = True
            else:
                issue = reads.read(key)
                if issue is None:
                    continue
                now_fields = fields_of(issue, touch.project, self.statuses)
                early = anchor is not None and touch.activity_id != anchor.last
                changed |= bool(issue_sync.apply_fields(ctx, work, now_fields, who=touch.user, at=touch.at,
                                                        stamp=f"a{touch.activity_id}", early=early))
            work.commit(ctx)
        return changed

    def dispatch(self, event: Event, now: datetime) -> None:
        """Route one event: a new customer issue, or a comment on a customer or staff issue."""
        ctx = self.ctx
        if isinstance(event, NewIssue):
            handlers.new_issue(ctx, event, now)
            return
        if event.project == ctx.config.service.staff.project:
            self._staff_issue_comment(event, now)
        elif ctx.customer_of(event.project) is not None:
            self._customer_issue_comment(event, now)

    def _customer_issue_comment(self, ev: NewComment, now: datetime) -> None:
        ctx = self.ctx
        row = ctx.records.get(ev.issue_key)
        if row is None or ev.comment_id <= int(row.data.get("last_comment", 0)):
            return
        work = Work(ctx, row)
        if ctx.is_staff(ev.user):
            staff.staff_comment(ctx, work, ev, now, on_customer_issue=True)
        else:
            handlers.customer_comment(ctx, work, ev, now)
        work.data["last_comment"] = ev.comment_id
        work.row = work.row.but(updated=max(work.row.updated, ev.at))
        work.commit(ctx)

    def _staff_issue_comment(self, ev: NewComment, now: datetime) -> None:
        ctx = self.ctx
        row = ctx.records.by_staff_issue(ev.issue_key)
        if row is None or ev.comment_id <= int(row.data.get("last_staff_comment", 0)):
            return
        work = Work(ctx, row)
        if ctx.is_staff(ev.user):
            staff.staff_comment(ctx, work, ev, now, on_customer_issue=False)
        work.data["last_staff_comment"] = ev.comment_id
        work.commit(ctx)

    def backfill(self, now: datetime, budget: int = 5) -> BackfillResult:
        """A planned backfill (first start, long downtime), ``budget`` customer projects per call."""
        return backfill_step(self.ctx, now, budget, self.reconciler.project_id)

    # ---- reconciliation (step 1, the safety net) -------------------------------------------------
    def reconcile(self, now: datetime, budget: int = 5) -> ReconcileResult:
        """A paced pass over a few customer projects, paged to the end (``bot.inquiry.reconcile``)."""
        return self.reconciler.step(now, budget)

    # ---- SLA clocks (step 4) ---------------------------------------------------------------------
    def check_clocks(self, now: datetime) -> int:
        """T2-T4: reminders (default at 75 %) and breaches to staff, only in business hours (T1)."""
        return sla_job.check_clocks(self.ctx, now)
