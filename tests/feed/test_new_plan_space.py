"""A space on Backlog's new plan, where every user has ``"userId": null`` (issue 18 item 4, "Must hold").

The real worker (``python -m bot run --once``) against the emulator's new-plan space, with staff, the bot
and the inquirers named by mail address and ``id:123``: one acknowledgement per inquiry (the bot never
answers itself), staff commands obeyed, inquirers recognised. The same configuration on the classic space
works too, and a login in the configuration of a new-plan space stops the worker with exit 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator, new_plan_seed
from tests.feed.support import (
    StepClock,
    bot_comments,
    config_copy,
    inquiry_data,
    replace_line,
    run_once,
    staff_issue,
    writes,
)


def by_mail_and_id(name: str, text: str) -> str:
    """The shipped configuration with every user named without a login (mixed case for the mail)."""
    if name == "service.toml":
        text = replace_line(text, r"users = \[", 'users = ["sato@hoshu.example.jp", "id:1002"]')
        text = replace_line(text, r"bot_user = ", 'bot_user = "hoshu-bot@hoshu.example.jp"')
    if name == "customers.toml":
        text = replace_line(text, r'inquirers = \["yamada"\]', 'inquirers = ["Yamada@ACME.example.jp"]')
        text = replace_line(text, r'inquirers = \["tanaka"\]', 'inquirers = ["id:1005"]')
    return text


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture(params=["new plan", "classic"])
def emu(request: pytest.FixtureRequest, clock: StepClock) -> Iterator[BacklogEmulator]:
    seed = new_plan_seed() if request.param == "new plan" else None
    with BacklogEmulator.start(seed, clock=clock) as e:
        yield e


class TestNewPlanSpace:
    def test_the_emulator_shows_no_login_and_a_nulab_account(self, emu: BacklogEmulator) -> None:
        """The switch itself: ``userId`` null and ``nulabAccount`` on every user (DOC get-user-list shape)."""
        issue = emu.add_issue_as("yamada", "ACME", "件名")
        new_plan = emu.state.users[1003].nulab_only
        assert issue["createdUser"]["userId"] == (None if new_plan else "yamada")
        assert set(issue["createdUser"]["nulabAccount"]) == {"nulabId", "name", "uniqueId"}
        assert issue["createdUser"]["id"] == 1003

    def test_inquiries_are_acknowledged_once_inquirers_recognised_and_staff_obeyed(
        self, emu: BacklogEmulator, clock: StepClock, tmp_path: Path
    ) -> None:
        config = config_copy(tmp_path, by_mail_and_id)
        run_once(emu, tmp_path, config)  # first start: the cursor is set after the newest activity
        clock.t += 60
        registered = str(emu.add_issue_as("yamada", "ACME", "ログインできません", "昨日から。")["issueKey"])
        other = str(emu.add_issue_as("kimura", "ACME", "帳票が出ません")["issueKey"])
        beta = str(emu.add_issue_as("tanaka", "BETA", "メールが届きません")["issueKey"])
        by_staff = str(emu.add_issue_as("sato", "ACME", "社内メモ")["issueKey"])

        run_once(emu, tmp_path, config)

        for key in (registered, other, beta):
            assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1, key
            staff_issue(emu, key)
        assert bot_comments(emu, by_staff) == []  # staff (by mail address) open no inquiries
        assert inquiry_data(tmp_path, registered)["registered"] is True  # by mail, any case
        assert inquiry_data(tmp_path, beta)["registered"] is True  # by id:1005
        assert inquiry_data(tmp_path, other)["registered"] is False

        # The bot's own comments and staff issues are in the feed now: nothing answers them.
        before = writes(emu)
        clock.t += 60
        run_once(emu, tmp_path, config)
        assert writes(emu) == before
        for key in (registered, other, beta):
            assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1, key

        # suzuki is staff by id:1002: a /bot command on the staff issue is obeyed, once.
        staff = staff_issue(emu, registered)
        emu.add_comment_as("suzuki", staff, "/bot pause")
        emu.add_comment_as("yamada", registered, "/bot resume")  # a customer's /bot line is not obeyed
        clock.t += 60
        run_once(emu, tmp_path, config)
        assert len(bot_comments(emu, staff, "hoshu-bot:cmd:")) == 1
        assert len(bot_comments(emu, staff, "hoshu-bot:custcmd:")) == 1  # staff told, nothing done
        before = writes(emu)
        clock.t += 60
        run_once(emu, tmp_path, config)
        assert writes(emu) == before  # its own replies are not commands to it


def test_a_login_in_the_configuration_of_a_new_plan_space_stops_the_worker(
    clock: StepClock, tmp_path: Path
) -> None:
    """Unknown entries are refused at start (exit 2, one line naming the file and the entry)."""
    with BacklogEmulator.start(new_plan_seed(), clock=clock) as emu:
        err = run_once(emu, tmp_path, code=2)  # the shipped configuration names users by login
        assert "service.toml: staff.users[0]: 'sato' is not a user of project HOSHU" in err
        assert [r for r in emu.requests if r.method == "POST"] == []


def test_an_ambiguous_mail_address_stops_the_worker(clock: StepClock, tmp_path: Path) -> None:
    seed = new_plan_seed()
    seed["users"].append({"id": 1010, "userId": "yamada2", "name": "山田 次郎",
                          "mailAddress": "yamada@acme.example.jp"})
    acme = next(p for p in seed["projects"] if p["projectKey"] == "ACME")
    acme["members"].append("yamada2")
    with BacklogEmulator.start(seed, clock=clock) as emu:
        err = run_once(emu, tmp_path, config_copy(tmp_path, by_mail_and_id), code=2)
        entry = "customers.toml: customer[0].inquirers[0]: 'Yamada@ACME.example.jp'"
        assert f"{entry} matches several users" in err
        assert "id:1003, id:1010" in err
