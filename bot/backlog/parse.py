"""Parsers from Backlog's JSON to the frozen values of ``bot.backlog.models``.

With ``bot.backlog.feed`` (the activity feed, read record by record) the only place that reads
Backlog's dicts (camelCase, reference §11.6). Hours become ``Decimal`` (the client decodes JSON floats
as ``Decimal``); start/due dates, midnight-JST timestamps on the wire (reference §10), become ``date``
in Asia/Tokyo.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.backlog.models import (
    Category,
    ChangeLogEntry,
    Comment,
    CustomField,
    CustomFieldItem,
    CustomFieldValue,
    Issue,
    IssueType,
    Priority,
    Project,
    RateLimitState,
    RateLimitWindow,
    Space,
    Status,
    User,
    WikiPage,
)
from bot.clock import JST

Json = Mapping[str, Any]


def parse_datetime(value: str) -> datetime:
    """``2012-07-23T06:10:15Z`` → aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _opt_date(value: str | None) -> date | None:
    # Start/due dates come back as midnight JST in UTC (``2013-09-03T15:00:00Z`` is 2013-09-04).
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return parse_datetime(value).astimezone(JST).date()


def _opt_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_space(d: Json) -> Space:
    return Space(
        space_key=d["spaceKey"],
        name=d["name"],
        lang=d.get("lang", "ja"),
        timezone=d.get("timezone", "Asia/Tokyo"),
        text_formatting_rule=d.get("textFormattingRule", "markdown"),
    )


def parse_project(d: Json) -> Project:
    return Project(
        id=int(d["id"]),
        key=d["projectKey"],
        name=d["name"],
        text_formatting_rule=d.get("textFormattingRule", "markdown"),
        use_wiki=bool(d.get("useWiki", False)),
        archived=bool(d.get("archived", False)),
    )


def parse_status(d: Json) -> Status:
    return Status(int(d["id"]), int(d.get("projectId", 0)), d["name"], int(d.get("displayOrder", 0)))


def parse_issue_type(d: Json) -> IssueType:
    return IssueType(int(d["id"]), int(d.get("projectId", 0)), d["name"])


def parse_priority(d: Json) -> Priority:
    return Priority(int(d["id"]), d["name"])


def parse_category(d: Json) -> Category:
    return Category(int(d["id"]), d["name"])


def _item(d: Json) -> CustomFieldItem:
    return CustomFieldItem(int(d["id"]), str(d["name"]))


def parse_custom_field(d: Json) -> CustomField:
    return CustomField(
        id=int(d["id"]),
        type_id=int(d["typeId"]),
        name=d["name"],
        required=bool(d.get("required", False)),
        items=tuple(_item(i) for i in d.get("items") or ()),
    )


def _custom_value(d: Json) -> CustomFieldValue:
    raw = d.get("value")
    value: str | Decimal | None = None
    items: tuple[CustomFieldItem, ...] = ()
    if isinstance(raw, list):
        items = tuple(_item(i) for i in raw)
    elif isinstance(raw, Mapping):
        items = (_item(raw),)
    elif isinstance(raw, bool):
        value = str(raw).lower()
    elif isinstance(raw, int | Decimal | float):
        value = _opt_decimal(raw)
    elif raw is not None:
        value = str(raw)
    return CustomFieldValue(int(d["id"]), int(d.get("fieldTypeId", 0)), d.get("name", ""), value, items)


def parse_user(d: Json | None) -> User | None:
    if not d:
        return None
    return User(
        id=int(d["id"]),
        user_id=d.get("userId"),
        name=d.get("name", ""),
        role_type=_opt_int(d.get("roleType")),
        mail_address=d.get("mailAddress"),
    )


def parse_issue(d: Json) -> Issue:
    return Issue(
        id=int(d["id"]),
        key=d["issueKey"],
        key_id=int(d["keyId"]),
        project_id=int(d["projectId"]),
        summary=d.get("summary") or "",
        description=d.get("description") or "",
        status=parse_status(d["status"]),
        issue_type=parse_issue_type(d["issueType"]),
        priority=parse_priority(d["priority"]),
        assignee=parse_user(d.get("assignee")),
        created_user=parse_user(d.get("createdUser")),
        created=parse_datetime(d["created"]),
        updated=parse_datetime(d.get("updated") or d["created"]),
        estimated_hours=_opt_decimal(d.get("estimatedHours")),
        actual_hours=_opt_decimal(d.get("actualHours")),
        due_date=_opt_date(d.get("dueDate")),
        start_date=_opt_date(d.get("startDate")),
        parent_issue_id=_opt_int(d.get("parentIssueId")),
        custom_fields=tuple(_custom_value(c) for c in d.get("customFields") or ()),
    )


def parse_change(d: Json) -> ChangeLogEntry:
    # Comments say originalValue, activities say old_value (reference §5, §8).
    original = d.get("originalValue", d.get("old_value"))
    return ChangeLogEntry(
        str(d.get("field", "")), _opt_str(d.get("newValue", d.get("new_value"))), _opt_str(original)
    )


def parse_comment(d: Json) -> Comment:
    return Comment(
        id=int(d["id"]),
        content=d.get("content") or "",
        created_user=parse_user(d.get("createdUser")),
        created=parse_datetime(d["created"]),
        updated=parse_datetime(d.get("updated") or d["created"]),
        change_log=tuple(parse_change(c) for c in d.get("changeLog") or ()),
    )


def parse_wiki(d: Json) -> WikiPage:
    return WikiPage(
        id=int(d["id"]),
        project_id=int(d["projectId"]),
        name=d["name"],
        content=d.get("content"),
        created=parse_datetime(d["created"]),
        updated=parse_datetime(d.get("updated") or d["created"]),
    )


def parse_rate_limit(d: Json) -> RateLimitState:
    body: Json = d.get("rateLimit") or {}

    def window(kind: str) -> RateLimitWindow | None:
        w = body.get(kind)
        return RateLimitWindow(int(w["limit"]), int(w["remaining"]), int(w["reset"])) if w else None

    return RateLimitState(window("read"), window("update"), window("search"), window("icon"))
