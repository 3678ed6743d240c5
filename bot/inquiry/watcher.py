"""Backlog space activities turned into inquiry events (issue 5 step 1), read after one cursor.

An activity says *that* an issue changed, not *what* (issue 11, reference §8): ``touched`` names the
issues an update-like activity (types 2, 3, 4 and the bulk update 14) concerns, and the workflow reads
those issues. ``changes[]`` is never read here or anywhere in the workflow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.backlog.models import Activity
from bot.backlog.paging import PAGE
from bot.backlog_client import BacklogClient
from bot.clock import JST

log = logging.getLogger(__name__)

#: The state-store cursor: the id of the last space activity fully handled.
CURSOR = "backlog:activities"

# Backlog activity types (reference §8): 1 issue created, 2 updated, 3 commented, 4 deleted,
# 14 updated in bulk (the web UI's 一括更新; ``content.link[]`` names the issues, backlog4j).
ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED, ISSUE_DELETED, ISSUE_MULTI_UPDATED = 1, 2, 3, 4, 14
#: Types that change an issue's fields; a comment (3) only might have, so it ranks below them.
_FIELD_CHANGING = (ISSUE_UPDATED, ISSUE_MULTI_UPDATED)


@dataclass(frozen=True)
class NewIssue:
    """A customer (or anyone) opened an issue: flow ①."""

    activity_id: int
    project: str
    issue_key: str
    issue_id: int
    user: str
    at: datetime
    summary: str
    description: str


@dataclass(frozen=True)
class NewComment:
    """A comment on an issue, or the (possibly empty) comment of a field change: its text only.

    What the change did to the issue's fields is read from the issue (``Touched``), never from here.
    """

    activity_id: int
    project: str
    issue_key: str
    issue_id: int
    user: str
    at: datetime
    comment_id: int
    content: str


Event = NewIssue | NewComment


@dataclass(frozen=True)
class Touched:
    """An update-like activity: the issues whose state must be read (or, when ``deleted``, stopped)."""

    activity_id: int
    project: str
    issue_keys: tuple[str, ...]
    user: str
    at: datetime
    deleted: bool = False
    changes_fields: bool = False


def _user(activity: Activity) -> str:
    u = activity.created_user
    return u.user_id if u is not None and u.user_id else ""


def touched(activity: Activity) -> Touched | None:
    """The issues an update-like activity concerns (2, 3, 4: its own; 14: every linked one), else None."""
    c = activity.content
    if activity.project_key is None:
        return None
    if activity.type == ISSUE_MULTI_UPDATED:
        keys = tuple(dict.fromkeys(f"{activity.project_key}-{link.key_id}" for link in c.links
                                   if link.key_id is not None))
    elif activity.type in (ISSUE_UPDATED, ISSUE_COMMENTED, ISSUE_DELETED) and c.key_id is not None:
        keys = (f"{activity.project_key}-{c.key_id}",)
    else:
        return None
    return Touched(activity.id, activity.project_key, keys, _user(activity), activity.created.astimezone(JST),
                   deleted=activity.type == ISSUE_DELETED, changes_fields=activity.type in _FIELD_CHANGING)


@dataclass(frozen=True)
class Anchor:
    """Where in a page an issue's state (read once) is applied: ``first`` and ``last`` activity ids."""

    first: int
    last: int


def anchors(page: Sequence[Activity], skip: Callable[[str], bool]) -> dict[str, Anchor]:
    """For each issue of ``page``, the first and last activity that change fields (2, 14), or else its
    last comment (3) twice; activities by ``skip`` users (the bot) and deletions (4) never count.

    The issue is read once and says what it is *now*, not which activity changed what. Where that is
    ambiguous the reading that keeps SLA clocks running wins (a false reminder is safer than a missed
    breach): a waiting status is applied at the first change, so a later customer comment resumes
    the clocks; everything else (done, 予定時間) at the last.
    """
    strong: dict[str, Anchor] = {}
    weak: dict[str, Anchor] = {}
    for activity in page:
        t = touched(activity)
        if t is None or t.deleted or skip(t.user):
            continue
        for key in t.issue_keys:
            if t.changes_fields:
                before = strong.get(key)
                strong[key] = Anchor(before.first if before else activity.id, activity.id)
            else:
                weak[key] = Anchor(activity.id, activity.id)
    return weak | strong


def to_event(activity: Activity) -> Event | None:
    """The event an activity stands for, or None for kinds the workflow does not read (wiki, files...)."""
    c = activity.content
    if activity.project_key is None or c.key_id is None or c.id is None:
        return None
    user = _user(activity)
    key = f"{activity.project_key}-{c.key_id}"
    at = activity.created.astimezone(JST)
    if activity.type == ISSUE_CREATED:
        return NewIssue(activity.id, activity.project_key, key, c.id, user, at, c.summary or "",
                        c.description or "")
    if activity.type in (ISSUE_UPDATED, ISSUE_COMMENTED) and c.comment_id is not None:
        return NewComment(activity.id, activity.project_key, key, c.id, user, at, c.comment_id,
                          c.comment_content or "")
    return None


def newest_id(source: BacklogClient) -> int:
    """The id of the newest space activity (0 in an empty space): one call."""
    latest = source.list_space_activities(count=1, order="desc")
    return latest[0].id if latest else 0


def activity_pages(source: BacklogClient, after: int) -> Iterator[list[Activity]]:
    """Every space activity with an id above ``after``, oldest first, one page (one call) at a time.

    A poll with no news costs exactly one call, however many projects the space holds.
    """
    cursor = after
    while True:
        page = source.list_space_activities(min_id=cursor, count=PAGE, order="asc")
        fresh = sorted((a for a in page if a.id > cursor), key=lambda a: a.id)
        if fresh:
            yield fresh
        if len(page) < PAGE or not fresh:
            return
        cursor = fresh[-1].id

