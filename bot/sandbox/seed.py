"""Builds the emulated space from a seed (TOML/JSON file or dict); ``seed_for`` generates large seeds."""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from bot.sandbox import wikis, writes
from bot.sandbox.model import (
    Category,
    CustomField,
    CustomFieldItem,
    IssueType,
    Project,
    Space,
    SpaceState,
    Status,
    User,
)

Seed = dict[str, Any]

# Backlog's four default statuses, shared ids 1-4 in every project (reference section 7).
DEFAULT_STATUSES = (
    (1, "未対応", "#ed8077"),
    (2, "処理中", "#4488c5"),
    (3, "処理済み", "#5eb5a6"),
    (4, "完了", "#b0be3c"),
)
TYPE_COLORS = ("#7ea800", "#990000", "#ff9200", "#2779ca", "#7e6cb3", "#e30000")


def default_seed() -> Seed:
    """The bundled shared example data (``bot/sandbox/seed.toml``): ACME, BETA, HOSHU and their users."""
    text = resources.files("bot.sandbox").joinpath("seed.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_seed(source: str | Path | Mapping[str, Any] | None) -> Seed:
    """A seed from a ``.toml``/``.json`` path, an already-built mapping (copied), or the bundled default."""
    if source is None:
        return default_seed()
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    path = Path(source)
    raw = path.read_text(encoding="utf-8")
    data: Seed = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw)
    return data


def seed_for(customers: int, *, base: Seed | None = None) -> Seed:
    """The default seed plus ``customers`` generated projects ``CUST001``.. each with one customer user.

    Used by scale tests and benchmarks (200 and 1,000 projects).
    """
    seed = copy.deepcopy(base) if base is not None else default_seed()
    staff = [
        u["userId"]
        for u in seed.get("users", [])
        if u.get("staff") or u["userId"] == seed["space"].get("botUser")
    ]
    for n in range(1, customers + 1):
        key = f"CUST{n:03d}"
        login = f"cust{n:03d}-user"
        seed.setdefault("users", []).append(
            {"userId": login, "name": f"顧客{n:03d} 担当", "mailAddress": f"{login}@cust.example.jp"}
        )
        seed.setdefault("projects", []).append(
            {
                "projectKey": key,
                "name": f"顧客{n:03d}株式会社",
                "textFormattingRule": "markdown" if n % 2 else "backlog",
                "useWiki": n % 3 != 0,
                "members": [*staff, login],
                "issueTypes": ["タスク", "バグ", "要望", "その他", "監視アラート"],
                "statuses": [{"name": "お客様確認待ち", "color": "#f1c40f"}],
            }
        )
    return seed


def new_plan_seed(base: Seed | None = None) -> Seed:
    """``base`` (default: the bundled seed) as a space on Backlog's new plan: ``space.newPlan = true``, so
    every user is shown with ``"userId": null`` and a ``nulabAccount`` (issue 18 item 4)."""
    seed = copy.deepcopy(base) if base is not None else default_seed()
    seed.setdefault("space", {})["newPlan"] = True
    return seed


def epoch(value: object, fallback: float) -> float:
    """Seed timestamps: TOML datetimes or ISO strings (``Z`` allowed); naive means UTC."""
    if value is None:
        return fallback
    moment = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _user(state: SpaceState, raw: Mapping[str, Any]) -> User:
    user_id = int(raw["id"]) if "id" in raw else state.next_id("user", 1000)
    state.reserve_id("user", user_id)
    login = str(raw["userId"])
    return User(
        id=user_id,
        user_id=login,
        name=str(raw.get("name", login)),
        role_type=int(raw.get("roleType", 2)),
        lang=str(raw.get("lang", "ja")),
        mail_address=str(raw.get("mailAddress", f"{login}@example.jp")),
        api_key=str(raw.get("apiKey", f"key-{login}")),
    )


def _project(state: SpaceState, raw: Mapping[str, Any], order: int, users: Mapping[str, User]) -> Project:
    project_id = int(raw["id"]) if "id" in raw else state.next_id("project", 101)
    state.reserve_id("project", project_id)
    project = Project(
        id=project_id,
        key=str(raw["projectKey"]),
        name=str(raw.get("name", raw["projectKey"])),
        text_formatting_rule=str(raw.get("textFormattingRule", "markdown")),
        use_wiki=bool(raw.get("useWiki", True)),
        display_order=order,
        member_ids=[users[m].id for m in raw.get("members", [])],
    )
    for n, (sid, name, color) in enumerate(DEFAULT_STATUSES):
        project.statuses.append(Status(sid, project_id, name, color, 1000 + n))
    for n, status in enumerate(raw.get("statuses", [])):
        sid = int(status["id"]) if "id" in status else state.next_id("status", 5)
        state.reserve_id("status", max(sid, 4))
        project.statuses.append(
            Status(sid, project_id, str(status["name"]), str(status.get("color", "#888888")), 2000 + n)
        )
    for n, entry in enumerate(raw.get("issueTypes", [])):
        item: Mapping[str, Any] = {"name": entry} if isinstance(entry, str) else entry
        tid = int(item["id"]) if "id" in item else state.next_id("issueType")
        state.reserve_id("issueType", tid)
        color = str(item.get("color", TYPE_COLORS[n % len(TYPE_COLORS)]))
        project.issue_types.append(IssueType(tid, project_id, str(item["name"]), color, n))
    for n, entry in enumerate(raw.get("categories", [])):
        item = {"name": entry} if isinstance(entry, str) else entry
        cid = int(item["id"]) if "id" in item else state.next_id("category")
        state.reserve_id("category", cid)
        project.categories.append(Category(cid, project_id, str(item["name"]), n))
    type_ids = {t.name: t.id for t in project.issue_types}
    for entry in raw.get("customFields", []):
        fid = int(entry["id"]) if "id" in entry else state.next_id("customField")
        state.reserve_id("customField", fid)
        items = [
            CustomFieldItem(
                int(i["id"]) if "id" in i else state.next_id("customFieldItem"), str(i["name"]), n
            )
            for n, i in enumerate(entry.get("items", []))
        ]
        applicable = [type_ids[name] for name in entry.get("applicableIssueTypes", [])]
        project.custom_fields.append(
            CustomField(
                fid,
                project_id,
                int(entry["typeId"]),
                str(entry["name"]),
                str(entry.get("description", "")),
                bool(entry.get("required", False)),
                applicable,
                items,
            )
        )
    return project


def build_state(seed: Mapping[str, Any], clock: Callable[[], float]) -> SpaceState:
    """The in-memory space for a seed; seeded issues, comments and wikis go through the normal write path
    (so they get activities), stamped with their seed times."""
    state = SpaceState()
    space = seed.get("space", {})
    state.space = Space(
        space_key=str(space.get("spaceKey", "hoshu")),
        name=str(space.get("name", "保守サービス")),
        lang=str(space.get("lang", "ja")),
        timezone=str(space.get("timezone", "Asia/Tokyo")),
        text_formatting_rule=str(space.get("textFormattingRule", "markdown")),
        created=epoch(space.get("created"), clock()),
    )
    new_plan = bool(space.get("newPlan", False))
    for raw in seed.get("users", []):
        user = _user(state, raw)
        # A space on the new plan: every user joined through a Nulab Account and has no login in the API.
        user.nulab_only = new_plan or bool(raw.get("nulabOnly", False))
        state.users[user.id] = user
    by_login = {u.user_id: u for u in state.users.values()}
    state.bot_user_id = by_login[str(space.get("botUser", "hoshu-bot"))].id
    state.space.owner_id = by_login.get(
        str(space.get("ownerUser", "")), by_login[str(space.get("botUser", "hoshu-bot"))]
    ).id
    for order, raw in enumerate(seed.get("projects", [])):
        project = _project(state, raw, order, by_login)
        if state.bot_user_id not in project.member_ids:
            # The bot works in every project it is given; a seed need not list it as a member.
            project.member_ids.insert(0, state.bot_user_id)
        state.add_project(project)
    bot = state.users[state.bot_user_id].user_id
    for raw in seed.get("issues", []):
        _seed_issue(state, {"createdUser": bot, **raw}, by_login, clock)
    for raw in seed.get("wikis", []):
        project = state.project(str(raw["project"]))
        form = {
            "projectId": [str(project.id)],
            "name": [str(raw["name"])],
            "content": [str(raw.get("content", ""))],
        }
        author = by_login[str(raw.get("createdUser", bot))]
        wikis.create_wiki(state, author, form, epoch(raw.get("created"), clock()))
    return state


def _seed_issue(
    state: SpaceState, raw: Mapping[str, Any], users: Mapping[str, User], clock: Callable[[], float]
) -> None:
    project = state.project(str(raw["project"]))
    type_name = str(raw.get("issueType", project.issue_types[0].name))
    form = {
        "projectId": [str(project.id)],
        "summary": [str(raw["summary"])],
        "description": [str(raw.get("description", ""))],
        "issueTypeId": [str(next(t.id for t in project.issue_types if t.name == type_name))],
        "priorityId": [str(raw.get("priority", 3))],
    }
    created = epoch(raw.get("created"), clock())
    issue = writes.create_issue(state, users[str(raw["createdUser"])], form, created)
    issue.status_id = int(raw.get("status", issue.status_id))
    if "assignee" in raw:
        issue.assignee_id = users[str(raw["assignee"])].id
    for comment in raw.get("comments", []):
        when = epoch(comment.get("created"), created)
        writes.add_comment(
            state, users[str(comment["user"])], issue, {"content": [str(comment["content"])]}, when
        )
    issue.updated = epoch(raw.get("updated"), issue.updated)
