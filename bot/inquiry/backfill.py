"""Backfill on first start and after downtime (issue 13 item 1).

The activity feed answers only what happens after the cursor. When the cursor is new (first start) or
older than anything the feed still holds (a downtime longer than the feed reaches), inquiries opened in
the meantime would never be acknowledged. So, in each customer project, the open issues created within
the window (``service.toml [backfill] business_days``, default 3 business days) are looked at, and each
one that nobody has answered yet (no comment by staff or the bot, no staff issue of ours) is handled
exactly as a new inquiry: acknowledgement, staff issue, SLA clocks (T2, P3), through the same handler.
The poll only plans it (a cursor, no call); the worker's ``backfill`` job carries it out a few projects
per tick, right after the poll, so one ``run --once`` on a small space does all of it.

Old history is not answered twice: an issue the bot already knows is passed over, the writer finds
its own ``hoshu-bot:ack:`` reference before writing again, and the comments already on a backfilled
issue are marked as read, so neither the feed nor reconciliation treats them as news later.

Clock (T2): the clock runs from the issue's creation when its first-response deadline is still ahead;
when it has already passed, the bot starts it now, so the acknowledgement never states a deadline
that has gone by (the staff issue links the customer issue, whose creation time staff can see).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.backlog.models import Issue
from bot.backlog.people import handle
from bot.clock import JST
from bot.inquiry import handlers
from bot.inquiry.context import Ctx, Work
from bot.inquiry.watcher import NewIssue
from bot.rules.statuses import DONE_STATUSES

log = logging.getLogger(__name__)

#: Statuses in which an issue is no longer an open inquiry (Backlog defaults, ja and en).


ProjectId = Callable[[str, datetime], tuple[int, int]]  # the workflow's remembered project-id lookup

#: The store cursor: "<first day> <next customer index>" while a backfill is due, "done" after it.
CURSOR = "backlog:backfill"
DONE = "done"


@dataclass(frozen=True)
class BackfillResult:
    """One backfill step: the first day looked at, projects searched, open issues read, inquiries
    adopted, and issues already answered (left alone)."""

    since: date | None
    projects: tuple[str, ...]
    seen: int
    adopted: tuple[str, ...]
    answered: tuple[str, ...]


def feed_lost_history(ctx: Ctx, cursor: int) -> bool:
    """True when the feed no longer reaches back to ``cursor``: its oldest activity is newer than it.

    **Our reading, unverified:** ``GET /space/activities?order=asc`` without ``minId`` returns the oldest
    activities the feed still holds. Were it to return the newest instead, this reports a gap whenever
    there is news; backfilling then is harmless (every step below is idempotent), only one search per
    customer project dearer, and it happens once per process start.
    """
    oldest = [r.id for r in ctx.client.space_activity_page(count=1, order="asc").records if r.id is not None]
    return bool(oldest) and oldest[0] > cursor + 1


def window_start(ctx: Ctx, now: datetime) -> date | None:
    """The first day of the window: ``business_days`` business days before today (None: backfill off)."""
    days = ctx.config.service.backfill.business_days
    if days == 0:
        return None
    return ctx.cal.business_days_before(now.astimezone(JST).date(), days)


def plan_backfill(ctx: Ctx, now: datetime) -> None:
    """Schedule a backfill from the window's first day; ``backfill_step`` carries it out a few projects
    at a time, so 200 customer projects never cost 400 calls in one tick (the poll stays one call)."""
    since = window_start(ctx, now)
    if since is not None:
        ctx.store.set_cursor(CURSOR, f"{since.isoformat()} 0", now)
        log.info("backfill planned: unanswered inquiries created since %s", since.isoformat())


def backfill_step(ctx: Ctx, now: datetime, budget: int, project_id: ProjectId) -> BackfillResult:
    """Backfill the next ``budget`` customer projects of a planned backfill (nothing when none is due)."""
    raw = ctx.store.get_cursor(CURSOR)
    if raw is None or raw == DONE:
        return BackfillResult(None, (), 0, (), ())
    first, _, index = raw.partition(" ")
    since, start = date.fromisoformat(first), int(index or 0)
    customers = ctx.config.customers[start:start + max(1, budget)]
    seen, adopted, answered = 0, list[str](), list[str]()
    for customer in customers:
        pid, _ = project_id(customer.project, now)
        found = ctx.client.iter_issues(project_ids=[pid], created_since=since, sort="created", order="asc")
        for issue in found:
            if issue.created.astimezone(JST).date() < since or issue.status.name in DONE_STATUSES:
                continue
            seen += 1
            outcome = _adopt(ctx, customer.project, issue, now)
            if outcome == "adopted":
                adopted.append(issue.key)
            elif outcome == "answered":
                answered.append(issue.key)
        # Saved per project: a failure later in the tick resumes here, and adoption is idempotent anyway.
        start += 1
        ctx.store.set_cursor(CURSOR, f"{since.isoformat()} {start}", now)
    if start >= len(ctx.config.customers):
        ctx.store.set_cursor(CURSOR, DONE, now)
    if adopted or answered:
        log.info("backfill since %s: %d inquiries acknowledged (%s); %d already answered, left alone",
                 since.isoformat(), len(adopted), ", ".join(adopted) or "-", len(answered))
    return BackfillResult(since, tuple(c.project for c in customers), seen, tuple(adopted), tuple(answered))


def _adopt(ctx: Ctx, project: str, issue: Issue, now: datetime) -> str:
    author = handle(issue.created_user)
    if ctx.is_staff(author) or ctx.is_bot(author):
        return "not an inquiry"
    known = ctx.records.get(issue.key)
    if known is not None and known.staff_issue_key is not None:
        return "known"
    last, replied = 0, False
    for c in ctx.client.iter_comments(issue.key):
        who = handle(c.created_user)
        replied = replied or ctx.is_staff(who) or ctx.is_bot(who)
        last = max(last, c.id)
    if replied:
        return "answered"  # staff (or the bot, before a lost store) already answered: nothing to add
    created = issue.created.astimezone(JST)
    due = ctx.cal.deadline(created, ctx.config.service.sla.first_response_business_days).deadline
    at = created if due > now else now
    handlers.new_issue(ctx, NewIssue(0, project, issue.key, issue.id, author, at, issue.summary,
                                     issue.description), now)
    row = ctx.records.get(issue.key)
    if row is not None and last:
        # The customer's comments before the first start are part of the inquiry, not news to answer.
        work = Work(ctx, row)
        work.data["last_comment"] = max(last, int(work.data.get("last_comment", 0)))  # type: ignore[call-overload]
        work.commit(ctx)
    return "adopted"
