"""Who a Backlog user is (issue 18 item 4): the numeric id, never the login alone.

``userId`` (the login) is null for every user of a space on the new plan, and has been seen null in
activity payloads (idobata-hooks fixtures); the numeric ``id`` is always there. So the bot names a user
in its events and records by :func:`handle` (the login when there is one, else ``id:123``) and decides
"is this the bot / staff / an inquirer" with :func:`is_handle_of`, which compares numeric ids whenever
the handle carries one. Configuration entries (``bot.config.users``) are resolved here against a
project's user list: unknown or ambiguous entries are refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.backlog.models import User
from bot.config.users import UserRef, user_ref
from bot.errors import ConfigError


def handle(user: User | None) -> str:
    """How the bot names ``user`` in events, records and logs: ``yamada``, or ``id:1003`` without a login."""
    if user is None:
        return ""
    return user.user_id or f"id:{user.id}"


def is_handle_of(name: str, user: User) -> bool:
    """Whether ``name`` (a :func:`handle`) is ``user``: by numeric id for ``id:…``, else by login."""
    if not name:
        return False
    if name.startswith("id:"):
        return name[3:].isdigit() and int(name[3:]) == user.id
    return user.user_id is not None and user.user_id == name


def candidates(ref: UserRef, users: Iterable[User]) -> tuple[User, ...]:
    """Every distinct user ``ref`` may mean: the id; the login; the mail address (case-insensitive).

    A text with ``@`` is compared with logins too (Backlog allows ``@`` in logins), so an entry that is
    one user's login and another's address comes back twice and is refused as ambiguous.
    """
    found: dict[int, User] = {}
    for u in users:
        if ref.kind == "id":
            hit = u.id == ref.number
        else:
            hit = u.user_id is not None and u.user_id == ref.value
            if ref.kind == "mail" and u.mail_address:
                hit = hit or u.mail_address.casefold() == ref.value.casefold()
        if hit:
            found.setdefault(u.id, u)
    return tuple(found.values())


def find(entry: str, users: Iterable[User]) -> User | None:
    """The one user ``entry`` names among ``users``; None when it names nobody, several, or is malformed."""
    try:
        ref = user_ref(entry)
    except ValueError:
        return None
    found = candidates(ref, users)
    return found[0] if len(found) == 1 else None


def named_by(entries: Iterable[str], user: User | None) -> bool:
    """Whether one of the configured ``entries`` (login, mail address or ``id:123``) names ``user``."""
    return user is not None and any(find(e, [user]) is user for e in entries)


def resolve(entry: str, users: Iterable[User], *, file: str, field: str, where: str) -> User:
    """The one user ``entry`` names in ``where`` (a project key), else a ConfigError naming file and entry."""
    try:
        ref = user_ref(entry)
    except ValueError as exc:
        raise ConfigError(file, field, str(exc)) from None
    found = candidates(ref, users)
    if not found:
        msg = (f"{entry!r} is not a user of project {where} (name a user by login, mail address or "
               "'id:123'; spaces on the new plan have no login)")
        raise ConfigError(file, field, msg)
    if len(found) > 1:
        ids = ", ".join(f"id:{u.id}" for u in found)
        msg = f"{entry!r} matches several users of project {where} ({ids}): name one by 'id:123'"
        raise ConfigError(file, field, msg)
    return found[0]
