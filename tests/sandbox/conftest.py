"""Fixtures for the emulator tests: a fake clock, a running emulator and a tiny ``requests`` wrapper."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from bot.sandbox import BacklogEmulator

START = datetime(2026, 11, 26, 1, 0, tzinfo=UTC).timestamp()


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """Plain ``requests`` calls against the emulator as one user (apiKey in the query, forms for writes)."""

    def __init__(self, emu: BacklogEmulator, api_key: str) -> None:
        self.emu = emu
        self.api_key = api_key
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return f"{self.emu.base_url}/api/v2/{path.lstrip('/')}"

    def get(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        query = [("apiKey", self.api_key), *_pairs(params)]
        return self.session.get(self.url(path), params=query, timeout=5, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.post(
            self.url(path), params={"apiKey": self.api_key}, data=data, timeout=5, **kwargs
        )

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.patch(
            self.url(path), params={"apiKey": self.api_key}, data=data, timeout=5, **kwargs
        )

    def as_user(self, user_id: str) -> Api:
        return Api(self.emu, self.emu.api_key_for(user_id))


def _pairs(params: Any) -> list[tuple[str, Any]]:
    if params is None:
        return []
    if isinstance(params, dict):
        return list(params.items())
    return list(params)


def error_code(response: requests.Response) -> int:
    body = response.json()
    return int(body["errors"][0]["code"])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock) as emulator:
        yield emulator


@pytest.fixture
def api(emu: BacklogEmulator) -> Api:
    return Api(emu, emu.api_key)


NEW_ISSUE = {
    "projectId": "101",
    "summary": "ログイン画面が表示されない",
    "issueTypeId": "2",
    "priorityId": "3",
}
