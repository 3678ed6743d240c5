"""The inquiry acts on what its issue now *is* (issue 11): status, 予定時間, and deletion.

``apply_fields`` takes the fields read from the issue (``bot.inquiry.issue_state``), compares them with
the store's and acts on the difference, at the time of the activity that caused it:
- a waiting-for-customer status (お客様確認待ち by default) pauses every clock (T2-T4), whoever set it;
- a resolved or closed status set by staff ends them (T4 result reported, T3 updates end);
- estimated hours (予定時間) entered by staff on the customer issue count as ``/bot estimate`` (flow ⑤);
- actual hours, assignee and due date are mirrored only (the ledger stays the truth of hours, H8).
``deleted`` stops the clocks of an issue that no longer exists (activity type 4).
A second delivery of the same activity finds no difference and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.inquiry import sla_job
from bot.inquiry.commands import Estimate
from bot.inquiry.context import Ctx, Work
from bot.inquiry.issue_state import FIELDS_KEY, IssueFields, compare
from bot.inquiry.staff import estimate
from bot.inquiry.staff_texts import command_done, command_refused
from bot.rules.statuses import DONE_STATUSES

log = logging.getLogger(__name__)

#: Resolved and closed, in Japanese and English spaces (Backlog's default statuses 3 and 4, reference §7).


def apply_fields(
    ctx: Ctx, work: Work, now_fields: IssueFields, *, who: str, at: datetime, stamp: str,
    early: bool = False,
) -> frozenset[str]:
    """Act on what changed since the store last looked; returns the names of the changed fields.

    ``who`` and ``at`` are the author and time of the activity the change is attributed to; ``stamp``
    names that activity in the staff note's reference (``hoshu-bot:field:ACME-12:a345``). ``early``
    (the first of several changes in one page, ``watcher.anchors``) applies only a new waiting status,
    so that a customer comment after it resumes the clocks; the rest waits for the last change.
    """
    known = IssueFields.known(work.row)
    if early:
        if now_fields.status == known.status or not _waiting(ctx, now_fields.status):
            return frozenset()
        now_fields = replace(known, status=now_fields.status)
    changed = compare(known, now_fields)
    if not changed:
        return changed
    row = work.row
    work.row = row.but(status=now_fields.status, updated=max(row.updated, at))
    work.data[FIELDS_KEY] = now_fields.to_json()
    if "status" in changed:
        _status(ctx, work, now_fields.status, who, at)
    if "estimated" in changed and now_fields.estimated is not None and ctx.is_staff(who):
        _estimate(ctx, work, now_fields, at, stamp)
    log.info("%s changed in Backlog (%s) by %s", row.issue_key, ", ".join(sorted(changed)), who or "?")
    return changed


def _waiting(ctx: Ctx, status: str) -> bool:
    return status in ctx.config.service.workflow.waiting_status_names


def _status(ctx: Ctx, work: Work, status: str, who: str, at: datetime) -> None:
    if _waiting(ctx, status):
        sla_job.pause_all(work, at)
    elif status in DONE_STATUSES and ctx.is_staff(who):
        sla_job.work_done(work, at)
        work.row = work.row.but(closed=at)
    elif status not in DONE_STATUSES and work.row.closed is not None:
        work.row = work.row.but(closed=None)  # reopened: a later close is recorded again


def _estimate(ctx: Ctx, work: Work, now_fields: IssueFields, at: datetime, stamp: str) -> None:
    hours = now_fields.estimated
    assert hours is not None  # noqa: S101 - checked by the caller
    line = f"予定時間 {format(hours.normalize(), 'f')}"
    result = estimate(ctx, work, Estimate(hours=hours), at)
    voice = ctx.config.voice()
    doc = (command_done(voice, line, result.detail) if result.ok
           else command_refused(voice, line, result.detail))
    ctx.to_staff(work.row, f"hoshu-bot:field:{work.row.issue_key}:{stamp}", doc)


def deleted(work: Work, at: datetime) -> None:
    """The issue was deleted (activity type 4): every clock stops; the row stays for the report (R1)."""
    if work.data.get("deleted"):
        return
    sla_job.work_done(work, at)
    work.row = work.row.but(closed=work.row.closed or at, updated=max(work.row.updated, at))
    work.data["deleted"] = True
