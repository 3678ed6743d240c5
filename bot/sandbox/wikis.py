"""Wiki writes of the emulated space: pages per project, only where ``useWiki`` is on (activities 5/6)."""

from __future__ import annotations

from typing import Any

from bot.errors import BacklogPermissionError
from bot.sandbox import forms
from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import Project, SpaceState, User, Wiki
from bot.sandbox.writes import record_activity, require_member

WIKI_CREATED, WIKI_UPDATED = 5, 6


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
    """``POST /wikis``: projectId, name, content required; a duplicate name is 400/7 (our reading)."""
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
    state.search.wrote(("wiki", wiki.id), None, (wiki.name, wiki.content), now)
    record_activity(state, project.id, WIKI_CREATED, _wiki_content(wiki, ""), user, now)
    return wiki


def update_wiki(state: SpaceState, user: User, wiki: Wiki, form: Form, now: float) -> Wiki:
    """``PATCH /wikis/:id``: ``name`` and/or ``content``; last write wins (no version parameter)."""
    project = wiki_project(state, user, state.projects[wiki.project_id])
    name, content = forms.one(form, "name"), forms.one(form, "content")
    if (
        name is not None
        and name != wiki.name
        and any(w.project_id == project.id and w.name == name for w in state.wikis.values())
    ):
        raise invalid(f"A wiki page named {name!r} already exists.")
    old, before = wiki.content, (wiki.name, wiki.content)
    wiki.name = name if name else wiki.name
    wiki.content = content if content is not None else wiki.content
    wiki.updated, wiki.updated_user_id = now, user.id
    if (wiki.name, wiki.content) != before:
        state.search.wrote(("wiki", wiki.id), before, (wiki.name, wiki.content), now)
    diff = "" if old == wiki.content else f"-{old}\n+{wiki.content}"
    record_activity(state, project.id, WIKI_UPDATED, _wiki_content(wiki, diff), user, now)
    return wiki
