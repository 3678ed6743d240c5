"""Reconciliation, the activity feed's safety net (issue 5 step 1, issue 11): paced, paged to the end.

A few customer projects per call, round-robin. Each project's pass lists the issues updated since its
last complete pass (``updatedSince`` one day earlier, since the API does not say in which time zone it
reads the date, reference §10), sorted by *creation* so that issues updated meanwhile do not shift the
pages, and pages with ``offset`` until a short page. A pass that runs out of budget remembers where it
stopped and the next call continues it; only a finished pass moves the project's date cursor. Each
issue's own state comes from the listed issue (the list returns whole issues: no extra read), its
comments after the last handled one are read with ``minId`` to their end.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.backlog.models import Comment, Issue
from bot.backlog.paging import PAGE
from bot.backlog.people import handle
from bot.clock import JST
from bot.inquiry import handlers, issue_sync
from bot.inquiry.context import Ctx, Work
from bot.inquiry.issue_state import StatusNames, fields_of
from bot.inquiry.watcher import Event, NewComment, NewIssue

log = logging.getLogger(__name__)

WATCH_START = "backlog:watch-start"
RECONCILE_NEXT = "backlog:reconcile:next"
#: A resumed pass re-reads this many issues before its offset: a deletion meanwhile shifts pages left.
_OVERLAP = 5


@dataclass(frozen=True)
class ReconcileResult:
    """One paced reconciliation step: projects finished, Backlog calls made, items recovered."""

    projects: tuple[str, ...]
    calls: int
    recovered: int


@dataclass
class _Pass:
    """Where one project's pass stands: the ``updatedSince`` date, the day it began, the next offset."""

    since: date
    began: date
    offset: int = 0

    def to_json(self) -> str:
        return json.dumps({"since": self.since.isoformat(), "began": self.began.isoformat(),
                           "offset": self.offset})

    @staticmethod
    def from_json(text: str) -> _Pass:
        d = json.loads(text)
        return _Pass(date.fromisoformat(d["since"]), date.fromisoformat(d["began"]), int(d["offset"]))


class Reconciler:
    """Runs the passes; ``dispatch`` is the workflow's event router (comments recovered go through it)."""

    def __init__(self, ctx: Ctx, statuses: StatusNames, dispatch: Callable[[Event, datetime], None]) -> None:
        self.ctx = ctx
        self.statuses = statuses
        self.dispatch = dispatch

    def step(self, now: datetime, budget: int) -> ReconcileResult:
        """About ``budget`` calls: a project's pass continues across calls until its last page; every
        call makes progress (at least one page and one issue), so a small budget is slow, never stuck."""
        ctx = self.ctx
        customers = ctx.config.customers
        raw_start = ctx.store.get_cursor(WATCH_START)
        if raw_start is None or not customers:
            return ReconcileResult((), 0, 0)
        watch_start = datetime.fromisoformat(raw_start)
        index = int(ctx.store.get_cursor(RECONCILE_NEXT) or 0)
        calls, recovered, done = 0, 0, list[str]()
        while calls < budget and len(done) < len(customers):
            project = customers[index % len(customers)].project
            finished, used, got = self._project(project, watch_start, now, budget - calls)
            calls, recovered = calls + used, recovered + got
            if not finished:
                break
            index += 1
            done.append(project)
        ctx.store.set_cursor(RECONCILE_NEXT, str(index % len(customers)), now)
        return ReconcileResult(tuple(done), calls, recovered)

    def _project(
        self, project: str, watch_start: datetime, now: datetime, budget: int,
    ) -> tuple[bool, int, int]:
        """One project's pass, or as much of it as ``budget`` allows: (finished, calls, recovered)."""
        store = self.ctx.store
        name, pass_name = f"backlog:reconcile:{project}", f"backlog:reconcile:{project}:pass"
        raw = store.get_cursor(pass_name)
        if raw:
            state = _Pass.from_json(raw)
        else:
            last = store.get_cursor(name) or watch_start.astimezone(JST).date().isoformat()
            state = _Pass(date.fromisoformat(last) - timedelta(days=1), now.astimezone(JST).date())
        project_id, calls = self.project_id(project, now)
        recovered, resumed, names_before = 0, bool(raw), self.statuses.calls
        while True:
            start = max(0, state.offset - _OVERLAP) if resumed else state.offset
            resumed = False
            page = self.ctx.client.list_issues(project_ids=[project_id], updated_since=state.since,
                                               sort="created", order="asc", offset=start, count=PAGE)
            calls += 1
            todo, handled = page[state.offset - start:], 0
            for issue in todo:
                spent = calls + self.statuses.calls - names_before >= budget
                if spent and handled and self._costs(issue, watch_start):
                    break
                got, used = self._issue(issue, watch_start, now)
                recovered, calls, handled = recovered + got, calls + used, handled + 1
            state.offset += handled
            calls_now = calls + self.statuses.calls - names_before
            if handled == len(todo) and len(page) < PAGE:
                store.set_cursor(name, state.began.isoformat(), now)
                store.set_cursor(pass_name, "", now)
                return True, calls_now, recovered
            if calls_now >= budget:
                store.set_cursor(pass_name, state.to_json(), now)
                return False, calls_now, recovered

    def project_id(self, key: str, now: datetime) -> tuple[int, int]:
        """The project's numeric id (the search needs it), remembered in the store: one call, once."""
        name = f"backlog:project-id:{key}"
        known = self.ctx.store.get_cursor(name)
        if known is not None:
            return int(known), 0
        project_id = self.ctx.client.get_project(key).id
        self.ctx.store.set_cursor(name, str(project_id), now)
        return project_id, 1

    def _costs(self, issue: Issue, watch_start: datetime) -> bool:
        """Whether handling ``issue`` would call Backlog (read comments, or acknowledge a new inquiry)."""
        row = self.ctx.records.get(issue.key)
        if row is None or row.staff_issue_key is None:
            return issue.created >= watch_start
        return issue.updated > row.updated

    def _issue(self, issue: Issue, watch_start: datetime, now: datetime) -> tuple[int, int]:
        """Recover one listed issue: a new inquiry, or comments and state the feed missed; (items, calls)."""
        ctx = self.ctx
        author = handle(issue.created_user)
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
        after = int(row.data.get("last_comment", 0))
        comments = [c for c in ctx.client.iter_comments(issue.key, min_id=after) if c.id > after]
        calls = 1 + len(comments) // PAGE
        mine = [c for c in comments if not ctx.is_bot(_who(c))]
        changes = [c for c in mine if c.change_log]  # which fields, and in which form, is not read
        first, last = (changes[0], changes[-1]) if changes else (None, None)
        synced = False
        for c in mine:
            at = c.created.astimezone(JST)
            if c is first or c is last:  # as the poll does (watcher.anchors): waiting at the first
                synced |= self._sync(issue, project, _who(c), at, early=c is not last)
            self.dispatch(NewComment(0, project, issue.key, issue.id, _who(c), at, c.id, c.content), now)
        if last is None:
            who = _who(mine[-1]) if mine else ""
            synced = self._sync(issue, project, who, issue.updated.astimezone(JST))
        self._seen_until(issue)
        return len(mine) + int(synced), calls

    def _sync(self, issue: Issue, project: str, who: str, at: datetime, *, early: bool = False) -> bool:
        """The listed issue's state applied at ``at`` (``issue_sync.apply_fields``)."""
        ctx = self.ctx
        row = ctx.records.get(issue.key)
        if row is None:
            return False
        work = Work(ctx, row)
        changed = issue_sync.apply_fields(ctx, work, fields_of(issue, project, self.statuses), who=who, at=at,
                                          stamp=f"u{int(issue.updated.timestamp())}", early=early)
        work.commit(ctx)
        return bool(changed)

    def _seen_until(self, issue: Issue) -> None:
        """Everything up to the issue's ``updated`` is handled (the bot's own comments included), so the
        next pass does not read its comments again for nothing."""
        row = self.ctx.records.get(issue.key)
        if row is not None and row.updated < issue.updated:
            self.ctx.save(row.but(updated=issue.updated.astimezone(JST)))


def _who(c: Comment) -> str:
    return handle(c.created_user)

