"""What the bot knows of the Backlog space: projects, statuses, issue types, users; looked up once, cached.

Lookups are lazy (a project's metadata costs four read calls the first time it is needed), so a space
with 1,000 customer projects costs nothing until a project has news.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.backlog.models import IssueType, Priority, Project, Status, User
from bot.backlog.people import find


class DirectoryClient(Protocol):
    def get_project(self, key_or_id: str | int) -> Project: ...
    def get_statuses(self, project: str | int) -> list[Status]: ...
    def get_issue_types(self, project: str | int) -> list[IssueType]: ...
    def get_project_users(self, project: str | int) -> list[User]: ...
    def get_priorities(self) -> list[Priority]: ...


@dataclass(frozen=True)
class ProjectInfo:
    """One project with what the bot needs to write into it."""

    project: Project
    statuses: tuple[Status, ...]
    issue_types: tuple[IssueType, ...]
    users: tuple[User, ...]

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def rule(self) -> str:
        """The project's ``textFormattingRule``: ``markdown`` or ``backlog``."""
        return self.project.text_formatting_rule

    def issue_type_named(self, *names: str) -> IssueType:
        """The first issue type among ``names``; else the project's first type (every project has one)."""
        for name in names:
            for t in self.issue_types:
                if t.name == name:
                    return t
        return self.issue_types[0]

    def user(self, entry: str) -> User | None:
        """The member a configuration entry names (login, mail address or ``id:123``; issue 18): the one
        match, else None (nobody, or several: ``bot.backlog.people.resolve`` says which at start)."""
        return find(entry, self.users)


class Directory:
    """A cache of the space's metadata in front of the client."""

    def __init__(self, client: DirectoryClient) -> None:
        self._client = client
        self._projects: dict[str, ProjectInfo] = {}
        self._priorities: tuple[Priority, ...] | None = None
        self._members: dict[str, tuple[User, ...]] = {}

    def project(self, key: str) -> ProjectInfo:
        info = self._projects.get(key)
        if info is None:
            project = self._client.get_project(key)
            info = ProjectInfo(
                project=project,
                statuses=tuple(self._client.get_statuses(project.id)),
                issue_types=tuple(self._client.get_issue_types(project.id)),
                users=tuple(self._client.get_project_users(project.id)),
            )
            self._projects[key] = info
        return info

    def members(self, key: str) -> tuple[User, ...]:
        """The project's users (one call the first time, none once ``project`` has loaded them)."""
        info = self._projects.get(key)
        if info is not None:
            return info.users
        users = self._members.get(key)
        if users is None:
            users = self._members[key] = tuple(self._client.get_project_users(key))
        return users

    def priority_id(self, name: str = "中") -> int:
        if self._priorities is None:
            self._priorities = tuple(self._client.get_priorities())
        for p in self._priorities:
            if p.name in (name, "Normal"):
                return p.id
        # Backlog's defaults: 2 high, 3 normal, 4 low (reference §7).
        return 3
