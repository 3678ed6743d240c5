"""Writes to the emulated space (issues, comments, wikis) with Backlog's validation and activities."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from bot.errors import BacklogNotFoundError
from bot.sandbox import forms
from bot.sandbox.custom_fields import custom_values
from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import (
    RESOLUTIONS,
    Activity,
    Comment,
    Issue,
    Project,
    SpaceState,
    User,
)

# Activity type ids (reference section 8).
ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED, ISSUE_DELETED = 1, 2, 3, 4


def require_member(state: SpaceState, user: User, project: Project) -> None:
    """Non-members (other than administrators) cannot see a project: 404 code 6, as Backlog hides it."""
    if user.role_type != 1 and user.id not in project.member_ids:
        raise BacklogNotFoundError("No project.", status=404, code=6)


def record_activity(
    state: SpaceState, project_id: int, type_: int, content: dict[str, Any], user: User, now: float
) -> None:
    activity_id = state.next_id("activity")
    state.activities.append(Activity(activity_id, project_id, type_, content, user.id, now))


def _issue_content(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "key_id": issue.key_id,
        "summary": issue.summary,
        "description": issue.description,
    }


def _member(state: SpaceState, project: Project, user_id: int | None, name: str) -> int | None:
    if user_id is not None and user_id not in project.member_ids:
        raise invalid(f"{name}: user {user_id} is not a member of {project.key}.")
    return user_id


def create_issue(state: SpaceState, user: User, form: Form, now: float) -> Issue:
    """``POST /issues``: projectId, summary, issueTypeId, priorityId required; new issues start 未対応."""
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
    values = custom_values(project, form)
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
    state.search.wrote(("issue", issue.id), None, (issue.summary, issue.description), now)
    record_activity(state, project.id, ISSUE_CREATED, _issue_content(issue), user, now)
    return issue


def _display(value: object) -> str:
    """changeLog values are display strings (status name, user name, hours); activities differ for
    statuses only (``Change.new_in_activity``: the id)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclasses.dataclass(frozen=True)
class Change:
    """One changed field: its Backlog name, the display values (comment ``changeLog``) and the values
    the activity's ``changes`` carry (``bot.sandbox.README``: status ids there, names in the log)."""

    field: str
    new: str
    old: str
    kind: str = "standard"  # or "custom"
    new_in_activity: str | None = None  # None: the same as ``new``
    old_in_activity: str | None = None

    def log_entry(self) -> dict[str, Any]:
        return {"field": self.field, "newValue": self.new, "originalValue": self.old, "attachmentInfo": None,
                "attributeInfo": None, "notificationInfo": None}

    def activity_entry(self) -> dict[str, Any]:
        new = self.new if self.new_in_activity is None else self.new_in_activity
        old = self.old if self.old_in_activity is None else self.old_in_activity
        return {"field": self.field, "new_value": new, "old_value": old, "type": self.kind}


@dataclasses.dataclass
class _Patch:
    """What a PATCH would do, gathered fully before anything is applied (a 400 never half-applies)."""

    issue: Issue
    updates: dict[str, Any] = dataclasses.field(default_factory=dict)
    changes: list[Change] = dataclasses.field(default_factory=list)

    def set(
        self, attr: str, value: object, label: str, new: object, old: object, kind: str = "standard",
        ids: tuple[object, object] | None = None,
    ) -> None:
        self.updates[attr] = value
        if new != old:
            in_activity = (None, None) if ids is None else (_display(ids[0]), _display(ids[1]))
            self.changes.append(Change(label, _display(new), _display(old), kind, *in_activity))


def _plan_choices(state: SpaceState, project: Project, patch: _Patch, form: Form) -> None:
    """Summary, description and the id-valued fields (status, type, priority, assignee, resolution)."""
    issue = patch.issue
    if (summary := forms.one(form, "summary")) is not None:
        value = forms.text(summary, "summary", forms.SUMMARY_MAX, allow_empty=False)
        patch.set("summary", value, "summary", value, issue.summary)
    if (description := forms.one(form, "description")) is not None:
        value = forms.text(description, "description", forms.DESCRIPTION_MAX)
        patch.set("description", value, "description", value, issue.description)
    statuses = {s.id: s.name for s in project.statuses}
    types = {t.id: t.name for t in project.issue_types}
    for name, attr, label, names in (
        ("statusId", "status_id", "status", statuses),
        ("issueTypeId", "issue_type_id", "issueType", types),
        ("priorityId", "priority_id", "priority", state.priorities),
    ):
        if (chosen := forms.opt_int(form, name)) is not None:
            if chosen not in names:
                raise invalid(f"{name} {chosen} does not exist in {project.key}.")
            old_id = getattr(issue, attr)
            # Activities carry a status as its id, as a string; the comment's changeLog names it
            # (DOC get-recent-updates example; backlog4j issue_comments.json). Others: names.
            ids = (chosen, old_id) if label == "status" else None
            patch.set(attr, chosen, label, names[chosen], names.get(old_id), ids=ids)
    if "assigneeId" in form:
        assignee = _member(state, project, forms.opt_int(form, "assigneeId"), "assigneeId")
        user_names = {u.id: u.name for u in state.users.values()}
        old = user_names.get(issue.assignee_id or -1)
        patch.set("assignee_id", assignee, "assigner", user_names.get(assignee or -1), old)
    if (resolution_id := forms.opt_int(form, "resolutionId")) is not None:
        if resolution_id not in RESOLUTIONS:
            raise invalid(f"resolutionId {resolution_id} does not exist.")
        old_name = RESOLUTIONS.get(issue.resolution_id or -1)
        patch.set("resolution_id", resolution_id, "resolution", RESOLUTIONS[resolution_id], old_name)


def _plan_amounts(patch: _Patch, form: Form) -> None:
    """Hours (``Decimal``) and dates; an empty value clears the field."""
    issue = patch.issue
    for name, attr in (("estimatedHours", "estimated_hours"), ("actualHours", "actual_hours")):
        if name in form:
            raw = forms.one(form, name) or ""
            hours = forms.hours(raw, name) if raw else None
            patch.set(attr, hours, name, hours, getattr(issue, attr))
    for name, attr, label in (("startDate", "start_date", "startDate"), ("dueDate", "due_date", "limitDate")):
        if name in form:
            raw = forms.one(form, name) or ""
            day = forms.day(raw, name).isoformat() if raw else None
            patch.set(attr, day, label, day, getattr(issue, attr))


def update_issue(state: SpaceState, user: User, issue: Issue, form: Form, now: float) -> Issue:
    """``PATCH /issues/:k``; each changed field is recorded (comment changeLog + activity type 2 ``changes``).

    Change field names follow Backlog's activity vocabulary (``status``, ``assigner``, ``limitDate``...);
    custom fields appear under their name with ``type`` "custom" (our reading: UNCONFIRMED in the reference).
    Like Backlog, an update with changes but no ``comment`` still adds a comment with empty content.
    """
    changes, comment = apply_update(state, user, issue, form, now)
    if comment is not None:
        content = _issue_content(issue)
        content["comment"] = {"id": comment.id, "content": comment.content}
        content["changes"] = [c.activity_entry() for c in changes]
        record_activity(state, issue.project_id, ISSUE_UPDATED, content, user, now)
    return issue


def apply_update(
    state: SpaceState, user: User, issue: Issue, form: Form, now: float
) -> tuple[list[Change], Comment | None]:
    """Validates and applies one issue's update, leaving its comment (None: nothing changed, no text);
    the caller records the activity (type 2 for one issue, type 14 for a bulk update)."""
    project = state.projects[issue.project_id]
    require_member(state, user, project)
    comment_text = forms.text(forms.one(form, "comment") or "", "comment", forms.COMMENT_MAX)
    patch = _Patch(issue)
    _plan_choices(state, project, patch, form)
    _plan_amounts(patch, form)
    values = custom_values(project, form)
    for custom in project.custom_fields:
        if custom.id in values and values[custom.id] != issue.custom_values.get(custom.id):
            old = issue.custom_values.get(custom.id)
            patch.changes.append(Change(custom.name, _display(values[custom.id]), _display(old), "custom"))
    before = (issue.summary, issue.description)
    for attr, value in patch.updates.items():
        setattr(issue, attr, value)
    issue.custom_values.update(values)
    if not patch.changes and not comment_text:
        return [], None
    if (issue.summary, issue.description) != before:
        state.search.wrote(("issue", issue.id), before, (issue.summary, issue.description), now)
    issue.updated, issue.updated_user_id = now, user.id
    log = [c.log_entry() for c in patch.changes]
    comment = Comment(state.next_id("comment"), project.id, issue.id, comment_text, user.id, now, now, log)
    state.comments[comment.id] = comment
    return patch.changes, comment


def add_comment(state: SpaceState, user: User, issue: Issue, form: Form, now: float) -> Comment:
    """``POST /issues/:k/comments``: ``content`` required, ≤ 50,000 chars, no 4-byte characters (type 3)."""
    project = state.projects[issue.project_id]
    require_member(state, user, project)
    content = forms.text(forms.required(form, "content"), "content", forms.COMMENT_MAX, allow_empty=False)
    comment = Comment(state.next_id("comment"), project.id, issue.id, content, user.id, now, now)
    state.comments[comment.id] = comment
    issue.updated, issue.updated_user_id = now, user.id
    body = _issue_content(issue)
    body["comment"] = {"id": comment.id, "content": content}
    body["changes"] = []
    record_activity(state, project.id, ISSUE_COMMENTED, body, user, now)
    return comment


def delete_issue(state: SpaceState, user: User, issue: Issue, now: float) -> Issue:
    """``DELETE /issues/:k``: removes the issue and its comments (activity type 4); answers the issue."""
    project = state.projects[issue.project_id]
    require_member(state, user, project)
    del state.issues[issue.id]
    for comment in state.comments_of(issue.id):
        del state.comments[comment.id]
    record_activity(state, project.id, ISSUE_DELETED, _issue_content(issue), user, now)
    return issue
