"""How configuration names a Backlog user (issue 18 item 4): a login, a mail address, or ``id:123``.

Spaces on Backlog's new plan have no login (``userId`` is null: users join through a Nulab Account), so
a user may also be named by mail address or by numeric id. The numeric id is the identity; the other
two are handles that ``bot.backlog.people`` resolves against a project's user list, refusing a name
that matches nobody or more than one user. Pure: this module only reads the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator

from bot.config.fields import Text

#: ``id:`` then the numeric id Backlog gives every user (the ``id`` of ``GET /users/myself``).
_ID = re.compile(r"id:(\d{1,18})")


@dataclass(frozen=True)
class UserRef:
    """One parsed entry: ``kind`` says how ``value`` is compared (``mail`` case-insensitively)."""

    kind: Literal["id", "login", "mail"]
    value: str
    text: str

    @property
    def number(self) -> int:
        """The numeric id of an ``id:123`` entry (0 for the other kinds)."""
        return int(self.value) if self.kind == "id" else 0


def user_ref(text: str) -> UserRef:
    """The entry as written in ``service.toml``/``customers.toml``; a ValueError says what is wrong.

    ``id:…`` must be digits. A text with ``@`` is a mail address, but Backlog logins may contain ``@``
    too, so the resolver also compares it with logins (and refuses an entry matching two users).
    """
    entry = text.strip()
    if not entry:
        msg = "a user entry is empty"
        raise ValueError(msg)
    if entry.lower().startswith("id:"):
        match = _ID.fullmatch(entry.lower())
        if match is None:
            msg = f"{text!r}: after 'id:' comes the user's numeric id (e.g. 'id:1234')"
            raise ValueError(msg)
        return UserRef("id", str(int(match.group(1))), entry)
    if any(c.isspace() for c in entry):
        msg = f"{text!r}: a login or mail address has no spaces"
        raise ValueError(msg)
    return UserRef("mail" if "@" in entry else "login", entry, entry)


def _valid(text: str) -> str:
    user_ref(text)
    return text


#: A configuration field naming one Backlog user (checked when the file is read).
UserEntry = Annotated[Text, AfterValidator(_valid)]
