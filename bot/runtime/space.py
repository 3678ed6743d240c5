"""The store belongs to one Backlog space (issue 19 item 1).

A store made against the sandbox and then pointed at production (or at another customer's space) would
carry its activity cursor, its references and its hours into a place they do not describe: the new
space's inquiries go unanswered (the cursor is past their ids) and the quotes state hours used elsewhere.
So the first start records the space key, the bot user's id and the configured projects' ids in the
store's metadata, and every later start compares: another space or another bot user is refused (exit 2)
naming both and how to start a fresh store; a project deleted and re-created under the same key (a new
id) is refused the same way. A project added to the configuration later is recorded when first seen.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from bot.errors import StateError
from bot.state import StateStore

log = logging.getLogger(__name__)

SPACE, BOT_USER, PROJECTS = "backlog:space", "backlog:bot-user-id", "backlog:project-ids"


class ForeignStoreError(StateError):
    """The store was made for another Backlog space, bot user or project (exit 2)."""


def _fresh(store: StateStore) -> str:
    return (f"to start there, point BOT_STATE_PATH (or DATABASE_URL) at a new store, or run "
            f"'hoshu-bot rebuild-state --force' to rebuild {store.describe()} from this space")


def check_space(store: StateStore, space: str, bot_user_id: int, projects: Mapping[str, int]) -> None:
    """Record the identity on the first start; refuse a store of another space, user or project."""
    known_space, known_user = store.get_meta(SPACE), store.get_meta(BOT_USER)
    known: dict[str, int] = json.loads(store.get_meta(PROJECTS) or "{}")
    if known_space is not None and known_space != space:
        msg = (f"state store {store.describe()} belongs to Backlog space {known_space}, but BACKLOG_BASE_URL "
               f"and BACKLOG_API_KEY reach space {space}; {_fresh(store)}")
        raise ForeignStoreError(msg)
    if known_user is not None and known_user != str(bot_user_id):
        msg = (f"state store {store.describe()} was written by the bot user id:{known_user} of space "
               f"{space}, but BACKLOG_API_KEY is of id:{bot_user_id}; use the bot user's key, or "
               f"{_fresh(store)}")
        raise ForeignStoreError(msg)
    changed = sorted(k for k, pid in projects.items() if k in known and known[k] != pid)
    if changed:
        which = ", ".join(f"{k} (id {known[k]} in the store, {projects[k]} now)" for k in changed)
        msg = (f"project {which} in space {space} was re-created: the store's records are of the old "
               f"project; {_fresh(store)}")
        raise ForeignStoreError(msg)
    if known_space is None:
        log.info("state store %s now belongs to Backlog space %s (bot user id:%d)", store.describe(), space,
                 bot_user_id)
        store.set_meta(SPACE, space)
        store.set_meta(BOT_USER, str(bot_user_id))
    if any(k not in known for k in projects):
        store.set_meta(PROJECTS, json.dumps({**known, **projects}, sort_keys=True))
