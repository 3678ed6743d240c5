"""Backlog space activities turned into inquiry events (issue 5 step 1), read after one cursor."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.backlog_client import BacklogClient
from bot.backlog_models import Activity, ChangeLogEntry
from bot.clock import JST

log = logging.getLogger(__name__)

#: The state-store cursor: the id of the last space activity fully handled.
CURSOR = "backlog:activities"
PAGE = 100

# Backlog activity types (reference §8): 1 issue created, 2 issue updated, 3 issue commented.
ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED = 1, 2, 3


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
    """A comment, or a field change (whose comment may be empty), on an issue.

    ``changes`` lists the changed fields (status, estimatedHours...) of an update activity.
    """

    activity_id: int
    project: str
    issue_key: str
    issue_id: int
    user: str
    at: datetime
    comment_id: int
    content: str
    changes: tuple[ChangeLogEntry, ...] = ()


Event = NewIssue | NewComment


def to_event(activity: Activity) -> Event | None:
    """The event an activity stands for, or None for kinds the workflow does not read (wiki, files...)."""
    c = activity.content
    if activity.project_key is None or c.key_id is None or c.id is None:
        return None
    user = activity.created_user.user_id if activity.created_user and activity.created_user.user_id else ""
    key = f"{activity.project_key}-{c.key_id}"
    at = activity.created.astimezone(JST)
    if activity.type == ISSUE_CREATED:
        return NewIssue(activity.id, activity.project_key, key, c.id, user, at, c.summary or "",
                        c.description or "")
    if activity.type in (ISSUE_UPDATED, ISSUE_COMMENTED) and c.comment_id is not None:
        return NewComment(activity.id, activity.project_key, key, c.id, user, at, c.comment_id,
                          c.comment_content or "", c.changes)
    return None


def newest_id(source: BacklogClient) -> int:
    """The id of the newest space activity (0 in an empty space): one call."""
    latest = source.list_space_activities(count=1, order="desc")
    return latest[0].id if latest else 0


def activities_after(source: BacklogClient, after: int) -> Iterator[Activity]:
    """Every space activity with an id above ``after``, oldest first, one page (one call) at a time.

    A poll with no news costs exactly one call, however many projects the space holds.
    """
    cursor = after
    while True:
        page = source.list_space_activities(min_id=cursor, count=PAGE, order="asc")
        fresh = sorted((a for a in page if a.id > cursor), key=lambda a: a.id)
        yield from fresh
        if len(page) < PAGE or not fresh:
            return
        cursor = fresh[-1].id
