"""``rebuild-state``, the reading half: everything the bot wrote into Backlog, found by its reference lines.

Procfile platforms may wipe local disk (issue 7). Every issue, comment and wiki page the bot writes ends
with a reference line (INTERFACE "What the bot writes"), so the bot's own writing is a durable copy of its
state. This module only reads: it walks the customer projects and the staff project and returns what it
found; ``bot.rebuild.restore`` turns that into store records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.backlog.models import Comment, Issue
from bot.backlog.people import named_by
from bot.backlog.refs import find_reference
from bot.backlog_client import BacklogClient
from bot.config.loader import BotConfig

log = logging.getLogger(__name__)

REPORT_PAGE_PREFIX = "保守レポート/"


@dataclass(frozen=True)
class Found:
    """One thing the bot wrote: its reference, kind (issue, comment, wiki), project, target and text.

    ``target`` has the writer's form (``ACME-12``, ``ACME-12#345``, a wiki page id); ``at`` is when
    Backlog says it was written.
    """

    ref: str
    kind: str
    project: str
    target: str
    text: str
    at: datetime
    issue_key: str | None = None


@dataclass
class Scan:
    """What one walk over Backlog found: the bot's writings, the issues and their comments."""

    found: list[Found] = field(default_factory=list)
    issues: dict[str, Issue] = field(default_factory=dict)
    comments: dict[str, list[Comment]] = field(default_factory=dict)
    calls: int = 0

    def by_ref(self) -> dict[str, Found]:
        return {f.ref: f for f in self.found}

    def with_prefix(self, prefix: str) -> list[Found]:
        return [f for f in self.found if f.ref.startswith(prefix)]


def _by(obj: Issue | Comment, user_id: int) -> bool:
    """Whether ``obj`` was written by the user with the numeric id ``user_id`` (issue 18: the login is
    null on spaces of the new plan, the id never is)."""
    return obj.created_user is not None and obj.created_user.id == user_id


def _by_staff(obj: Issue | Comment, entries: tuple[str, ...]) -> bool:
    """Whether a configured staff entry (login, mail address or ``id:123``) names the author."""
    return named_by(entries, obj.created_user)


def scan_backlog(client: BacklogClient, config: BotConfig) -> Scan:
    """Walk every configured customer project and the staff project.

    Deterministic reads only, each paged to its end (issue 11): never keyword search, whose index may
    lag behind the bot's last writes. Issues: all of a customer project's (``offset`` paging, oldest
    first); in the staff project only the bot's own (``createdUserId[]``), the only ones it writes in.
    Comments: every page (``minId``) of the issues the bot may have written in, i.e. issues it
    created and customer issues not opened by staff (the bot acknowledges every inquiry). Wiki pages:
    the project's page list, report pages (``保守レポート/...``) by name. Only texts by the bot user
    count: customers cannot forge a reference, and ``untrusted()`` neutralises references quoted
    inside the bot's own texts.
    """
    staff = config.service.staff
    scan = Scan()
    bot_id = client.get_myself().id
    scan.calls += 1
    keys = [c.project for c in config.customers] + [staff.project]
    for key in keys:
        project = client.get_project(key)
        scan.calls += 1
        creators = [bot_id] if key == staff.project else []
        for issue in client.iter_issues(project_ids=[project.id], created_user_ids=creators, sort="created",
                                        order="asc"):
            scan.issues[issue.key] = issue
            if _by(issue, bot_id):
                ref = find_reference(issue.description)
                if ref is not None:
                    scan.found.append(Found(ref, "issue", key, issue.key, issue.description, issue.created,
                                            issue.key))
            if not _by(issue, bot_id) and (key == staff.project or _by_staff(issue, staff.users)):
                continue
            comments = list(client.iter_comments(issue.key))
            scan.calls += 1 + len(comments) // 100
            scan.comments[issue.key] = comments
            for c in comments:
                ref = find_reference(c.content) if _by(c, bot_id) else None
                if ref is not None:
                    scan.found.append(Found(ref, "comment", key, f"{issue.key}#{c.id}", c.content, c.created,
                                            issue.key))
        if project.use_wiki:
            _scan_wiki(client, scan, key)
    log.info("rebuild: read %d issues and %d bot writings from Backlog", len(scan.issues), len(scan.found))
    return scan


def _scan_wiki(client: BacklogClient, scan: Scan, key: str) -> None:
    for page in client.list_wikis(key):
        scan.calls += 1
        if not page.name.startswith(REPORT_PAGE_PREFIX):
            continue
        content = client.get_wiki(page.id).content or ""
        scan.calls += 1
        ref = find_reference(content)
        if ref is not None:
            scan.found.append(Found(ref, "wiki", key, str(page.id), content, page.updated))
