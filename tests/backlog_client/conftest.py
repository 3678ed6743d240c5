"""Fixtures for the Backlog client tests: a client wired to a fake clock whose sleep moves time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.backlog_client import BacklogClient
from tests.backlog_client.factories import BASE, KEY, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., BacklogClient]:
    def make(**kw: Any) -> BacklogClient:
        kw.setdefault("sleep", clock.sleep)
        kw.setdefault("clock", clock)
        kw.setdefault("rng", lambda: 0.5)
        return BacklogClient(kw.pop("base_url", BASE), kw.pop("api_key", KEY), **kw)

    return make


@pytest.fixture
def client(make_client: Callable[..., BacklogClient]) -> BacklogClient:
    return make_client()


