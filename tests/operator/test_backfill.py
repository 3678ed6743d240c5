"""Backfill on first start and after downtime (issue 13 item 1 and its "Must hold").

The real command (``python -m bot run --once``) against the emulator, on an empty store: an inquiry
opened before the very first run gets exactly one acknowledgement and a staff issue; a second run adds
nothing; an inquiry staff already answered, one older than the window and a closed one get nothing.
A downtime longer than the feed reaches (activities no longer served) is backfilled the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import START, bot_env, cli
from tests.refs import refers_to

BOT = "hoshu-bot"


class Clock:
    """Backlog's clock, moved by the test: issues are created at chosen moments before the first start."""

    def __init__(self) -> None:
        self.t = START.timestamp()

    def __call__(self) -> float:
        return self.t

    def at(self, delta: timedelta) -> None:
        self.t = (START + delta).timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock) as e:
        yield e


def bot_comments(emu: BacklogEmulator, key: str, ref: str = "hoshu-bot:ack:") -> list[str]:
    issue = emu.state.issue(key)
    return [c.content for c in emu.state.comments_of(issue.id)
            if emu.state.users[c.created_user_id].user_id == BOT and refers_to(c.content, ref)]


def staff_issues_for(emu: BacklogEmulator, key: str) -> int:
    return sum(1 for i in emu.state.issues.values() if f"hoshu-bot:staff:{key}" in i.description)


def run_once(emu: BacklogEmulator, tmp_path: Path, **extra: str) -> None:
    done = cli(bot_env(emu, tmp_path / "state.db", **extra), "run", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_first_start_acknowledges_unanswered_recent_inquiries_once(
    emu: BacklogEmulator, clock: Clock, tmp_path: Path
) -> None:
    clock.at(-timedelta(days=14))
    old = emu.add_issue_as("yamada", "ACME", "二週間前のお問い合わせ")["issueKey"]
    clock.at(-timedelta(days=1, hours=2))
    fresh = emu.add_issue_as("yamada", "ACME", "メールが届かない", "昨日から届きません。")["issueKey"]
    emu.add_comment_as("yamada", fresh, "補足です。添付のとおりです。")
    answered = emu.add_issue_as("tanaka", "BETA", "ログインできない")["issueKey"]
    emu.add_comment_as("sato", answered, "確認いたします。")
    closed = emu.add_issue_as("yamada", "ACME", "解決済みの件")["issueKey"]
    emu.update_issue_as("sato", closed, statusId="4")
    by_staff = emu.add_issue_as("sato", "ACME", "社内メモ")["issueKey"]
    clock.at(timedelta(0))

    run_once(emu, tmp_path)

    assert len(bot_comments(emu, fresh)) == 1, "one acknowledgement for the inquiry opened before the start"
    assert staff_issues_for(emu, fresh) == 1
    for key in (old, answered, closed, by_staff):
        assert bot_comments(emu, key, "hoshu-bot:") == [], key
        assert staff_issues_for(emu, key) == 0, key
    store = StateStore.open(tmp_path / "state.db", dry_run=True)
    try:
        from bot.state.inquiries import InquiryRecords  # noqa: PLC0415 - read after the run only
        clocks = [c.clock.issue_key for c in InquiryRecords(store).clocks(open_only=True)]
    finally:
        store.close()
    assert fresh in clocks  # T2: the first-response clock runs

    writes = len([r for r in emu.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")])
    clock.at(timedelta(minutes=5))
    run_once(emu, tmp_path, BOT_NOW=(START + timedelta(minutes=5)).isoformat())
    assert len(bot_comments(emu, fresh)) == 1
    assert staff_issues_for(emu, fresh) == 1
    assert bot_comments(emu, fresh, "hoshu-bot:") == bot_comments(emu, fresh)  # the old comment is not news
    assert len([r for r in emu.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]) == writes


def test_a_downtime_longer_than_the_feed_is_backfilled(
    emu: BacklogEmulator, clock: Clock, tmp_path: Path
) -> None:
    run_once(emu, tmp_path)  # first start on an empty space: the cursor is set
    clock.at(timedelta(hours=3))
    during = emu.add_issue_as("yamada", "ACME", "停止中のお問い合わせ")["issueKey"]
    emu.add_issue_as("sato", "ACME", "社内の作業")  # keeps the feed moving
    # The feed no longer holds anything up to and including the new issue (Backlog keeps a limited history).
    newest = max(a.id for a in emu.state.activities)
    emu.state.activities[:] = [a for a in emu.state.activities if a.id >= newest]
    clock.at(timedelta(hours=4))
    run_once(emu, tmp_path, BOT_NOW=(START + timedelta(hours=4)).isoformat())
    assert len(bot_comments(emu, during)) == 1
    assert staff_issues_for(emu, during) == 1


def test_backfill_can_be_switched_off(emu: BacklogEmulator, clock: Clock, tmp_path: Path) -> None:
    import shutil  # noqa: PLC0415

    from tests.support.paths import CONFIG_DIR  # noqa: PLC0415
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    service = config / "service.toml"
    service.write_text(service.read_text(encoding="utf-8").replace("business_days = 3", "business_days = 0"),
                       encoding="utf-8")
    clock.at(-timedelta(hours=5))
    key = emu.add_issue_as("yamada", "ACME", "前日のお問い合わせ")["issueKey"]
    clock.at(timedelta(0))
    run_once(emu, tmp_path, BOT_CONFIG_DIR=str(config))
    assert bot_comments(emu, key) == []


def test_the_backfill_goes_a_few_projects_per_tick_and_resumes(emu: BacklogEmulator, clock: Clock) -> None:
    """200 customer projects must not cost 400 calls in one tick: ``budget`` projects per step."""
    from bot.clock import FixedClock  # noqa: PLC0415
    from bot.inquiry.backfill import CURSOR, DONE  # noqa: PLC0415
    from tests.inquiry_flow.harness import Flow  # noqa: PLC0415

    clock.at(-timedelta(hours=20))
    acme = emu.add_issue_as("yamada", "ACME", "前日のお問い合わせ")["issueKey"]
    beta = emu.add_issue_as("tanaka", "BETA", "前日のお問い合わせ")["issueKey"]
    clock.at(timedelta(0))
    flow = Flow(emu, FixedClock(START))  # first start: plans the backfill, answers nothing yet
    assert bot_comments(emu, acme) == [] and bot_comments(emu, beta) == []
    first = flow.wf.backfill(START, budget=1)
    assert first.projects == ("ACME",) and first.adopted == (acme,)
    assert bot_comments(emu, beta) == []
    second = flow.wf.backfill(START, budget=1)
    assert second.projects == ("BETA",) and second.adopted == (beta,)
    assert flow.store.get_cursor(CURSOR) == DONE
    emu.clear_requests()
    assert flow.wf.backfill(START, budget=1).projects == ()
    assert emu.requests == []  # nothing due: no call at all
    assert len(bot_comments(emu, acme)) == 1 and len(bot_comments(emu, beta)) == 1
