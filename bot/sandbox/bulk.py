"""The web UI's bulk update (一括更新) of the emulated space: several issues, one activity of type 14.

There is no API for it; staff do it in the browser, and the bot only sees the result. Sources: the
activity type list (reference §8: 14 Issue Multi Updated) and backlog4j's ``IssueMultiUpdatedContent``
/ ``LinkJSONImpl`` (``content`` = ``{tx_id, comment{content}, link[{id, key_id, title}], changes[]}``,
no ``id``/``key_id`` of its own), and backlog-js ``src/entity.ts`` (``MultiUpdateLink`` carries the
issue's own ``comment {id, content}``; ``MultiUpdateChange`` is ``{field, new_value, type}``, with no
``old_value``). Our reading, unverified: each issue is updated and gets its own comment with a
``changeLog``, exactly as a PATCH would, but no activity of its own; the one activity's ``changes`` are
those of the first issue (every issue gets the same new values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import Issue, SpaceState, User
from bot.sandbox.writes import Change, apply_update, record_activity, require_member

ISSUE_MULTI_UPDATED = 14


def bulk_update(state: SpaceState, user: User, issues: Sequence[Issue], form: Form, now: float) -> int:
    """Applies ``form`` (PATCH parameters, ``comment`` included) to every issue of one project and
    records one type-14 activity; returns its id. The issues share one project, so a form the first
    issue accepts is valid for all (what is validated depends on the project and the form)."""
    if not issues:
        raise invalid("a bulk update needs at least one issue.")
    project_ids = {i.project_id for i in issues}
    if len(project_ids) != 1:
        raise invalid("a bulk update works within one project.")
    require_member(state, user, state.projects[issues[0].project_id])
    first: list[Change] | None = None
    links: list[dict[str, Any]] = []
    for issue in issues:
        changes, comment = apply_update(state, user, issue, form, now)
        first = changes if first is None else first
        link: dict[str, Any] = {"id": issue.id, "key_id": issue.key_id, "title": issue.summary}
        if comment is not None:
            link["comment"] = {"id": comment.id, "content": comment.content}
        links.append(link)
    content: dict[str, Any] = {
        "tx_id": state.next_id("bulk-tx"),
        "comment": {"content": (form.get("comment") or [""])[0]},
        "link": links,
        "changes": [{k: v for k, v in c.activity_entry().items() if k != "old_value"} for c in first or []],
    }
    record_activity(state, issues[0].project_id, ISSUE_MULTI_UPDATED, content, user, now)
    return state.activities[-1].id
