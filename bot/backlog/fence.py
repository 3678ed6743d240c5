"""A guard in front of every Backlog write as it leaves the process (issue 22, the lease's fence).

Backlog takes no fencing token, so the last place to stop a worker that lost its lease is the moment a
write is sent: the ``requests`` adapter below asks ``guard`` first (bot/state/lease.py ``Lease.guard``,
which needs no database round trip) and lets the error it raises travel up unchanged. Reads are not
guarded: they change nothing. The guard runs after pacing and retry waits, right before the bytes go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FencedAdapter(HTTPAdapter):
    """An HTTPAdapter that calls ``guard()`` before sending a write (it raises to stop the write)."""

    def __init__(self, guard: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._guard = guard

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if (request.method or "").upper() in _WRITES:
            self._guard()
        return super().send(request, *args, **kwargs)


def fence_writes(session: requests.Session, guard: Callable[[], None]) -> None:
    """Mount the guard on ``session`` for every URL it may call."""
    adapter = FencedAdapter(guard)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
