"""Never start blind (issue 14): what counts as the bot's earlier work in Backlog, read from the emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.backlog_client import BacklogClient
from bot.runtime.startup import check_not_blind, earlier_writes
from bot.sandbox import BacklogEmulator
from bot.state import StateStore

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start() as e:
        yield e


@pytest.fixture
def client(emu: BacklogEmulator) -> Iterator[BacklogClient]:
    c = BacklogClient(emu.base_url, emu.api_key)
    yield c
    c.close()


def test_a_new_space_shows_nothing_of_the_bot(emu: BacklogEmulator, client: BacklogClient) -> None:
    emu.add_issue_as("yamada", "ACME", "質問", "教えてください")  # a customer's issue is not the bot's
    assert not earlier_writes(client)


def test_an_issue_the_bot_created_counts(emu: BacklogEmulator, client: BacklogClient) -> None:
    emu.add_issue_as("hoshu-bot", "HOSHU", "[ACME-1] スタッフ用", "内部メモ")
    found = earlier_writes(client)
    assert found and "issues created by hoshu-bot" in found.what
    (search,) = [r for r in emu.requests if r.method == "GET" and r.path.endswith("/issues")]
    bot_id = str(emu.state.bot_user_id)
    assert search.query["createdUserId[]"] == [bot_id] and search.query["count"] == ["1"]


def test_a_comment_by_the_bot_counts_when_it_created_no_issue(
    emu: BacklogEmulator, client: BacklogClient
) -> None:
    key = str(emu.add_issue_as("yamada", "ACME", "質問", "教えてください")["issueKey"])
    emu.add_comment_as("hoshu-bot", key, "お問い合わせを受け付けました。")
    found = earlier_writes(client)
    assert found and "recent comments or updates by hoshu-bot" in found.what


def test_a_store_with_content_does_not_ask_backlog(emu: BacklogEmulator, client: BacklogClient) -> None:
    store = StateStore.memory()
    store.set_cursor("backlog:activities", "1", NOW)
    emu.add_issue_as("hoshu-bot", "HOSHU", "[ACME-1] スタッフ用", "内部メモ")
    emu.clear_requests()
    assert not check_not_blind(store, client, threading.Event())
    assert emu.requests == []


def test_a_failing_backlog_is_asked_again_until_it_answers(
    emu: BacklogEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backlog down at start: the empty store is neither trusted nor refused; the question is repeated."""
    monkeypatch.setattr("bot.runtime.startup.RETRY_SECONDS", (0.01,))
    emu.add_issue_as("hoshu-bot", "HOSHU", "[ACME-1] スタッフ用", "内部メモ")
    emu.fail_next(3, "500", path_contains="/users/myself")
    client = BacklogClient(emu.base_url, emu.api_key, max_retries=0)
    try:
        found = check_not_blind(StateStore.memory(), client, threading.Event())
    finally:
        client.close()
    assert found and "issues created by hoshu-bot" in found.what
    assert len([r for r in emu.requests if r.path.endswith("/users/myself")]) == 4
