"""Backlog's API rate limit: per user, per kind, a one-minute window opened by its first request."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_LIMITS: dict[str, int] = {"read": 600, "update": 150, "search": 150, "icon": 60}
KINDS = ("read", "update", "search", "icon")
WINDOW_SECONDS = 60.0

# Search-type endpoints (reference section 3): issue list/count and wiki list/count.
SEARCH_PATHS = frozenset({"/api/v2/issues", "/api/v2/issues/count", "/api/v2/wikis", "/api/v2/wikis/count"})


def kind_of(method: str, path: str) -> str:
    """Which budget a request spends: update for POST/PATCH/DELETE, search for the four search GETs,
    icon for icon/logo GETs, read for every other GET."""
    if method in ("POST", "PATCH", "DELETE", "PUT"):
        return "update"
    if path.rstrip("/") in SEARCH_PATHS:
        return "search"
    if path.endswith("/icon") or path.endswith("/image") or path.endswith("/space/image"):
        return "icon"
    return "read"


@dataclass(frozen=True)
class Quota:
    """What the ``X-RateLimit-*`` headers say after a request: ``reset`` in epoch seconds."""

    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    """Counts requests per (user, kind). Not thread-safe on its own: the server calls it under its lock."""

    def __init__(self, clock: Callable[[], float], limits: Mapping[str, int] | None = None) -> None:
        unknown = set(limits or {}) - set(KINDS)
        if unknown:
            msg = f"unknown rate-limit kinds: {sorted(unknown)}"
            raise ValueError(msg)
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def _window(self, user: str, kind: str) -> tuple[float, int]:
        now = self._clock()
        start, used = self._windows.get((user, kind), (now, 0))
        if now >= start + WINDOW_SECONDS:
            start, used = now, 0
        return start, used

    def spend(self, user: str, kind: str) -> Quota:
        """Counts one request; over the limit it is refused (429 / code 13) and not counted."""
        start, used = self._window(user, kind)
        limit = self.limits[kind]
        reset = math.ceil(start + WINDOW_SECONDS)
        if used >= limit:
            self._windows[(user, kind)] = (start, used)
            return Quota(limit, 0, reset, allowed=False)
        used += 1
        self._windows[(user, kind)] = (start, used)
        return Quota(limit, limit - used, reset, allowed=True)

    def peek(self, user: str, kind: str) -> Quota:
        """The current quota without spending (``GET /rateLimit`` body)."""
        start, used = self._window(user, kind)
        limit = self.limits[kind]
        if (user, kind) not in self._windows:
            start = self._clock()
        return Quota(limit, max(0, limit - used), math.ceil(start + WINDOW_SECONDS), allowed=used < limit)
