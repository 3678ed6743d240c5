"""Write operations of the emulated space (issues, comments, wikis) with Backlog's validation and activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.errors import BacklogNotFoundError, BacklogPermissionError
from bot.sandbox import forms
from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import Activity, Comment, CustomField, CustomValue, Issue, Project, SpaceState, User, Wiki

# Activity type ids (reference section 8).
ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED, WIKI_CREATED, WIKI_UPDATED = 1, 2, 3, 5, 6


def require_member(state: SpaceState, user: User, project: Project) -> None:
    """Non-members (other than administrators) cannot see a project: 404 code 6, as Backlog hides it."""
    if user.role_type != 1 and user.id not in project.member_ids:
        raise BacklogNotFoundError("No project.", status=404, code=6)


def _record_activity(state: SpaceState, project_id: int, type_: int, content: dict[str, Any], user: User, now: float) -> None:
    activity_id = state.next_id("activity")
    state.activities.append(Activity(activity_id, project_id, type_, content, user.id, now))


def _issue_content(state: SpaceState, issue: Issue) -> dict[str, Any]:
    return {"id": issue.id, "key_id": issue.key_id, "summary": issue.summary, "description": issue.description}


def _custom_value(field: CustomField, raw: list[str]) -> CustomValue:
    name = f"customField_{field.id}"
    values = [v for v in raw if v != ""]
    if not values:
        return None
    item_ids = {i.id for i in field.items}
    if field.type_id in (6, 7):
        chosen = [forms.integer(v, name) for v in values]
        if any(i not in item_ids for i in chosen):
            raise invalid(f"{name}: no such item.")
        return chosen
    value = values[0]
    if field.type_id == 3:
        return forms.hours(value, name) if not value.startswith("-") else Decimal(value)
    if field.type_id == 4:
        return forms.day(value, name).isoformat()
    if field.type_id in (5, 8):
        item = forms.integer(value, name)
        if item not in item_ids:
            raise invalid(f"{name}: no such item.")
        return item
    return value


def _custom_values(project: Project, form: Form) -> dict[int, CustomValue]:
    result: dict[int, CustomValue] = {}
    fields = {f.id: f for f in project.custom_fields}
    for field_id, raw in forms.custom_fields(form).items():
        field = fields.get(field_id)
        if field is None:
            raise invalid(f"customField_{field_id}: no such custom field in {project.key}.")
        result[field_id] = _custom_value(field, raw)
    return result


def _member(state: SpaceState, project: Project, user_id: int | None, name: str) -> int | None:
    if user_id is not None and user_id not in project.member_ids:
        raise invalid(f"{name}: user {user_id} is not a member of {project.key}.")
    return user_id


def create_issue(state: SpaceState, user: User, form: Form, now: float) -> Issue:
    """``POST /issues``: projectId, summary, issueTypeId, priorityId required; new issues are 未対応 (id 1)."""
    project_id = forms.required(form, "projectId")
    summary = forms.text(forms.required(form, "summary"), "summary", forms.SUMMARY_MAX, allow_empty=False)
    issue_type_id = forms.integer(forms.required(form, "issueTypeId"), "issueTypeId")
    priority_id = forms.integer(forms.required(form, "priorityId"), "priorityId")
    project = state.project(forms.integer(project_id, "projectId"))
    require_member(state, user, project)
    description = forms.text(forms.one(form, "description") or "", "description", forms.DESCRIPTION_MAX)
    if issue_type_id not in {t.id for t in project.issue_types}:
        raise invalid(f"issueTypeId {issue_type_id} is not an issue type of {project.key}.")
    if priority_id not in state.priorities:
        raise invalid(f"priorityId {priority_id} does not exist.")
    category_ids = forms.ints(form, "categoryId")
    if any(c not in {cat.id for cat in project.categories} for c in category_ids):
        raise invalid("categoryId: no such category.")
    values = _custom_values(project, form)
    for field in project.custom_fields:
        applies = not field.applicable_issue_types or issue_type_id in field.applicable_issue_types
        if field.required and applies and values.get(field.id) is None:
            raise invalid(f"customField_{field.id} ({field.name}) is required.")
    estimated, actual = forms.one(form, "estimatedHours"), forms.one(form, "actualHours")
    start, due = forms.one(form, "startDate"), forms.one(form, "dueDate")
    issue = Issue(
        id=state.next_id("issue"),
        project_id=project.id,
        key_id=project.next_key_id,
        issue_type_id=issue_type_id,
        summary=summary,
        description=description,
        status_id=project.statuses[0].id,
        priority_id=priority_id,
        created_user_id=user.id,
        created=now,
        updated_user_id=user.id,
        updated=now,
        assignee_id=_member(state, project, forms.opt_int(form, "assigneeId"), "assigneeId"),
        category_ids=category_ids,
        parent_issue_id=forms.opt_int(form, "parentIssueId"),
        start_date=forms.day(start, "startDate").isoformat() if start else None,
        due_date=forms.day(due, "dueDate").isoformat() if due else None,
        estimated_hours=forms.hours(estimated, "estimatedHours") if estimated else None,
        actual_hours=forms.hours(actual, "actualHours") if actual else None,
        custom_values=values,
    )
    project.next_key_id += 1
    state.add_issue(issue)
    _record_activity(state, project.id, ISSUE_CREATED, _issue_content(state, issue), user, now)
    return issue


def _display(state: SpaceState, field: str, value: object) -> str:
    """Activity/changeLog values are display strings (status name, user name, hours), not ids."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def update_issue(state: SpaceState, user: User, issue: Issue, form: Form, now: float) -> Issue:
    """``PATCH /issues/:k``; each changed field is recorded (comment changeLog + activity type 2 ``changes``).

    Change field names follow Backlog's activity vocabulary (``status``, ``assigner``, ``limitDate``...);
    custom fields appear under their name with ``type`` "custom" (our reading: UNCONFIRMED in the reference).
    """
    project = state.projects[issue.project_id]
    require_member(state, user, project)
    changes: list[tuple[str, str, str, str]] = []  # field, new, old, type

    def change(field: str, new: object, old: object, kind: str = "standard") -> None:
        if new != old:
            changes.append((field, _display(state, field, new), _display(state, field, old), kind))

    comment_text = forms.text(forms.one(form, "comment") or "", "comment", forms.COMMENT_MAX)
    updates: dict[str, Any] = {}
    if (summary := forms.one(form, "summary")) is not None:
        updates["summary"] = forms.text(summary, "summary", forms.SUMMARY_MAX, allow_empty=False)
        change("summary", updates["summary"], issue.summary)
    if (description := forms.one(form, "description")) is not None:
        updates["description"] = forms.text(description, "description", forms.DESCRIPTION_MAX)
        change("description", updates["description"], issue.description)
    if (status_id := forms.opt_int(form, "statusId")) is not None:
        statuses = {s.id: s.name for s in project.statuses}
        if status_id not in statuses:
            raise invalid(f"statusId {status_id} is not a status of {project.key}.")
        updates["status_id"] = status_id
        change("status", statuses[status_id], statuses[issue.status_id])
    if (type_id := forms.opt_int(form, "issueTypeId")) is not None:
        types = {t.id: t.name for t in project.issue_types}
        if type_id not in types:
            raise invalid(f"issueTypeId {type_id} is not an issue type of {project.key}.")
        updates["issue_type_id"] = type_id
        change("issueType", types[type_id], types[issue.issue_type_id])
    if (priority_id := forms.opt_int(form, "priorityId")) is not None:
        if priority_id not in state.priorities:
            raise invalid(f"priorityId {priority_id} does not exist.")
        updates["priority_id"] = priority_id
        change("priority", state.priorities[priority_id], state.priorities[issue.priority_id])
    if "assigneeId" in form:
        assignee = _member(state, project, forms.opt_int(form, "assigneeId"), "assigneeId")
        updates["assignee_id"] = assignee
        names = {u.id: u.name for u in state.users.values()}
        change("assigner", names.get(assignee or -1), names.get(issue.assignee_id or -1))
    for name, attr in (("estimatedHours", "estimated_hours"), ("actualHours", "actual_hours")):
        if name in form:
            raw = forms.one(form, name) or ""
            updates[attr] = forms.hours(raw, name) if raw else None
            change(name, updates[attr], getattr(issue, attr))
    for name, attr, label in (("startDate", "start_date", "startDate"), ("dueDate", "due_date", "limitDate")):
        if name in form:
            raw = forms.one(form, name) or ""
            updates[attr] = forms.day(raw, name).isoformat() if raw else None
            change(label, updates[attr], getattr(issue, attr))
    if (resolution_id := forms.opt_int(form, "resolutionId")) is not None:
        updates["resolution_id"] = resolution_id
        change("resolution", resolution_id, issue.resolution_id)
    values = _custom_values(project, form)
    for field in project.custom_fields:
        if field.id in values:
            change(field.name, values[field.id], issue.custom_values.get(field.id), "custom")
    # Everything validated: apply in one go so a 400 never leaves a half-applied update.
    for attr, value in updates.items():
        setattr(issue, attr, value)
    issue.custom_values.update(values)
    if not changes and not comment_text:
        return issue
    issue.updated, issue.updated_user_id = now, user.id
    log = [
        {"field": f, "newValue": n, "originalValue": o, "attachmentInfo": None, "attributeInfo": None,
         "notificationInfo": None}
        for f, n, o, _ in changes
    ]
    comment = Comment(state.next_id("comment"), project.id, issue.id, comment_text, user.id, now, now, log)
    state.comments[comment.id] = comment
    content = _issue_content(state, issue)
    content["comment"] = {"id": comment.id, "content": comment_text}
    content["changes"] = [{"field": f, "new_value": n, "old_value": o, "type": t} for f, n, o, t in changes]
    _record_activity(state, project.id, ISSUE_UPDATED, content, user, now)
    return issue


def add_comment(state: SpaceState, user: User, issue: Issue, form: Form, now: float) -> Comment:
    """``POST /issues/:k/comments``: ``content`` required, ≤ 50,000 chars, no 4-byte characters (activity 3)."""
    project = state.projects[issue.project_id]
    require_member(state, user, project)
    content = forms.text(forms.required(form, "content"), "content", forms.COMMENT_MAX, allow_empty=False)
    comment = Comment(state.next_id("comment"), project.id, issue.id, content, user.id, now, now)
    state.comments[comment.id] = comment
    issue.updated, issue.updated_user_id = now, user.id
    body = _issue_content(state, issue)
    body["comment"] = {"id": comment.id, "content": content}
    body["changes"] = []
    _record_activity(state, project.id, ISSUE_COMMENTED, body, user, now)
    return comment


def wiki_project(state: SpaceState, user: User, project: Project) -> Project:
    """Wiki endpoints on a project with ``useWiki=false`` answer 403 code 5.

    Our reading: Backlog documents only that such projects have no Wiki (reference section 6), not the
    exact error, so we use UnauthorizedOperationError (code 5) with HTTP 403.
    """
    require_member(state, user, project)
    if not project.use_wiki:
        raise BacklogPermissionError("Wiki is not enabled in this project.", status=403, code=5)
    return project


def _wiki_content(wiki: Wiki, diff: str) -> dict[str, Any]:
    return {"id": wiki.id, "name": wiki.name, "content": wiki.content, "diff": diff}


def create_wiki(state: SpaceState, user: User, form: Form, now: float) -> Wiki:
    """``POST /wikis``: projectId, name, content required; a duplicate name in the project is 400/7 (our reading)."""
    project_id = forms.integer(forms.required(form, "projectId"), "projectId")
    name = forms.required(form, "name")
    content = forms.one(form, "content")
    if content is None:
        raise invalid("Please set the content parameter.")
    project = wiki_project(state, user, state.project(project_id))
    if any(w.project_id == project.id and w.name == name for w in state.wikis.values()):
        raise invalid(f"A wiki page named {name!r} already exists.")
    wiki = Wiki(state.next_id("wiki"), project.id, name, content, user.id, now, user.id, now)
    state.wikis[wiki.id] = wiki
    _record_activity(state, project.id, WIKI_CREATED, _wiki_content(wiki, ""), user, now)
    return wiki


def update_wiki(state: SpaceState, user: User, wiki: Wiki, form: Form, now: float) -> Wiki:
    """``PATCH /wikis/:id``: ``name`` and/or ``content``; last write wins (no version parameter)."""
    project = wiki_project(state, user, state.projects[wiki.project_id])
    name, content = forms.one(form, "name"), forms.one(form, "content")
    if name is not None and name != wiki.name and any(
        w.project_id == project.id and w.name == name for w in state.wikis.values()
    ):
        raise invalid(f"A wiki page named {name!r} already exists.")
    old = wiki.content
    wiki.name = name if name else wiki.name
    wiki.content = content if content is not None else wiki.content
    wiki.updated, wiki.updated_user_id = now, user.id
    diff = "" if old == wiki.content else f"-{old}\n+{wiki.content}"
    _record_activity(state, project.id, WIKI_UPDATED, _wiki_content(wiki, diff), user, now)
    return wiki

