"""The activity feed read record by record (issue 18 item 5): one record the bot does not understand never
stalls a poll.

Backlog's feed grows new kinds (types 34-48 since 2025-26: a deleted status moving issues, bulk date
changes, Documents with hex string ids, bulk creation; backlog-js ``src/types.ts``/``src/entity.ts``),
and a record may lack a field or carry it typed otherwise. So each record is read on its own:

- the envelope (``id``, ``type``, ``created``, ``project``, ``createdUser``) of every record;
- the ``content`` only of the types the bot acts on (:data:`READ_TYPES`), strictly: ids must be
  numbers (or digit strings, as idobata-hooks fixtures show), comments ``{id, content}``;
- anything else is a :class:`~bot.backlog.models.SkippedActivity` with its id (so the cursor moves
  past it), its type and what was not understood. Types outside ``READ_TYPES`` are read as envelopes
  with empty content: they are not the bot's business, but their author and id still count.

``changes[]`` is read leniently (entries that are not objects are dropped): nothing acts on it
(issue 11); type-14 entries carry no ``old_value`` (backlog-js ``MultiUpdateChange``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.backlog.models import (
    Activity,
    ActivityContent,
    ActivityLink,
    ActivityPage,
    ChangeLogEntry,
    SkippedActivity,
)
from bot.backlog.parse import parse_change, parse_datetime, parse_user

Json = Mapping[str, Any]

# Backlog activity types the bot acts on (reference §8, §13; backlog-js ``ActivityType``).
ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED, ISSUE_DELETED = 1, 2, 3, 4
ISSUE_MULTI_UPDATED, ISSUE_MULTI_CREATED = 14, 47
READ_TYPES = frozenset({ISSUE_CREATED, ISSUE_UPDATED, ISSUE_COMMENTED, ISSUE_DELETED, ISSUE_MULTI_UPDATED,
                        ISSUE_MULTI_CREATED})
_EMPTY = ActivityContent(None, None, None, None, None, None, ())


class Unreadable(ValueError):
    """A field of a record is missing or typed otherwise (raised and caught inside this module)."""


def _int(value: Any, what: str) -> int:
    # A number, or a string of digits (idobata fixtures: ``"key_id": "100"``); never a bool, a float or
    # a hex Documents id (``"019d465a…"``), which would otherwise be read as something it is not.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    msg = f"{what} is {type(value).__name__} {str(value)[:40]!r}, not a whole number"
    raise Unreadable(msg)


def _opt_int(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _obj(value: Any, what: str) -> Json:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        msg = f"{what} is {type(value).__name__}, not an object"
        raise Unreadable(msg)
    return value


def _opt_text(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    msg = f"{what} is {type(value).__name__}, not text"
    raise Unreadable(msg)


def _changes(raw: Any) -> tuple[ChangeLogEntry, ...]:
    return tuple(parse_change(c) for c in raw if isinstance(c, Mapping)) if isinstance(raw, list) else ()


def _link(d: Any, n: int) -> ActivityLink:
    link = _obj(d, f"link[{n}]")
    comment = _obj(link.get("comment"), f"link[{n}].comment")
    return ActivityLink(
        _int(link.get("id"), f"link[{n}].id"), _opt_int(link.get("key_id"), f"link[{n}].key_id"),
        str(link.get("title") or ""),
        comment_id=_opt_int(comment.get("id"), f"link[{n}].comment.id"),
        comment_content=_opt_text(comment.get("content"), f"link[{n}].comment.content"),
    )


def _content(kind: int, c: Json) -> ActivityContent:
    """The ``content`` of a type the bot acts on; :class:`Unreadable` when a field it needs is not there."""
    comment = _obj(c.get("comment"), "content.comment")
    if kind in (ISSUE_MULTI_UPDATED, ISSUE_MULTI_CREATED):
        links = c.get("link")
        if not isinstance(links, list):
            msg = "content.link is not a list"
            raise Unreadable(msg)
        return ActivityContent(
            None, None, None, None, None, _opt_text(comment.get("content"), "content.comment.content"),
            _changes(c.get("changes")), links=tuple(_link(x, n) for n, x in enumerate(links)),
            tx_id=_opt_int(c.get("tx_id"), "content.tx_id"))
    return ActivityContent(
        id=_int(c.get("id"), "content.id"),
        key_id=_int(c.get("key_id"), "content.key_id"),
        summary=_opt_text(c.get("summary"), "content.summary"),
        description=_opt_text(c.get("description"), "content.description"),
        comment_id=_opt_int(comment.get("id"), "content.comment.id"),
        comment_content=_opt_text(comment.get("content"), "content.comment.content"),
        changes=_changes(c.get("changes")),
    )


def parse_activity(d: Json) -> Activity:
    """One record as an :class:`Activity`; raises :class:`Unreadable` (a ValueError) when it is not one."""
    kind = _int(d.get("type"), "type")
    project = _obj(d.get("project"), "project")
    created = d.get("created")
    if not isinstance(created, str):
        msg = "created is missing"
        raise Unreadable(msg)
    try:
        user = parse_user(_obj(d.get("createdUser"), "createdUser"))
        at = parse_datetime(created)
    except (KeyError, TypeError, ValueError) as exc:
        raise Unreadable(f"createdUser or created unreadable ({type(exc).__name__})") from None
    if kind in READ_TYPES and user is None:
        # Without an author the bot cannot tell its own records or staff from customers.
        msg = "createdUser is missing"
        raise Unreadable(msg)
    key = project.get("projectKey")
    return Activity(
        id=_int(d.get("id"), "id"),
        type=kind,
        project_key=key if isinstance(key, str) else None,
        project_id=_opt_int(project.get("id"), "project.id"),
        content=_content(kind, _obj(d.get("content"), "content")) if kind in READ_TYPES else _EMPTY,
        created_user=user,
        created=at,
    )


def parse_record(d: Any) -> Activity | SkippedActivity:
    """One record of the feed, never raising: an :class:`Activity`, or what was skipped and why."""
    if not isinstance(d, Mapping):
        return SkippedActivity(None, "?", f"a record that is {type(d).__name__}, not an object")
    raw_id, raw_type = d.get("id"), d.get("type")
    try:
        return parse_activity(d)
    except Unreadable as exc:
        try:
            ident: int | None = _int(raw_id, "id")
        except Unreadable:
            ident = None
        return SkippedActivity(ident, "?" if raw_type is None else str(raw_type)[:20], str(exc))


def parse_page(body: Sequence[Any]) -> ActivityPage:
    """Every record of one answer, in the order given; ``size`` counts them all (full page or not)."""
    return ActivityPage(tuple(parse_record(d) for d in body), len(body))
