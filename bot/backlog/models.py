"""Typed, frozen values for what the Backlog API returns (the parsers are in ``bot.backlog.parse``).

Nothing raw leaves ``bot.backlog_client``. Datetimes are aware UTC; hours are ``Decimal``; issue
start/due dates, which Backlog returns as midnight-JST timestamps (reference §10), are ``date`` in
Asia/Tokyo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Space:
    space_key: str
    name: str
    lang: str
    timezone: str
    text_formatting_rule: str


@dataclass(frozen=True)
class Project:
    id: int
    key: str
    name: str
    text_formatting_rule: str
    use_wiki: bool
    archived: bool


@dataclass(frozen=True)
class Status:
    id: int
    project_id: int
    name: str
    display_order: int


@dataclass(frozen=True)
class IssueType:
    id: int
    project_id: int
    name: str


@dataclass(frozen=True)
class Priority:
    id: int
    name: str


@dataclass(frozen=True)
class Category:
    id: int
    name: str


@dataclass(frozen=True)
class CustomFieldItem:
    id: int
    name: str


@dataclass(frozen=True)
class CustomField:
    id: int
    type_id: int
    name: str
    required: bool
    items: tuple[CustomFieldItem, ...]


@dataclass(frozen=True)
class CustomFieldValue:
    """One custom field on an issue: scalar fields fill ``value``, list fields fill ``items``."""

    id: int
    field_type_id: int
    name: str
    value: str | Decimal | None
    items: tuple[CustomFieldItem, ...]


@dataclass(frozen=True)
class User:
    id: int
    user_id: str | None
    name: str
    role_type: int | None
    mail_address: str | None


@dataclass(frozen=True)
class Issue:
    id: int
    key: str
    key_id: int
    project_id: int
    summary: str
    description: str
    status: Status
    issue_type: IssueType
    priority: Priority
    assignee: User | None
    created_user: User | None
    created: datetime
    updated: datetime
    estimated_hours: Decimal | None
    actual_hours: Decimal | None
    due_date: date | None
    start_date: date | None
    parent_issue_id: int | None
    custom_fields: tuple[CustomFieldValue, ...]


@dataclass(frozen=True)
class ChangeLogEntry:
    field: str
    new_value: str | None
    original_value: str | None


@dataclass(frozen=True)
class Comment:
    id: int
    content: str
    created_user: User | None
    created: datetime
    updated: datetime
    change_log: tuple[ChangeLogEntry, ...]


@dataclass(frozen=True)
class WikiPage:
    """A wiki page; ``content`` is None when it came from the list endpoint, which omits it."""

    id: int
    project_id: int
    name: str
    content: str | None
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class ActivityLink:
    """One issue named by a bulk activity's ``content.link[]``: a bulk update (type 14, the web UI's
    一括更新), where each link may carry that issue's own ``comment {id, content}`` (backlog-js
    ``MultiUpdateLink``), or a bulk creation (type 47, ``{id, key_id, title}`` only)."""

    id: int
    key_id: int | None
    title: str
    comment_id: int | None = None
    comment_content: str | None = None


@dataclass(frozen=True)
class ActivityContent:
    """An activity's ``content``. Issue activities (1-4) fill ``id``/``key_id``; a bulk update (type 14)
    has neither and names its issues in ``links`` (backlog4j ``IssueMultiUpdatedContent``), with the
    batch's ``tx_id``. ``changes`` say *that* fields changed; their names and value forms are
    Backlog's internal ones (reference §8), so read the issue for *what* changed."""

    id: int | None
    key_id: int | None
    summary: str | None
    description: str | None
    comment_id: int | None
    comment_content: str | None
    changes: tuple[ChangeLogEntry, ...]
    links: tuple[ActivityLink, ...] = ()
    tx_id: int | None = None


@dataclass(frozen=True)
class Activity:
    id: int
    type: int
    project_key: str | None
    project_id: int | None
    content: ActivityContent
    created_user: User | None
    created: datetime


@dataclass(frozen=True)
class SkippedActivity:
    """A record of the activity feed the bot did not understand (issue 18 item 5): an unknown type, or
    a known type whose fields are missing or typed otherwise (Documents carry hex string ids).

    ``id`` is the activity's own id when it could be read (the cursor moves past it), else None;
    ``type`` is the type as given (``"?"`` when absent); ``reason`` says what was not understood.
    """

    id: int | None
    type: str
    reason: str


@dataclass(frozen=True)
class ActivityPage:
    """One answer of ``GET /space/activities``: every record, read or skipped, and how many came."""

    records: tuple[Activity | SkippedActivity, ...]
    size: int

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(r for r in self.records if isinstance(r, Activity))


@dataclass(frozen=True)
class RateLimitWindow:
    """One budget: ``reset`` is the UTC epoch second at which ``remaining`` returns to ``limit``."""

    limit: int
    remaining: int
    reset: int


@dataclass(frozen=True)
class RateLimitState:
    read: RateLimitWindow | None
    update: RateLimitWindow | None
    search: RateLimitWindow | None
    icon: RateLimitWindow | None
