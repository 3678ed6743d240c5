"""Activity records the bot does not act on, or acts on without an API of its own (issue 18 item 5).

Each emulates a record of Backlog's feed that a real space can produce, so that tests can feed a poll
a page that mixes them with real inquiries. Sources (see README "Behaviours"):

- Documents (spaces created from 2026-07-14 get Documents instead of Wiki): types 36 created, 37 updated,
  38 deleted with ``content`` = ``{id, title}``, ``id`` a hex **string**; 48 bulk creation with
  ``{documents: [{id, title}]}`` (backlog-js ``src/types.ts`` ``ActivityType``, ``src/entity.ts``
  ``DocumentContent``/``DocumentMultiContent``; hex ids as in DOC get-document-comment).
- 34, a deleted status whose issues move to another one: ``{deletedStatus{name}, link[{id, key_id,
  title}], change{field, new_value, type}}`` (backlog-js ``StatusDeletedContent``).
- 35, a bulk date change: named in the reference's corrections (§13) without a shape; the shape here
  (``link[]`` and ``changes[]`` as in type 14) is **our reading, unverified**, and the bot skips 35
  whatever its shape.
- 47, a bulk creation: ``{link[{id, key_id, title}]}`` only (backlog-js ``IssueMultiCreatedContent``).
  Whether Backlog also records one type-1 activity per issue is unknown: ``each_too`` emits them too.
- ``record_raw``: any type and content as given, for records with fields missing or typed otherwise.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from bot.sandbox import writes
from bot.sandbox.forms import invalid
from bot.sandbox.model import Issue, Project, SpaceState, User

DOCUMENT_CREATED, DOCUMENT_UPDATED, DOCUMENT_DELETED, DOCUMENT_MULTI_CREATED = 36, 37, 38, 48
STATUS_DELETED, BULK_DATES, ISSUE_MULTI_CREATED = 34, 35, 47


def document_id() -> str:
    """A Documents id: 32 hex digits, as in DOC get-document-comment (``019d465a…``)."""
    return "019d" + secrets.token_hex(14)


def _link(issue: Issue) -> dict[str, Any]:
    return {"id": issue.id, "key_id": issue.key_id, "title": issue.summary}


def record_document(
    state: SpaceState, user: User, project: Project, title: str, kind: int, now: float
) -> str:
    """One Documents activity (36, 37, 38, or 48 naming one document); returns the document's id."""
    writes.require_member(state, user, project)
    doc = {"id": document_id(), "title": title}
    content = {"documents": [doc]} if kind == DOCUMENT_MULTI_CREATED else doc
    writes.record_activity(state, project.id, kind, content, user, now)
    return str(doc["id"])


def bulk_create(state: SpaceState, user: User, project: Project, summaries: Sequence[tuple[str, str]],
                now: float, *, each_too: bool = False) -> list[Issue]:
    """Creates issues (summary, description) as one bulk creation: one type-47 activity naming them all,
    and (``each_too``) their type-1 activities before it."""
    if not summaries:
        raise invalid("a bulk creation needs at least one issue.")
    created = []
    for summary, description in summaries:
        form = {"projectId": [str(project.id)], "summary": [summary], "description": [description],
                "issueTypeId": [str(project.issue_types[0].id)], "priorityId": ["3"]}
        created.append(writes.create_issue(state, user, form, now))
        if not each_too:
            state.activities.pop()  # create_issue recorded its own type 1: a bulk creation has only the 47
    content = {"link": [_link(i) for i in created]}
    writes.record_activity(state, project.id, ISSUE_MULTI_CREATED, content, user, now)
    return created


def delete_status(
    state: SpaceState, user: User, project: Project, name: str, moved_to: int, now: float
) -> None:
    """An administrator deletes status ``name``: its issues move to ``moved_to``; one type-34 activity."""
    gone = next((s for s in project.statuses if s.name == name), None)
    if gone is None or gone.id == moved_to:
        raise invalid(f"no status {name!r} to delete in {project.key}.")
    target = next(s for s in project.statuses if s.id == moved_to)
    moved = [i for i in state.issues.values() if i.project_id == project.id and i.status_id == gone.id]
    for issue in moved:
        issue.status_id, issue.updated, issue.updated_user_id = moved_to, now, user.id
    project.statuses.remove(gone)
    content = {"deletedStatus": {"name": gone.name}, "link": [_link(i) for i in moved],
               "change": {"field": "status", "new_value": target.name, "type": "standard"}}
    writes.record_activity(state, project.id, STATUS_DELETED, content, user, now)


def bulk_dates(state: SpaceState, user: User, issues: Sequence[Issue], due: str, now: float) -> None:
    """A bulk change of due dates (type 35; shape our reading, unverified): every issue gets ``due``."""
    for issue in issues:
        issue.due_date, issue.updated, issue.updated_user_id = due, now, user.id
    content = {"link": [_link(i) for i in issues],
               "changes": [{"field": "limitDate", "new_value": due, "type": "standard"}]}
    writes.record_activity(state, issues[0].project_id, BULK_DATES, content, user, now)


def record_raw(state: SpaceState, user: User, project: Project, kind: int, content: dict[str, Any],
               now: float) -> int:
    """An activity of any ``kind`` with ``content`` exactly as given; returns its id."""
    writes.record_activity(state, project.id, kind, content, user, now)
    return state.activities[-1].id
