"""Alert grouping: one issue per fingerprint, counts instead of a comment per repeat (pure; rules M2, C8).

Anchors: Alertmanager ``group_interval`` (updates spaced out), Sentry/PagerDuty fingerprints and
dedup keys, Zammad's monitoring follow-ups. Decisions carry the next GroupState for the caller to store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.mail.error_table import ErrorClass, classify
from bot.mail.message import Alert

GroupStatus = Literal["open", "closed"]


@dataclass(frozen=True)
class Policy:
    """Grouping knobs; the defaults are the shipped ``monitoring.toml`` values."""

    fields: tuple[str, ...] = ("customer", "adapter", "job", "error_code")
    comment_interval: timedelta = timedelta(hours=1)
    transient_threshold: int = 3
    transient_window: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class GroupState:
    """What is remembered per fingerprint.

    ``last_comment_at`` is the last time the bot wrote to the issue (its creation counts), so the
    first summary comes one interval after the issue was opened. ``recent`` holds occurrences not yet
    on an issue (for the transient threshold).
    """

    fingerprint: str
    issue_key: str | None
    status: GroupStatus
    count: int
    first_seen: datetime
    last_seen: datetime
    pending_since_comment: int = 0
    last_comment_at: datetime | None = None
    recent: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class OpenIssue:
    """Open a new issue for this group; the caller stores ``state`` with the new issue key."""

    fingerprint: str
    state: GroupState


@dataclass(frozen=True)
class ReopenAsNew:
    """The group's issue was closed: open a new issue that links ``previous_issue_key``."""

    fingerprint: str
    previous_issue_key: str
    state: GroupState


@dataclass(frozen=True)
class Record:
    """Only update the count and last-seen time (no Backlog write)."""

    state: GroupState


@dataclass(frozen=True)
class CommentSummary:
    """One comment summarising ``occurrences`` repeats since ``since`` (at most one per interval)."""

    state: GroupState
    occurrences: int
    since: datetime


@dataclass(frozen=True)
class Wait:
    """A transient error below its threshold: remember it, write nothing yet."""

    state: GroupState
    seen: int
    needed: int


Decision = OpenIssue | ReopenAsNew | Record | CommentSummary | Wait


def fingerprint(alert: Alert, customer: str | None, fields: Sequence[str] = Policy.fields) -> str:
    """sha256 over the configured fields (default customer, adapter, job, error code)."""
    values = {"customer": customer or "", "adapter": alert.adapter, "job": alert.job or "",
              "error_code": alert.error_code, "tenant_key": alert.tenant_key or ""}
    joined = "\x1f".join(f"{f}={values[f]}" for f in fields)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def decide(alert: Alert, group: GroupState | None, now: datetime, policy: Policy = Policy(),
           customer: str | None = None) -> Decision:
    """Decide what one more occurrence of ``alert`` does (class from the error table, M2/C8)."""
    fp = group.fingerprint if group is not None else fingerprint(alert, customer, policy.fields)
    return decide_class(fp, classify(alert.error_code, alert.message).error_class, group, now, policy)


def decide_class(fp: str, error_class: ErrorClass, group: GroupState | None, now: datetime,
                 policy: Policy = Policy()) -> Decision:
    """Decide what one more occurrence of group ``fp`` does.

    ``action`` errors open an issue at once; ``transient`` ones only at the ``transient_threshold``-th
    occurrence within ``transient_window``. On an open issue, repeats are recorded and summarised in at
    most one comment per ``comment_interval``. A closed group opens a new issue linking the old one.
    """
    if group is None:
        group = GroupState(fp, None, "closed", 0, now, now)
    has_open_issue = group.issue_key is not None and group.status == "open"
    if has_open_issue:
        return _repeat(group, now, policy)
    recent = (*(t for t in group.recent if now - t < policy.transient_window), now)
    seen = replace(group, count=group.count + 1, last_seen=now, recent=recent,
                   first_seen=group.first_seen if group.count else now)
    if error_class == "transient" and len(recent) < policy.transient_threshold:
        return Wait(seen, len(recent), policy.transient_threshold)
    opened = replace(seen, status="open", issue_key=None, pending_since_comment=0, last_comment_at=now,
                     recent=())
    if group.issue_key is not None:
        return ReopenAsNew(fp, group.issue_key, opened)
    return OpenIssue(fp, opened)


def _repeat(group: GroupState, now: datetime, policy: Policy) -> Decision:
    state = replace(group, count=group.count + 1, last_seen=now,
                    pending_since_comment=group.pending_since_comment + 1)
    return flush(state, now, policy) or Record(state)


def flush(group: GroupState, now: datetime, policy: Policy = Policy()) -> CommentSummary | None:
    """A due summary comment for repeats not yet reported, or None (call it on a timer too)."""
    if group.status != "open" or group.issue_key is None or group.pending_since_comment == 0:
        return None
    since = group.last_comment_at or group.first_seen
    if now - since < policy.comment_interval:
        return None
    done = replace(group, pending_since_comment=0, last_comment_at=now)
    return CommentSummary(done, group.pending_since_comment, since)
