"""Where "now" comes from: the wall clock in production, a fixed instant for tests, demos and replays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock in Asia/Tokyo. Only the composition root uses it; the core always takes ``now``."""
    return datetime.now(tz=JST)


class FixedClock:
    """A clock that stands still until moved: ``BOT_NOW``, the demo and scenario tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            msg = "a fixed clock needs an aware datetime"
            raise ValueError(msg)
        self.at = at.astimezone(JST)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(JST)
