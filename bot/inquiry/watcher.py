"""Backlog space activities turned into inquiry events (issue 5 step 1), read after one cursor.

An activity says *that* an issue changed, not *what* (issue 11, reference §8): ``touched`` names the
issues an update-like activity (types 2, 3, 4 and the bulk update 14) concerns, and the workflow reads
those issues. ``changes[]`` is never read here or anywhere in the workflow.

Users are named by ``bot.backlog.people.handle`` (the login, or ``id:123`` where Backlog gives none:
spaces on the new plan, issue 18). Records the feed parser could not read (``SkippedActivity``) come
through ``activity_pages`` with their ids, so the cursor moves past them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.backlog.feed import (
    ISSUE_COMMENTED,
    ISSUE_CREATED,
    ISSUE_DELETED,
    ISSUE_MULTI_CREATED,
    ISSUE_MULTI_UPDATED,
    ISSUE_UPDATED,
)
from bot.backlog.models import Activity, SkippedActivity
from bot.backlog.paging import pages_after
from bot.backlog.people import handle
from bot.backlog_client import BacklogClient
from bot.clock import JST

log = logging.getLogger(__name__)

#: The state-store cursor: the id of the last space activity fully handled.
CURSOR = "backlog:activities"

# Backlog activity types (reference §8, §13; ``bot.backlog.feed``): 1 issue created, 2 updated,
# 3 commented, 4 deleted, 14 updated in bulk (the web UI's 一括更新; ``content.link[]`` names the issues,
# each with its own comment), 47 created in bulk (``content.link[]`` only: the issues are read).
__all__ = ["ISSUE_COMMENTED", "ISSUE_CREATED", "ISSUE_DELETED", "ISSUE_MULTI_CREATED", "ISSUE_MULTI_UPDATED",
           "ISSUE_UPDATED"]
Record = Activity | SkippedActivity
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
    return handle(activity.created_user)


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


def anchors(page: Sequence[Record], skip: Callable[[str], bool]) -> dict[str, Anchor]:
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
        t = touched(activity) if isinstance(activity, Activity) else None
        if t is None or t.deleted or skip(t.user):
            continue
        for key in t.issue_keys:
            if t.changes_fields:
                before = strong.get(key)
                strong[key] = Anchor(before.first if before else t.activity_id, t.activity_id)
            else:
                weak[key] = Anchor(t.activity_id, t.activity_id)
    return weak | strong


def to_events(activity: Activity) -> tuple[Event, ...]:
    """The events an activity stands for: a new issue (1), a comment (2, 3), each linked issue's own
    comment of a bulk update (14); none for kinds the workflow does not read (wiki, files...). A bulk
    creation (47) names only its issues: the workflow reads them (``bulk_created``)."""
    c = activity.content
    if activity.project_key is None:
        return ()
    user, at, project = _user(activity), activity.created.astimezone(JST), activity.project_key
    if activity.type == ISSUE_MULTI_UPDATED:
        return tuple(
            NewComment(activity.id, project, f"{project}-{link.key_id}", link.id, user, at, link.comment_id,
                       link.comment_content or "")
            for link in c.links if link.key_id is not None and link.comment_id is not None)
    if c.key_id is None or c.id is None:
        return ()
    key = f"{activity.project_key}-{c.key_id}"
    if activity.type == ISSUE_CREATED:
        return (NewIssue(activity.id, activity.project_key, key, c.id, user, at, c.summary or "",
                         c.description or ""),)
    if activity.type in (ISSUE_UPDATED, ISSUE_COMMENTED) and c.comment_id is not None:
        return (NewComment(activity.id, activity.project_key, key, c.id, user, at, c.comment_id,
                           c.comment_content or ""),)
    return ()


def bulk_created(activity: Activity) -> tuple[str, ...]:
    """The issue keys a bulk creation (47) names, in its order; () for every other activity."""
    if activity.type != ISSUE_MULTI_CREATED or activity.project_key is None:
        return ()
    return tuple(dict.fromkeys(f"{activity.project_key}-{link.key_id}" for link in activity.content.links
                               if link.key_id is not None))


def newest_id(source: BacklogClient) -> int:
    """The id of the newest space activity (0 in an empty space): one call. A record the parser skips
    still counts, or a first start on a space whose newest record is a Document would start at 0."""
    latest = source.space_activity_page(count=1, order="desc").records
    return max((r.id for r in latest if r.id is not None), default=0)


def activity_pages(source: BacklogClient, after: int) -> Iterator[list[Record]]:
    """Every space activity with an id above ``after``, oldest first, one page at a time: read records and
    skipped ones (with their ids), contiguous, whatever a full ``minId`` answer holds (``pages_after``).

    A poll with no news costs exactly one call, however many projects the space holds.
    """
    def fetch(lo: int | None, hi: int | None) -> tuple[tuple[Record, ...], int]:
        page = source.space_activity_page(min_id=lo, max_id=hi, order="asc")
        return page.records, page.size

    told: list[int] = []

    def newer(lo: int | None, hi: int) -> None:
        # Once per poll at WARNING: under that reading a long downtime finds many such pages.
        log.log(logging.DEBUG if told else logging.WARNING, "Backlog answered a full activity page with "
                "records newer than those after %s; the ones up to %d are read first", lo, hi)
        told.append(hi)

    yield from pages_after(fetch, after, newer)
