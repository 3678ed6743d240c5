"""Never start blind (issue 14): an empty store while Backlog shows the bot's own earlier writes.

A Procfile platform wipes the worker's disk at every restart; a worker that then started from an empty
store would state the whole quarter as unused in its next quote (H6, H8) and say nothing. So before the
first pass, an empty store is compared with Backlog: if the bot user has created an issue there, or is
among the authors of the space's latest activities (its comments), the store was lost, not new.
``run`` then refuses with a one-line hint, or with ``BOT_AUTO_REBUILD=true`` rebuilds first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.backlog.models import User
from bot.backlog_client import BacklogClient
from bot.errors import BacklogAuthError, BacklogError, ConfigError
from bot.state import StateStore

log = logging.getLogger(__name__)
T = TypeVar("T")

RECENT_ACTIVITIES = 100  # one page: the bot comments on every inquiry, so a live space shows it here
RETRY_SECONDS = (5.0, 15.0, 30.0, 60.0)


@dataclass(frozen=True)
class EarlierWrites:
    """What Backlog shows of the bot's own earlier work (empty ``what``: nothing)."""

    what: str

    def __bool__(self) -> bool:
        return bool(self.what)


def earlier_writes(client: BacklogClient) -> EarlierWrites:
    """Two reads: one issue the bot user created (``GET /issues?createdUserId[]=<bot>&count=1``), else
    the bot among the authors of the latest space activities (comments, updates)."""
    me = client.get_myself()
    if client.list_issues(created_user_ids=[me.id], count=1):
        return EarlierWrites(f"issues created by {me.user_id or me.name}")
    recent = client.list_space_activities(count=RECENT_ACTIVITIES, order="desc")
    if any(a.created_user is not None and a.created_user.id == me.id for a in recent):
        return EarlierWrites(f"recent comments or updates by {me.user_id or me.name}")
    return EarlierWrites("")


def refused(base_url: str | None) -> ConfigError:
    """A 401 at start (issue 19 item 6): the key is wrong, revoked or of another space; exit 2."""
    return ConfigError("environment", "BACKLOG_API_KEY", f"refused by {base_url} (401): the key is wrong, "
                       "revoked, or belongs to another space; issue one in Personal settings > API")


def identify(client: BacklogClient, base_url: str | None, stop: threading.Event, *,
             once: bool) -> User | None:
    """The bot's own user (``GET /users/myself``), before any job runs. A refused key is a ConfigError at
    once; Backlog unreachable: ``--once`` fails (exit 1), the long-running worker asks again until
    ``stop`` (None)."""
    return ask(client.get_myself, base_url, stop, once=once)


def ask(fn: Callable[[], T], base_url: str | None, stop: threading.Event, *, once: bool) -> T | None:
    """``fn`` (reads of Backlog at start): a 401 is a ConfigError naming the key; Backlog unreachable:
    ``--once`` fails (exit 1), the long-running worker asks again until ``stop`` (then None)."""
    attempt = 0
    while True:
        try:
            return fn()
        except BacklogAuthError:
            raise refused(base_url) from None
        except BacklogError as exc:
            if once:
                raise
            delay = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
            attempt += 1
            log.warning("cannot reach Backlog at %s to start (%s); asking again in %.0f s",
                        base_url, exc, delay)
            if stop.wait(delay):
                return None


def hint(store: StateStore, found: EarlierWrites) -> str:
    return (f"state store {store.describe()} is empty but Backlog shows the bot's earlier work "
            f"({found.what}); run 'hoshu-bot rebuild-state' first, or set BOT_AUTO_REBUILD=true to "
            "rebuild on start")


def check_not_blind(store: StateStore, client: BacklogClient, stop: threading.Event) -> EarlierWrites:
    """Empty store: ask Backlog (retrying while it fails, until ``stop``). Non-empty: nothing to ask."""
    if not store.is_empty():
        return EarlierWrites("")
    attempt = 0
    while True:
        try:
            return earlier_writes(client)
        except BacklogAuthError:  # never asked again: the key will not become right by waiting
            raise refused(None) from None
        except BacklogError as exc:
            delay = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
            attempt += 1
            log.warning("cannot tell whether the empty store is new (Backlog: %s); asking again in %.0f s",
                        type(exc).__name__, delay)
            if stop.wait(delay):
                return EarlierWrites("")
