"""No record stalls a poll (issue 18 item 5 and its "Must hold"), through the real worker (``run --once``).

One feed mixes real inquiries with Documents (36, 37, 48: hex string ids), a deleted status (34), a bulk
date change (35), a bulk creation (47, ``link[]`` only), a bulk update (14) with per-link comments and no
``old_value``, a type nobody knows, and issue records with a field missing or typed otherwise. Every
inquiry around them is acknowledged once, each inquiry of the bulk creation too, nothing escapes the
poll, each skipped type is logged once, and the cursor moves past all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from bot.sandbox.model import Status
from tests.feed.support import StepClock, bot_comments, first_response_met, run_once, staff_issue, writes


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def emu(clock: StepClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock) as e:
        yield e


def messages(stderr: str) -> list[str]:
    """The worker's log messages (``BOT_LOG_FORMAT=json``: one object a line)."""
    out = []
    for line in stderr.splitlines():
        try:
            out.append(str(json.loads(line).get("message", "")))
        except (ValueError, AttributeError):
            out.append(line)
    return out


def odd_records(emu: BacklogEmulator, inquiry: str) -> None:
    """Every kind of record the bot must pass over, around ``inquiry`` (an ACME issue)."""
    issue_id = emu.state.issue(inquiry).id
    emu.add_document_as("sato", "ACME", "運用手順書")  # 36
    emu.add_document_as("sato", "ACME", "運用手順書", kind=37)
    emu.add_document_as("suzuki", "ACME", "運用手順書（改）", kind=37)  # a second 37: logged once
    emu.add_document_as("sato", "ACME", "議事録", kind=48)
    emu.record_raw_as("sato", "ACME", 1, {"id": "019d465a5b2c7d8e9f0a1b2c3d4e5f60", "key_id": 9,
                                          "summary": "文書", "description": ""})  # an issue type, a hex id
    no_key = {"id": issue_id, "comment": {"id": 1, "content": "x"}}
    emu.record_raw_as("yamada", "ACME", 3, no_key)
    emu.record_raw_as("yamada", "ACME", 2, {"id": issue_id, "key_id": 1.5, "changes": "?"})  # a float key
    emu.record_raw_as("sato", "ACME", 99, {"anything": ["at", "all"]})  # a type nobody knows
    held = str(emu.add_issue_as("sato", "ACME", "社内の保留案件")["issueKey"])
    with emu.state.lock:
        acme = emu.state.project("ACME")
        acme.statuses.append(Status(90, acme.id, "保留", "#888888", 3000))
        emu.state.issue(held).status_id = 90
    emu.delete_status_as("sato", "ACME", "保留", moved_to=1)  # 34
    emu.bulk_dates_as("sato", [held], "2026-12-10")  # 35


class TestMixedFeed:
    def test_every_inquiry_around_odd_records_is_acknowledged_once(
        self, emu: BacklogEmulator, clock: StepClock, tmp_path: Path
    ) -> None:
        run_once(emu, tmp_path)  # first start
        clock.t += 60
        first = str(emu.add_issue_as("yamada", "ACME", "ログインできません", "昨日から。")["issueKey"])
        odd_records(emu, first)
        bulk = emu.bulk_create_as("yamada", "ACME", [("帳票が出ません", "月次帳票です。"),
                                                     ("メールが届きません", "")])  # 47 only
        emu.bulk_update_as("sato", [first], comment="確認いたします。")  # 14, with a per-link comment
        last = str(emu.add_issue_as("tanaka", "BETA", "CSV の取り込みに失敗します")["issueKey"])

        err = run_once(emu, tmp_path)

        for key in (first, *bulk, last):
            assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1, key
            staff_issue(emu, key)
        # The bulk update's per-link comment is staff's answer on the customer issue: T2 is met by it.
        assert first_response_met(tmp_path, first)
        assert not first_response_met(tmp_path, last)
        logged = messages(err)
        for kind in ("36", "37", "48", "34", "35", "99"):
            assert sum(f"of type {kind} skipped" in m for m in logged) == 1, kind
        # Records of types the bot reads but with fields it cannot read: skipped with the reason.
        assert any("of type 1 skipped (content.id is str" in m for m in logged)
        assert any("of type 3 skipped (content.key_id is NoneType" in m for m in logged)
        assert any("of type 2 skipped (content.key_id is Decimal '1.5', not a whole" in m for m in logged)

        before = writes(emu)
        clock.t += 60
        run_once(emu, tmp_path)  # the cursor moved past every record: nothing is read twice
        assert writes(emu) == before

    def test_a_bulk_creation_that_also_sends_each_issue_is_acknowledged_once(
        self, emu: BacklogEmulator, clock: StepClock, tmp_path: Path
    ) -> None:
        """Nobody documents whether a bulk creation also records type 1 per issue: either way, once."""
        run_once(emu, tmp_path)
        clock.t += 60
        keys = emu.bulk_create_as("yamada", "ACME", [("一件目", ""), ("二件目", "")], each_too=True)
        with emu.state.lock:
            kinds = [a.type for a in emu.state.activities[-3:]]
        assert kinds == [1, 1, 47]
        run_once(emu, tmp_path)
        for key in keys:
            assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1, key
            staff_issue(emu, key)

    def test_a_bulk_creation_by_staff_opens_no_inquiry(
        self, emu: BacklogEmulator, clock: StepClock, tmp_path: Path
    ) -> None:
        """Each bulk-created issue is read for its own author: staff's issues are not inquiries."""
        run_once(emu, tmp_path)
        clock.t += 60
        keys = emu.bulk_create_as("sato", "ACME", [("社内作業一", ""), ("社内作業二", "")])
        run_once(emu, tmp_path)
        assert [bot_comments(emu, k) for k in keys] == [[], []]
