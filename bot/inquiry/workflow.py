"""The inquiry workflow in Backlog (flow ①-⑪, issue 5): watcher, dispatch, reconciliation, SLA job.

Entry points for the worker: ``poll(now)`` (space activities after the cursor; one call when there is no
news, however many customer projects), ``reconcile(now, budget)`` (a paced pass over a few projects per
call, catching what the activity feed missed) and ``check_clocks(now)`` (T2-T4 reminders and breaches).

Idempotency (issue 5 step 6): the activity cursor is saved after each activity; every Backlog write
carries its reference (``hoshu-bot:ack:ACME-12``, ``quote``, ``confirm``, ``cmd``...) and the writer checks
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
from datetime import date, datetime

from bot.backlog_client import BacklogClient
from bot.backlog_models import Activity, Issue
from bot.backlog_writer import BacklogWriter
from bot.clock import JST, Clock
from bot.config import BotConfig
from bot.directory import Directory
from bot.errors import UsageError
from bot.inquiry import handlers, sla_job, staff
from bot.inquiry.backfill import BackfillResult, backfill_step, feed_lost_history, plan_backfill
from bot.inquiry.context import Ctx, Work
from bot.inquiry.watcher import CURSOR, Event, NewComment, NewIssue, activities_after, newest_id, to_event
from bot.state.inquiries import InquiryRecords
from bot.state.store import StateStore

log = logging.getLogger(__name__)

WATCH_START = "backlog:watch-start"
RECONCILE_NEXT = "backlog:reconcile:next"


@dataclass(frozen=True)
class PollResult:
    """One poll: activities read, events handled, the cursor after it, and whether this was the first."""

    seen: int
    handled: int
    cursor: int
    first_start: bool = False


@dataclass(frozen=True)
class ReconcileResult:
    """One paced reconciliation step: projects searched, Backlog calls made, items recovered."""

    projects: tuple[str, ...]
    calls: int
    recovered: int


class InquiryWorkflow:
    """The inquiry use case; all effects go through ``writer`` (idempotent) and ``store``."""

    def __init__(
        self, config: BotConfig, store: StateStore, client: BacklogClient, writer: BacklogWriter,
        directory: Directory, clock: Clock,
    ) -> None:
        self.clock = clock
        self._feed_checked = False
        self.ctx = Ctx(config, store, InquiryRecords(store), client, writer, directory, config.calendar())

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
        for activity in activities_after(self.ctx.client, cursor):
            seen += 1
            if self.handle_activity(activity, now):
                handled += 1
            cursor = activity.id
            store.set_cursor(CURSOR, str(cursor), now)
        return PollResult(seen, handled, cursor)

    def handle_activity(self, activity: Activity, now: datetime) -> bool:
        """Dispatch one activity; False when it is the bot's own or of a kind the workflow ignores."""
        user = activity.created_user.user_id if activity.created_user else None
        if user is not None and self.ctx.is_bot(user):
            return False
        event = to_event(activity)
        if event is None:
            return False
        try:
            self.dispatch(event, now)
        except UsageError as exc:
            # A business fact the bot cannot act on (e.g. no contract covers the date): retrying would block
            # the feed forever, so the activity is passed over and the reason logged for staff.
            log.warning("activity %d on %s not handled: %s", activity.id, event.issue_key, exc)
            return False
        return True

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
        handlers.status_changes(ctx, work, ev)
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
        return backfill_step(self.ctx, now, budget, self._project_id)

    # ---- reconciliation (step 1, the safety net) -------------------------------------------------
    def reconcile(self, now: datetime, budget: int = 5) -> ReconcileResult:
        """Search a few customer projects per call, round-robin (``updatedSince`` per project, one search
        call each, about ``budget`` calls in all: a project's search is never cut short, so its one-time id
        lookup may overrun the budget by one read call), and handle issues and comments the feed missed.
        """
        ctx = self.ctx
        customers = ctx.config.customers
        raw_start = ctx.store.get_cursor(WATCH_START)
        if raw_start is None or not customers:
            return ReconcileResult((), 0, 0)
        watch_start = datetime.fromisoformat(raw_start)
        index = int(ctx.store.get_cursor(RECONCILE_NEXT) or 0)
        calls, recovered, done = 0, 0, list[str]()
        while calls < budget and len(done) < len(customers):
            customer = customers[index % len(customers)]
            index += 1
            name = f"backlog:reconcile:{customer.project}"
            first_day = watch_start.astimezone(JST).date().isoformat()
            since = date.fromisoformat(ctx.store.get_cursor(name) or first_day)
            project_id, lookups = self._project_id(customer.project, now)
            issues = ctx.client.list_issues(project_ids=[project_id], updated_since=since, count=100)
            calls += 1 + lookups
            for issue in issues:
                if calls >= budget:
                    break
                got, used = self._recover(issue, watch_start, now)
                recovered, calls = recovered + got, calls + used
            ctx.store.set_cursor(name, now.astimezone(JST).date().isoformat(), now)
            done.append(customer.project)
        ctx.store.set_cursor(RECONCILE_NEXT, str(index % len(customers)), now)
        return ReconcileResult(tuple(done), calls, recovered)

    def _project_id(self, key: str, now: datetime) -> tuple[int, int]:
        """The project's numeric id (the search needs it), remembered in the store: one call, once."""
        name = f"backlog:project-id:{key}"
        known = self.ctx.store.get_cursor(name)
        if known is not None:
            return int(known), 0
        project_id = self.ctx.client.get_project(key).id
        self.ctx.store.set_cursor(name, str(project_id), now)
        return project_id, 1

    def _recover(self, issue: Issue, watch_start: datetime, now: datetime) -> tuple[int, int]:
        ctx = self.ctx
        author = issue.created_user.user_id if issue.created_user and issue.created_user.user_id else ""
        row = ctx.records.get(issue.key)
        project = issue.key.rsplit("-", 1)[0]
        if row is None or row.staff_issue_key is None:
            if issue.created < watch_start or ctx.is_bot(author) or ctx.is_staff(author):
                return 0, 0
            handlers.new_issue(ctx, NewIssue(0, project, issue.key, issue.id, author,
                                             issue.created.astimezone(JST), issue.summary,
                                             issue.description), now)
            return 1, 0
        if issue.updated <= row.updated:
            return 0, 0
        last = int(row.data.get("last_comment", 0))
        recovered = 0
        for c in ctx.client.list_comments(issue.key, min_id=last, count=100, order="asc"):
            who = c.created_user.user_id if c.created_user and c.created_user.user_id else ""
            if c.id <= last or ctx.is_bot(who):
                continue
            self.dispatch(NewComment(0, project, issue.key, issue.id, who, c.created.astimezone(JST), c.id,
                                     c.content, c.change_log), now)
            recovered += 1
        return recovered, 1

    # ---- SLA clocks (step 4) ---------------------------------------------------------------------
    def check_clocks(self, now: datetime) -> int:
        """T2-T4: reminders (default at 75 %) and breaches to staff, only in business hours (T1)."""
        return sla_job.check_clocks(self.ctx, now)
