"""What an inquiry issue *is*, read from the issue itself (issue 11): activities only say *that* it changed.

Backlog's activity ``changes[]`` carry internal field names (the assignee is ``assigner``, the due date
``limitDate``) and status *ids* as strings, a comment's ``changeLog`` names statuses instead, and the name
used for estimated hours is documented nowhere (reference §8). The workflow therefore never reads
``changes[]``: after an update-like activity it reads ``GET /issues/:key`` (one read per issue, at most
once per poll), maps the status id through the project's status list (cached per project) and compares
the fields it tracks with what the store knows. ``compare`` is pure; ``IssueReads`` and ``StatusNames``
are the two small adapters in front of the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from bot.backlog.models import Issue, Status
from bot.errors import BacklogNotFoundError
from bot.state.inquiries import InquiryRow

log = logging.getLogger(__name__)

#: The row's ``data`` key holding the tracked fields other than the status (which has its own column).
FIELDS_KEY = "fields"


@dataclass(frozen=True)
class IssueFields:
    """The fields of a customer issue the workflow acts on or mirrors (T2-T4 status, E/H hours)."""

    status: str
    estimated: Decimal | None = None
    actual: Decimal | None = None
    assignee: str | None = None
    due: date | None = None

    def to_json(self) -> dict[str, str | None]:
        """Everything but the status, as stored in the row's ``data`` (hours as exact strings)."""
        return {
            "estimated": _text(self.estimated), "actual": _text(self.actual), "assignee": self.assignee,
            "due": None if self.due is None else self.due.isoformat(),
        }

    @staticmethod
    def known(row: InquiryRow) -> IssueFields:
        """What the store knows of the issue; fields never seen yet are None."""
        raw = row.data.get(FIELDS_KEY)
        d: Mapping[str, object] = raw if isinstance(raw, Mapping) else {}
        due = d.get("due")
        return IssueFields(
            status=row.status, estimated=_hours(d.get("estimated")), actual=_hours(d.get("actual")),
            assignee=None if d.get("assignee") is None else str(d.get("assignee")),
            due=date.fromisoformat(due) if isinstance(due, str) else None,
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _hours(value: object) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else None


def compare(known: IssueFields, now: IssueFields) -> frozenset[str]:
    """The names of the fields that differ (``status``, ``estimated``, ``actual``, ``assignee``, ``due``).

    Hours compare as numbers (``2`` equals ``2.0``), so a value that merely changed its spelling is no change.
    """
    return frozenset(f.name for f in fields(IssueFields) if getattr(known, f.name) != getattr(now, f.name))


class StatusNames:
    """Status id -> name per project, read once and cached (status ids are per project, reference §11.7).

    An id missing from the cache (a status added since), or cached under another name than the issue
    shows (a status renamed since), refreshes that project's list once; an id still unknown afterwards
    falls back to the name the issue itself carries, without asking again.
    """

    def __init__(self, fetch: Callable[[str], Mapping[int, str]]) -> None:
        self._fetch = fetch
        self._names: dict[str, dict[int, str]] = {}
        self._refreshed: set[tuple[str, int, str]] = set()
        self.calls = 0

    def name(self, project: str, status: Status) -> str:
        names = self._names.get(project)
        if names is None:
            names = self._load(project)
        elif self._stale(names, status) and (project, status.id, status.name) not in self._refreshed:
            self._refreshed.add((project, status.id, status.name))
            names = self._load(project)
        found = names.get(status.id)
        if found is None:
            log.warning("status id %d is not in %s's status list; using the issue's name %r",
                        status.id, project, status.name)
            return status.name
        return found

    @staticmethod
    def _stale(names: Mapping[int, str], status: Status) -> bool:
        return status.id not in names or (bool(status.name) and names[status.id] != status.name)

    def _load(self, project: str) -> dict[int, str]:
        self.calls += 1
        names = dict(self._fetch(project))
        self._names[project] = names
        return names


def fields_of(issue: Issue, project: str, statuses: StatusNames) -> IssueFields:
    """The tracked fields of ``issue`` as read from Backlog, the status named through ``statuses``."""
    who = issue.assignee
    assignee = None if who is None else (who.user_id or str(who.id))
    return IssueFields(
        status=statuses.name(project, issue.status), estimated=issue.estimated_hours,
        actual=issue.actual_hours, assignee=assignee, due=issue.due_date,
    )


class IssueReads:
    """``GET /issues/:key`` at most once per issue while it lives (one poll): repeats come from memory.

    A missing issue (deleted, or moved out of the bot's sight) reads as None, so it cannot block the
    feed; its deletion activity (type 4) stops its clocks. Other errors propagate: the poll stops
    before the activity and the next poll retries it.
    """

    def __init__(self, fetch: Callable[[str], Issue]) -> None:
        self._fetch = fetch
        self._seen: dict[str, Issue | None] = {}

    @property
    def calls(self) -> int:
        return len(self._seen)

    def read(self, key: str) -> Issue | None:
        if key not in self._seen:
            try:
                self._seen[key] = self._fetch(key)
            except BacklogNotFoundError:
                log.info("issue %s is gone; its state is not read", key)
                self._seen[key] = None
        return self._seen[key]
