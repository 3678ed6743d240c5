"""Finding the bot's own writes in Backlog again, by deterministic reads only (issue 11, Deliver 2).

After a write whose answer was lost (read timeout, dropped connection, 5xx) the writer must know
whether it landed before it writes again. Backlog's keyword search cannot answer that: it is an index
whose terms, ranking and lag are undocumented (reference §8), so a write a second old may be missing
from it and would be written twice. These look-ups filter on stored fields instead:

- issues: ``createdUserId[]=<bot>`` + ``projectId[]`` + ``sort=created&order=desc``, paged by
  ``offset`` until the issues are older than the window the write can have landed in;
- comments: the issue's comments newest first (``order=desc``), paged by ``maxId`` the same way;
- wiki pages: the project's page list (no keyword), matched by name.

A write carries its reference line (INTERFACE "What the bot writes"): a document number in customer
projects (``お見積り番号：ACME-12-1``), a machine line in the staff project; a match is that line, on
a text the bot's own user wrote (anyone can quote a document number).
``since`` is when the write was first attempted, by the bot's clock; ``SKEW`` widens the window so a
clock that differs from Backlog's by up to a day cannot hide a write (it costs pages, not safety).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.backlog.reads import BacklogReads
from bot.backlog.refs import carries_reference

SKEW = timedelta(days=1)


def _has_line(text: str, ref: str) -> bool:
    """A line of ``text`` is ``ref``, with or without the data it carries (issue 15)."""
    return carries_reference(text.replace("\r\n", "\n"), ref)


def find_issue(client: BacklogReads, project_id: int, bot_id: int, ref: str, since: datetime) -> str | None:
    """The key of the bot's issue in ``project_id`` whose description carries ``ref``, if any.

    Reads only the bot's issues created from ``since - SKEW`` on, newest first (``createdSince`` is a
    JST day, reference §10, so one day more is asked for and ``created`` is checked here).
    """
    floor = since - SKEW
    for issue in client.iter_issues(project_ids=[project_id], created_user_ids=[bot_id], sort="created",
                                    order="desc", created_since=(floor - timedelta(days=1)).date()):
        if issue.created < floor:
            return None
        if _has_line(issue.description, ref):
            return issue.key
    return None


def find_comment(client: BacklogReads, issue_key: str, ref: str, since: datetime,
                 bot_id: int | None = None) -> str | None:
    """``KEY#id`` of the bot's comment on ``issue_key`` carrying ``ref``, reading newest first back to
    ``since - SKEW`` (every page needed, not one). ``bot_id`` None accepts any author (tests only)."""
    floor = since - SKEW
    for comment in client.iter_comments_newest_first(issue_key):
        if comment.created < floor:
            return None
        mine = bot_id is None or (comment.created_user is not None and comment.created_user.id == bot_id)
        if mine and _has_line(comment.content, ref):
            return f"{issue_key}#{comment.id}"
    return None


def find_wiki(client: BacklogReads, project: str, name: str, ref: str) -> str | None:
    """The id of the page named ``name`` whose content carries ``ref`` (the list has no content, so
    the page with that name is read)."""
    for page in client.list_wikis(project):
        if page.name == name and _has_line(client.get_wiki(page.id).content or "", ref):
            return str(page.id)
    return None
