"""``rebuild-state`` reads Backlog deterministically (issue 11): the bot's own issues by creator in the
staff project, every page of comments, never keyword search (whose index may lag the last writes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.backlog_client import BacklogClient
from bot.config.loader import load_config
from bot.rebuild.scan import scan_backlog
from bot.sandbox import BacklogEmulator
from tests.e2e.rig import CONFIG_DIR, emulator_clock


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock(), search_lag=600) as e:
        yield e


def test_the_scan_finds_every_bot_writing_without_search(emu: BacklogEmulator) -> None:
    config = load_config(CONFIG_DIR)
    for n in range(3):
        emu.add_issue_as("sato", "HOSHU", f"スタッフのメモ {n}", "hoshu-bot:staff:ACME-9")  # not the bot's
    staff = emu.add_issue_as("hoshu-bot", "HOSHU", "【ACME-1】対応依頼",
                             "依頼です。\n\nhoshu-bot:staff:ACME-1")
    inquiry = emu.add_issue_as("yamada", "ACME", "ログインできない", "お願いします。")["issueKey"]
    emu.add_comment_as("hoshu-bot", inquiry, "受け付けました。\n\nhoshu-bot:ack:ACME-1")
    for n in range(150):  # the acknowledgement is behind a page and a half of newer comments
        emu.add_comment_as("yamada", inquiry, f"追記 {n}")
    client = BacklogClient(emu.base_url, emu.api_key, timeout=(5, 5), max_retries=0, sleep=lambda _s: None)

    scan = scan_backlog(client, config)

    refs = scan.by_ref()
    assert refs["hoshu-bot:staff:ACME-1"].target == staff["issueKey"]
    assert refs["hoshu-bot:ack:ACME-1"].target.startswith(f"{inquiry}#")
    assert "hoshu-bot:staff:ACME-9" not in refs
    assert [k for k in scan.issues if k.startswith("HOSHU-")] == [staff["issueKey"]]
    assert len(scan.comments[inquiry]) == 151
    assert not any("keyword" in r.query for r in emu.requests)
    hoshu = next(r.query for r in emu.requests
                 if r.path == "/api/v2/issues" and r.query.get("projectId[]") == ["103"])
    assert hoshu["createdUserId[]"] == ["1000"]
