"""Backlog's JSON shapes (camelCase, ISO ``...Z`` timestamps) for the emulator's records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.sandbox.model import (
    RESOLUTIONS,
    Activity,
    Category,
    Comment,
    CustomField,
    Issue,
    IssueType,
    Project,
    SpaceState,
    Status,
    User,
    Wiki,
)

Json = dict[str, Any]


def iso(epoch: float) -> str:
    """Backlog's timestamp form: UTC, whole seconds, ``Z`` suffix (reference section 10)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Decimal | None) -> int | float | None:
    """JSON has only binary numbers; Backlog sends hours as plain JSON numbers, so we do too (wire only)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def date_stamp(value: str | None) -> str | None:
    """Backlog returns start/due dates as midnight JST in UTC (``2013-09-03T15:00:00Z`` for 09-04)."""
    if value is None:
        return None
    day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    return iso(day.timestamp() - 9 * 3600)


def user(u: User) -> Json:
    # ``nulabAccount`` {nulabId, name, uniqueId}: DOC get-user-list and update-user examples. On the new plan
    # ``userId`` is null (idobata-hooks fixtures, DOC add-user "can't be used at new plan space").
    return {
        "id": u.id,
        "userId": None if u.nulab_only else u.user_id,
        "name": u.name,
        "roleType": u.role_type,
        "lang": u.lang,
        "nulabAccount": {"nulabId": f"nulab-{u.id}-{u.user_id}", "name": u.name, "uniqueId": u.user_id},
        "mailAddress": u.mail_address,
        "lastLoginTime": None,
    }


def space(state: SpaceState) -> Json:
    s = state.space
    return {
        "spaceKey": s.space_key,
        "name": s.name,
        "ownerId": s.owner_id,
        "lang": s.lang,
        "timezone": s.timezone,
        "reportSendTime": "08:00:00",
        "textFormattingRule": s.text_formatting_rule,
        "created": iso(s.created),
        "updated": iso(s.created),
    }


def project(p: Project) -> Json:
    return {
        "id": p.id,
        "projectKey": p.key,
        "name": p.name,
        "chartEnabled": False,
        "useResolvedForChart": False,
        "subtaskingEnabled": False,
        "projectLeaderCanEditProjectLeader": False,
        "useWiki": p.use_wiki,
        "useFileSharing": False,
        "useWikiTreeView": True,
        "useSubversion": False,
        "useGit": False,
        "useOriginalImageSizeAtWiki": False,
        "textFormattingRule": p.text_formatting_rule,
        "archived": p.archived,
        "displayOrder": p.display_order,
        "useDevAttributes": False,
    }


def status(s: Status) -> Json:
    return {
        "id": s.id,
        "projectId": s.project_id,
        "name": s.name,
        "color": s.color,
        "displayOrder": s.display_order,
    }


def issue_type(t: IssueType) -> Json:
    return {
        "id": t.id,
        "projectId": t.project_id,
        "name": t.name,
        "color": t.color,
        "displayOrder": t.display_order,
        "templateSummary": None,
        "templateDescription": None,
    }


def category(c: Category) -> Json:
    return {"id": c.id, "projectId": c.project_id, "name": c.name, "displayOrder": c.display_order}


def custom_field(f: CustomField) -> Json:
    body: Json = {
        "id": f.id,
        "projectId": f.project_id,
        "typeId": f.type_id,
        "name": f.name,
        "description": f.description,
        "required": f.required,
        "applicableIssueTypes": list(f.applicable_issue_types),
        "allowAddItem": False,
    }
    if f.type_id in (5, 6, 7, 8):
        body["items"] = [{"id": i.id, "name": i.name, "displayOrder": i.display_order} for i in f.items]
    return body


def _custom_value(f: CustomField, raw: object) -> object:
    items = {i.id: {"id": i.id, "name": i.name, "displayOrder": i.display_order} for i in f.items}
    if raw is None:
        return [] if f.type_id in (6, 7) else None
    if f.type_id == 3 and isinstance(raw, Decimal):
        return number(raw)
    if f.type_id in (5, 8) and isinstance(raw, int):
        return items.get(raw)
    if f.type_id in (6, 7) and isinstance(raw, list):
        return [items[i] for i in raw if i in items]
    return raw


def issue(state: SpaceState, i: Issue) -> Json:
    p = state.projects[i.project_id]
    issue_type_ = next(t for t in p.issue_types if t.id == i.issue_type_id)
    status_ = next(s for s in p.statuses if s.id == i.status_id)
    applicable = [
        f
        for f in p.custom_fields
        if not f.applicable_issue_types or i.issue_type_id in f.applicable_issue_types
    ]
    return {
        "id": i.id,
        "projectId": i.project_id,
        "issueKey": state.issue_key(i),
        "keyId": i.key_id,
        "issueType": issue_type(issue_type_),
        "summary": i.summary,
        "description": i.description,
        "resolution": None
        if i.resolution_id is None
        else {"id": i.resolution_id, "name": _resolution(i.resolution_id)},
        "priority": {"id": i.priority_id, "name": state.priorities.get(i.priority_id, "")},
        "status": status(status_),
        "assignee": None if i.assignee_id is None else user(state.users[i.assignee_id]),
        "category": [category(c) for c in p.categories if c.id in i.category_ids],
        "versions": [],
        "milestone": [],
        "startDate": date_stamp(i.start_date),
        "dueDate": date_stamp(i.due_date),
        "estimatedHours": number(i.estimated_hours),
        "actualHours": number(i.actual_hours),
        "parentIssueId": i.parent_issue_id,
        "createdUser": user(state.users[i.created_user_id]),
        "created": iso(i.created),
        "updatedUser": user(state.users[i.updated_user_id]),
        "updated": iso(i.updated),
        "customFields": [
            {
                "id": f.id,
                "fieldTypeId": f.type_id,
                "name": f.name,
                "value": _custom_value(f, i.custom_values.get(f.id)),
            }
            for f in applicable
        ],
        "attachments": [],
        "sharedFiles": [],
        "stars": [],
    }


def _resolution(resolution_id: int) -> str:
    return RESOLUTIONS.get(resolution_id, "")


def comment(state: SpaceState, c: Comment) -> Json:
    return {
        "id": c.id,
        "projectId": c.project_id,
        "issueId": c.issue_id,
        # A field-only update leaves a comment with empty content (reference §5; "" not null: our
        # reading, unverified; the client reads both the same).
        "content": c.content,
        "changeLog": [dict(entry) for entry in c.change_log],
        "createdUser": user(state.users[c.created_user_id]),
        "created": iso(c.created),
        "updated": iso(c.updated),
        "stars": [],
        "notifications": [],
    }


def wiki(state: SpaceState, w: Wiki, *, with_content: bool = True) -> Json:
    """Wiki page; list items (``GET /wikis``) carry no ``content`` (reference section 6)."""
    body: Json = {"id": w.id, "projectId": w.project_id, "name": w.name}
    if with_content:
        body.update({"content": w.content, "attachments": [], "sharedFiles": [], "stars": []})
    body.update(
        {
            "tags": [],
            "createdUser": user(state.users[w.created_user_id]),
            "created": iso(w.created),
            "updatedUser": user(state.users[w.updated_user_id]),
            "updated": iso(w.updated),
        }
    )
    return body


def activity(state: SpaceState, a: Activity) -> Json:
    return {
        "id": a.id,
        "project": project(state.projects[a.project_id]),
        "type": a.type,
        "content": dict(a.content),
        "notifications": [],
        "createdUser": user(state.users[a.created_user_id]),
        "created": iso(a.created),
    }
