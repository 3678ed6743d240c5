"""Staff, the bot and each customer's inquirers as Backlog users (issue 18 item 4; rules P3, P4).

Configuration names them by login, mail address or ``id:123`` (``bot.config.users``); they are resolved
once against the projects' user lists (the staff project for staff and the bot, each customer's project
for its inquirers) and compared by numeric id from then on (``bot.backlog.people.is_handle_of``), so a
space whose users have no login (the new plan) works like any other. ``resolve`` does it all at start
(``run`` exits 2 on an unknown or ambiguous entry); otherwise each part is resolved when first needed.
The bot is also held against the key's own user (``GET /users/myself``): a configured ``bot_user`` that is
someone else would make the bot answer its own comments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.backlog.directory import Directory
from bot.backlog.models import User
from bot.backlog.people import handle, is_handle_of, resolve
from bot.config.loader import BotConfig
from bot.errors import ConfigError

log = logging.getLogger(__name__)

SERVICE_FILE = "service.toml"
CUSTOMERS_FILE = "customers.toml"


class People:
    """Resolved identities, cached for the life of the process (membership changes need a restart)."""

    def __init__(self, config: BotConfig, directory: Directory, myself: Callable[[], User]) -> None:
        self._config = config
        self._directory = directory
        self._myself = myself
        self._staff: tuple[User, ...] | None = None
        self._bot: User | None = None
        self._inquirers: dict[str, tuple[User, ...]] = {}

    def resolve(self) -> None:
        """Every configured user, now: a ConfigError (exit 2) names the file and the first bad entry."""
        _ = self.staff, self.bot
        for customer in self._config.customers:
            self.inquirers(customer.project)

    @property
    def staff(self) -> tuple[User, ...]:
        if self._staff is None:
            staff = self._config.service.staff
            members = self._directory.members(staff.project)
            self._staff = tuple(resolve(entry, members, file=SERVICE_FILE, field=f"staff.users[{n}]",
                                        where=staff.project) for n, entry in enumerate(staff.users))
        return self._staff

    @property
    def bot(self) -> User:
        if self._bot is None:
            staff = self._config.service.staff
            bot = resolve(staff.bot_user, self._directory.members(staff.project), file=SERVICE_FILE,
                          field="staff.bot_user", where=staff.project)
            me = self._myself()
            if me.id != bot.id:
                msg = (f"{staff.bot_user!r} is id:{bot.id}, but BACKLOG_API_KEY belongs to {handle(me)} "
                       f"(id:{me.id}): name the key's own user")
                raise ConfigError(SERVICE_FILE, "staff.bot_user", msg)
            self._bot = bot
        return self._bot

    def inquirers(self, project: str) -> tuple[User, ...]:
        found = self._inquirers.get(project)
        if found is None:
            customers = self._config.customers
            index = next((i for i, c in enumerate(customers) if c.project == project), None)
            if index is None:
                return ()
            entries = customers[index].inquirers
            members = self._directory.members(project) if entries else ()
            found = tuple(
                resolve(entry, members, file=CUSTOMERS_FILE, field=f"customer[{index}].inquirers[{n}]",
                        where=project) for n, entry in enumerate(entries))
            self._inquirers[project] = found
        return found

    # ---- who is who, by a user's handle (``bot.backlog.people.handle``) ---------------------------
    def is_staff(self, name: str) -> bool:
        return any(is_handle_of(name, u) for u in self.staff)

    def is_bot(self, name: str) -> bool:
        return is_handle_of(name, self.bot)

    def is_inquirer(self, project: str, name: str) -> bool:
        return any(is_handle_of(name, u) for u in self.inquirers(project))
