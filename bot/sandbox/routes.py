"""The emulated ``/api/v2/`` endpoints: each takes a parsed call and returns (status, JSON, headers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.errors import BacklogNotFoundError
from bot.sandbox import forms, queries, render, wikis, writes
from bot.sandbox.forms import Form
from bot.sandbox.model import RESOLUTIONS, Issue, Project, SpaceState, User
from bot.sandbox.ratelimit import KINDS, RateLimiter


@dataclass(frozen=True)
class Call:
    """One authenticated API call: ``params`` is the query for GET and the form body for writes."""

    state: SpaceState
    user: User
    params: Form
    args: tuple[str, ...]
    now: float
    base_url: str
    limiter: RateLimiter


Reply = tuple[int, Any, dict[str, str]]
Handler = Callable[[Call], Reply]


def ok(body: Any) -> Reply:
    return 200, body, {}


def created(body: Any, location: str) -> Reply:
    """Creation answers ``201 Created`` with a ``Location`` header (reference sections 4-6)."""
    return 201, body, {"Location": location}


def _project(call: Call, index: int = 0) -> Project:
    project = call.state.project(call.args[index])
    writes.require_member(call.state, call.user, project)
    return project


def get_space(call: Call) -> Reply:
    return ok(render.space(call.state))


def get_myself(call: Call) -> Reply:
    return ok(render.user(call.user))


def get_users(call: Call) -> Reply:
    return ok([render.user(u) for u in call.state.users.values()])


def get_projects(call: Call) -> Reply:
    visible = queries.visible_project_ids(call.state, call.user)
    return ok([render.project(p) for p in call.state.projects.values() if p.id in visible])


def get_project(call: Call) -> Reply:
    return ok(render.project(_project(call)))


def get_statuses(call: Call) -> Reply:
    return ok([render.status(s) for s in _project(call).statuses])


def get_issue_types(call: Call) -> Reply:
    return ok([render.issue_type(t) for t in _project(call).issue_types])


def get_categories(call: Call) -> Reply:
    return ok([render.category(c) for c in _project(call).categories])


def get_custom_fields(call: Call) -> Reply:
    return ok([render.custom_field(f) for f in _project(call).custom_fields])


def get_project_users(call: Call) -> Reply:
    return ok([render.user(call.state.users[i]) for i in _project(call).member_ids])


def get_priorities(call: Call) -> Reply:
    return ok([{"id": i, "name": name} for i, name in sorted(call.state.priorities.items())])


def get_resolutions(call: Call) -> Reply:
    return ok([{"id": i, "name": name} for i, name in sorted(RESOLUTIONS.items())])


def get_issues(call: Call) -> Reply:
    page = queries.issue_page(call.state, call.user, call.params, call.now)
    return ok([render.issue(call.state, i) for i in page])


def count_issues(call: Call) -> Reply:
    return ok({"count": len(queries.matching_issues(call.state, call.user, call.params, call.now))})


def _issue(call: Call) -> Issue:
    issue = call.state.issue(call.args[0])
    writes.require_member(call.state, call.user, call.state.projects[issue.project_id])
    return issue


def get_issue(call: Call) -> Reply:
    return ok(render.issue(call.state, _issue(call)))


def post_issue(call: Call) -> Reply:
    issue = writes.create_issue(call.state, call.user, call.params, call.now)
    key = call.state.issue_key(issue)
    return created(render.issue(call.state, issue), f"{call.base_url}/view/{key}")


def patch_issue(call: Call) -> Reply:
    issue = writes.update_issue(call.state, call.user, _issue(call), call.params, call.now)
    return ok(render.issue(call.state, issue))


def delete_issue(call: Call) -> Reply:
    issue = _issue(call)
    body = render.issue(call.state, issue)
    writes.delete_issue(call.state, call.user, issue, call.now)
    return ok(body)


def get_comments(call: Call) -> Reply:
    issue = _issue(call)
    found = queries.id_window(call.state.comments_of(issue.id), lambda c: c.id, call.params)
    return ok([render.comment(call.state, c) for c in found])


def count_comments(call: Call) -> Reply:
    return ok({"count": len(call.state.comments_of(_issue(call).id))})


def get_comment(call: Call) -> Reply:
    issue = _issue(call)
    comment = call.state.comments.get(forms.integer(call.args[1], "commentId"))
    if comment is None or comment.issue_id != issue.id:
        raise BacklogNotFoundError("No comment.", status=404, code=6)
    return ok(render.comment(call.state, comment))


def post_comment(call: Call) -> Reply:
    issue = _issue(call)
    comment = writes.add_comment(call.state, call.user, issue, call.params, call.now)
    key = call.state.issue_key(issue)
    return created(render.comment(call.state, comment), f"{call.base_url}/view/{key}#comment-{comment.id}")


def _wiki_list_project(call: Call) -> Project:
    project = call.state.project(forms.required(call.params, "projectIdOrKey"))
    return wikis.wiki_project(call.state, call.user, project)


def get_wikis(call: Call) -> Reply:
    wikis = queries.matching_wikis(call.state, call.params, _wiki_list_project(call).id, call.now)
    return ok([render.wiki(call.state, w, with_content=False) for w in wikis])


def count_wikis(call: Call) -> Reply:
    found = queries.matching_wikis(call.state, call.params, _wiki_list_project(call).id, call.now)
    return ok({"count": len(found)})


def get_wiki(call: Call) -> Reply:
    wiki = call.state.wiki(call.args[0])
    wikis.wiki_project(call.state, call.user, call.state.projects[wiki.project_id])
    return ok(render.wiki(call.state, wiki))


def post_wiki(call: Call) -> Reply:
    wiki = wikis.create_wiki(call.state, call.user, call.params, call.now)
    return created(render.wiki(call.state, wiki), f"{call.base_url}/alias/wiki/{wiki.id}")


def patch_wiki(call: Call) -> Reply:
    wiki = wikis.update_wiki(call.state, call.user, call.state.wiki(call.args[0]), call.params, call.now)
    return ok(render.wiki(call.state, wiki))


def _activities(call: Call, project_ids: set[int]) -> Reply:
    types = set(forms.ints(call.params, "activityTypeId"))
    items = [
        a for a in call.state.activities if a.project_id in project_ids and (not types or a.type in types)
    ]
    found = queries.id_window(items, lambda a: a.id, call.params, newest=call.state.min_id_newest)
    return ok([render.activity(call.state, a) for a in found])


def get_space_activities(call: Call) -> Reply:
    return _activities(call, queries.visible_project_ids(call.state, call.user))


def get_project_activities(call: Call) -> Reply:
    return _activities(call, {_project(call).id})


def get_rate_limit(call: Call) -> Reply:
    """``GET /rateLimit``: the caller's live budgets (this call itself counts as a read: our reading)."""
    body = {}
    for kind in KINDS:
        quota = call.limiter.peek(call.user.user_id, kind)
        body[kind] = {"limit": quota.limit, "remaining": quota.remaining, "reset": quota.reset}
    return ok({"rateLimit": body})


_SEG = r"([^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(rf"^/api/v2/{pattern}/?$"), handler)
    for method, pattern, handler in [
        ("GET", "space", get_space),
        ("GET", "space/activities", get_space_activities),
        ("GET", "users/myself", get_myself),
        ("GET", "users", get_users),
        ("GET", "projects", get_projects),
        ("GET", f"projects/{_SEG}", get_project),
        ("GET", f"projects/{_SEG}/statuses", get_statuses),
        ("GET", f"projects/{_SEG}/issueTypes", get_issue_types),
        ("GET", f"projects/{_SEG}/categories", get_categories),
        ("GET", f"projects/{_SEG}/customFields", get_custom_fields),
        ("GET", f"projects/{_SEG}/users", get_project_users),
        ("GET", f"projects/{_SEG}/activities", get_project_activities),
        ("GET", "priorities", get_priorities),
        ("GET", "resolutions", get_resolutions),
        ("GET", "issues", get_issues),
        ("GET", "issues/count", count_issues),
        ("POST", "issues", post_issue),
        ("GET", f"issues/{_SEG}", get_issue),
        ("PATCH", f"issues/{_SEG}", patch_issue),
        ("DELETE", f"issues/{_SEG}", delete_issue),
        ("GET", f"issues/{_SEG}/comments", get_comments),
        ("GET", f"issues/{_SEG}/comments/count", count_comments),
        ("GET", f"issues/{_SEG}/comments/(\\d+)", get_comment),
        ("POST", f"issues/{_SEG}/comments", post_comment),
        ("GET", "wikis", get_wikis),
        ("GET", "wikis/count", count_wikis),
        ("POST", "wikis", post_wiki),
        ("GET", f"wikis/{_SEG}", get_wiki),
        ("PATCH", f"wikis/{_SEG}", patch_wiki),
        ("GET", "rateLimit", get_rate_limit),
    ]
]


def route(method: str, path: str) -> tuple[Handler, tuple[str, ...]] | None:
    """The handler for a request, trying routes in order (fixed paths like ``issues/count`` come first)."""
    for route_method, pattern, handler in ROUTES:
        if route_method == method:
            match = pattern.match(path)
            if match:
                return handler, match.groups()
    return None
