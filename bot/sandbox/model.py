"""In-memory Backlog space of the emulator: plain mutable records plus look-ups (no HTTP here)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.errors import BacklogNotFoundError
from bot.sandbox.search import SearchIndex

# The emulator's state is a small mutable database; records are deliberately NOT frozen so that tests
# and the demo can prepare data in place (``emu.state``). Every mutation happens under ``SpaceState.lock``.

CustomValue = str | Decimal | int | list[int] | None


@dataclass
class User:
    """A Backlog user; ``user_id`` is the login name (``userId``), ``id`` the numeric id.

    ``nulab_only``: a user of a space on the new plan, who joined through a Nulab Account: the API shows
    ``"userId": null`` (the emulator keeps ``user_id`` for its own helpers, ``add_issue_as("yamada", ...)``).
    """

    id: int
    user_id: str
    name: str
    role_type: int = 2
    lang: str = "ja"
    mail_address: str = ""
    api_key: str = ""
    nulab_only: bool = False


@dataclass
class Status:
    id: int
    project_id: int
    name: str
    color: str
    display_order: int


@dataclass
class IssueType:
    id: int
    project_id: int
    name: str
    color: str
    display_order: int


@dataclass
class Category:
    id: int
    project_id: int
    name: str
    display_order: int


@dataclass
class CustomFieldItem:
    id: int
    name: str
    display_order: int


@dataclass
class CustomField:
    """A custom field; ``type_id`` 1 text, 2 sentence, 3 number, 4 date, 5 list, 6 multi, 7 check, 8 radio."""

    id: int
    project_id: int
    type_id: int
    name: str
    description: str = ""
    required: bool = False
    applicable_issue_types: list[int] = field(default_factory=list)
    items: list[CustomFieldItem] = field(default_factory=list)


@dataclass
class Project:
    id: int
    key: str
    name: str
    text_formatting_rule: str = "markdown"
    use_wiki: bool = True
    archived: bool = False
    display_order: int = 0
    statuses: list[Status] = field(default_factory=list)
    issue_types: list[IssueType] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    custom_fields: list[CustomField] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    next_key_id: int = 1


@dataclass
class Issue:
    id: int
    project_id: int
    key_id: int
    issue_type_id: int
    summary: str
    description: str
    status_id: int
    priority_id: int
    created_user_id: int
    created: float
    updated_user_id: int
    updated: float
    assignee_id: int | None = None
    resolution_id: int | None = None
    category_ids: list[int] = field(default_factory=list)
    parent_issue_id: int | None = None
    start_date: str | None = None
    due_date: str | None = None
    estimated_hours: Decimal | None = None
    actual_hours: Decimal | None = None
    custom_values: dict[int, CustomValue] = field(default_factory=dict)


@dataclass
class Comment:
    id: int
    project_id: int
    issue_id: int
    content: str
    created_user_id: int
    created: float
    updated: float
    change_log: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Wiki:
    id: int
    project_id: int
    name: str
    content: str
    created_user_id: int
    created: float
    updated_user_id: int
    updated: float


@dataclass
class Activity:
    """One "recent update"; ``content`` already has Backlog's snake_case keys."""

    id: int
    project_id: int
    type: int
    content: dict[str, Any]
    created_user_id: int
    created: float


@dataclass
class Space:
    space_key: str = "hoshu"
    name: str = "保守サービス"
    owner_id: int = 0
    lang: str = "ja"
    timezone: str = "Asia/Tokyo"
    text_formatting_rule: str = "markdown"
    created: float = 0.0


PRIORITIES: dict[int, str] = {2: "高", 3: "中", 4: "低"}
RESOLUTIONS: dict[int, str] = {0: "対応済み", 1: "対応しない", 2: "無効", 3: "重複", 4: "再現しない"}


@dataclass
class SpaceState:
    """The whole emulated space. Hold ``lock`` while reading or writing from another thread."""

    space: Space = field(default_factory=Space)
    users: dict[int, User] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    wikis: dict[int, Wiki] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    priorities: dict[int, str] = field(default_factory=lambda: dict(PRIORITIES))
    bot_user_id: int = 0
    #: ``minId`` activity queries answered with the newest page instead of the one straight after ``minId``
    #: (the other reading of an undocumented behaviour, issue 18 item 6; ``bot.sandbox.queries.id_window``).
    min_id_newest: bool = False
    search: SearchIndex = field(default_factory=SearchIndex)  # keyword search, lagging behind writes
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _ids: dict[str, int] = field(default_factory=dict, repr=False)
    _issue_index: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _project_keys: dict[str, int] = field(default_factory=dict, repr=False)

    def add_project(self, project: Project) -> None:
        self.projects[project.id] = project
        self._project_keys[project.key] = project.id

    def add_issue(self, issue: Issue) -> None:
        """Stores an issue and indexes its key (issues put straight into ``issues`` are found too, slower)."""
        self.issues[issue.id] = issue
        self._issue_index[(issue.project_id, issue.key_id)] = issue.id

    def next_id(self, kind: str, start: int = 1) -> int:
        """Hands out space-wide ids per kind (issues, comments, ...), like Backlog's global sequences."""
        value = self._ids.get(kind, start)
        self._ids[kind] = value + 1
        return value

    def reserve_id(self, kind: str, used: int) -> None:
        """Makes sure ``next_id(kind)`` never returns ``used`` or anything below it (explicit seed ids)."""
        self._ids[kind] = max(self._ids.get(kind, 1), used + 1)

    # --- look-ups -----------------------------------------------------------------------------------
    def project(self, id_or_key: str | int) -> Project:
        """Finds a project by numeric id or key; 404 code 6 ("No project.") otherwise."""
        text = str(id_or_key)
        if text.isdigit() and int(text) in self.projects:
            return self.projects[int(text)]
        indexed = self._project_keys.get(text)
        if indexed is not None and indexed in self.projects:
            return self.projects[indexed]
        for project in self.projects.values():
            if project.key == text:
                return project
        raise BacklogNotFoundError("No project.", status=404, code=6)

    def user(self, user_id: str) -> User:
        """Finds a user by login name (``userId``) or numeric id."""
        for user in self.users.values():
            if user.user_id == user_id or str(user.id) == user_id:
                return user
        raise BacklogNotFoundError("No user.", status=404, code=6)

    def user_by_key(self, api_key: str) -> User | None:
        return next((u for u in self.users.values() if u.api_key and u.api_key == api_key), None)

    def issue(self, id_or_key: str | int) -> Issue:
        """Finds an issue by id or ``KEY-N``; 404 code 6 ("No issue.") otherwise."""
        text = str(id_or_key)
        if text.isdigit():
            found = self.issues.get(int(text))
            if found is not None:
                return found
        elif "-" in text:
            key, _, number = text.rpartition("-")
            if number.isdigit():
                project = self.projects.get(self._project_keys.get(key, -1))
                indexed = self._issue_index.get((project.id, int(number))) if project else None
                if indexed is not None and indexed in self.issues:
                    return self.issues[indexed]
                for issue in self.issues.values():
                    if issue.key_id == int(number) and self.projects[issue.project_id].key == key:
                        return issue
        raise BacklogNotFoundError("No issue.", status=404, code=6)

    def wiki(self, wiki_id: str | int) -> Wiki:
        text = str(wiki_id)
        if text.isdigit() and int(text) in self.wikis:
            return self.wikis[int(text)]
        raise BacklogNotFoundError("No wiki.", status=404, code=6)

    def issue_key(self, issue: Issue) -> str:
        return f"{self.projects[issue.project_id].key}-{issue.key_id}"

    def comments_of(self, issue_id: int) -> list[Comment]:
        return [c for c in self.comments.values() if c.issue_id == issue_id]
