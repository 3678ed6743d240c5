"""Round trips of every BacklogClient endpoint against the in-process emulator (bot.sandbox)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from bot.backlog.refs import find_reference
from bot.backlog.text import Doc, Paragraph, render
from bot.backlog_client import BacklogClient
from bot.errors import BacklogAuthError, BacklogNotFoundError, BacklogTransientError
from bot.sandbox import BacklogEmulator
from tests.backlog_client.factories import FakeClock

REF = "hoshu-bot:ack:ACME-12"


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock, limits={"update": 3}) as emulator:
        yield emulator


@pytest.fixture
def bot(emu: BacklogEmulator, clock: FakeClock) -> BacklogClient:
    return BacklogClient(emu.base_url, emu.api_key, timeout=(2, 2), sleep=clock.sleep, clock=clock,
                         rng=lambda: 0.5)


class TestReadEndpoints:
    def test_space_myself_and_project_metadata(self, bot: BacklogClient) -> None:
        assert bot.get_space().space_key
        assert bot.get_myself().user_id == "hoshu-bot"
        acme = bot.get_project("ACME")
        assert (acme.key, acme.text_formatting_rule, acme.use_wiki) == ("ACME", "markdown", True)
        assert bot.get_project(acme.id) == acme
        statuses = {s.name for s in bot.get_statuses("ACME")}
        assert statuses >= {"未対応", "処理中", "処理済み", "完了", "お客様確認待ち"}
        assert "監視アラート" in {t.name for t in bot.get_issue_types("ACME")}
        assert [p.id for p in bot.get_priorities()] == [2, 3, 4]
        assert {c.name for c in bot.get_categories("ACME")} >= {"問い合わせ"}
        assert {f.name for f in bot.get_custom_fields("ACME")} >= {"見積時間", "問い合わせ区分"}
        assert {u.user_id for u in bot.get_project_users("ACME")} >= {"hoshu-bot", "kimura"}
        assert bot.get_rate_limit().read is not None

    def test_unknown_project_is_not_found(self, bot: BacklogClient) -> None:
        with pytest.raises(BacklogNotFoundError):
            bot.get_project("NOPE")


class TestIssuesAndComments:
    def test_add_get_update_list_and_count(self, bot: BacklogClient, emu: BacklogEmulator) -> None:
        acme = bot.get_project("ACME")
        body = render(Doc.of(Paragraph("ログインできません <@project>")), "markdown", reference=REF)
        issue = bot.add_issue(acme.id, "ログイン不可", 1, 3, description=body, estimated_hours=Decimal("1.5"),
                              custom_fields={1: Decimal("1.5"), 2: 2})
        assert issue.key.startswith("ACME-")
        assert find_reference(bot.get_issue(issue.key).description) == REF
        assert bot.get_issue(issue.key).estimated_hours == Decimal("1.5")
        updated = bot.update_issue(issue.key, status_id=2, actual_hours=Decimal("0.5"),
                                   comment="対応を開始しました。")
        assert (updated.status.id, updated.actual_hours) == (2, Decimal("0.5"))
        found = bot.list_issues(project_ids=[acme.id], status_ids=[2], updated_since=date(2020, 1, 1))
        assert issue.id in [i.id for i in found]
        assert bot.count_issues(project_ids=[acme.id]) == len(list(bot.iter_issues(project_ids=[acme.id])))
        assert emu.requests[-1].kind == "search"

    def test_comments_round_trip_and_page_after_min_id(self, bot: BacklogClient, emu: BacklogEmulator,
                                                       clock: FakeClock) -> None:
        acme = bot.get_project("ACME")
        issue = bot.add_issue(acme.id, "コメント確認", 1, 3)
        first = bot.add_comment(issue.key, "一件目", notified_user_ids=[])
        clock.now += 61  # a fresh update window (the fixture allows 3 writes a minute)
        second = bot.add_comment(issue.key, "二件目")
        assert [c.content for c in bot.list_comments(issue.key)][-2:] == ["一件目", "二件目"]
        assert [c.id for c in bot.iter_comments(issue.key, min_id=first.id)] == [second.id]
        posted = [r for r in emu.requests if r.method == "POST" and r.path.endswith("/comments")]
        assert posted[-1].form["content"] == ["二件目"]


class TestWikisAndActivities:
    def test_wiki_round_trip(self, bot: BacklogClient, emu: BacklogEmulator, clock: FakeClock) -> None:
        hoshu = bot.get_project("HOSHU")
        page = bot.add_wiki(hoshu.id, "月次報告/2026-11", "本文", mail_notify=False)
        assert bot.get_wiki(page.id).content == "本文"
        assert bot.update_wiki(page.id, content="改訂").content == "改訂"
        assert [p.id for p in bot.list_wikis("HOSHU")] == [page.id]  # the plain list is current at once
        clock.now += emu.search_lag  # the keyword index catches up
        listed = bot.list_wikis("HOSHU", keyword="月次報告")
        assert [p.id for p in listed] == [page.id]
        assert listed[0].content is None

    def test_activities_follow_writes(self, bot: BacklogClient) -> None:
        acme = bot.get_project("ACME")
        before = max((a.id for a in bot.list_space_activities(order="desc", count=1)), default=0)
        issue = bot.add_issue(acme.id, "活動確認", 1, 3)
        new = list(bot.iter_space_activities(min_id=before))
        assert new and new[-1].content.key_id == issue.key_id
        assert [a.id for a in bot.list_project_activities("ACME", min_id=before)] == [a.id for a in new]


class TestFailuresAgainstTheEmulator:
    def test_an_invalid_key_raises_auth_error_at_once_with_exactly_one_request(
        self, emu: BacklogEmulator, clock: FakeClock
    ) -> None:
        client = BacklogClient(emu.base_url, "wrong-key", sleep=clock.sleep, clock=clock)
        with pytest.raises(BacklogAuthError):
            client.get_myself()
        assert len(emu.requests) == 1
        assert clock.sleeps == []

    def test_a_get_after_503_is_retried_and_succeeds(self, bot: BacklogClient, emu: BacklogEmulator) -> None:
        emu.fail_next(2, "503", path_contains="priorities")
        assert bot.get_priorities()
        assert [r.status for r in emu.requests] == [503, 503, 200]

    def test_a_write_whose_answer_is_lost_is_maybe_applied_and_sent_once(
        self, bot: BacklogClient, emu: BacklogEmulator
    ) -> None:
        acme = bot.get_project("ACME")
        emu.fail_next(1, "drop_after_apply", path_contains="/issues")
        emu.clear_requests()
        with pytest.raises(BacklogTransientError) as info:
            bot.add_issue(acme.id, "ドロップ", 1, 3, description=f"本文\n\n{REF}")
        assert info.value.maybe_applied is True
        assert len([r for r in emu.requests if r.method == "POST"]) == 1
        # the caller looks for its reference before writing again, and finds it
        assert any(find_reference(i.description) == REF for i in bot.iter_issues(project_ids=[acme.id]))

    def test_a_429_with_reset_two_seconds_ahead_is_waited_out(
        self, bot: BacklogClient, emu: BacklogEmulator, clock: FakeClock
    ) -> None:
        acme = bot.get_project("ACME")
        # Same user, so the same budget; its pacing sleeps must not move time, to drain the window now.
        other = BacklogClient(emu.base_url, emu.api_key, sleep=lambda _s: None, clock=clock)
        for n in range(3):
            other.add_issue(acme.id, f"予算消費 {n}", 1, 3)
        clock.now += 58  # the update window resets 2 s from now
        issue = bot.add_issue(acme.id, "待ってから登録", 1, 3)
        assert issue.summary == "待ってから登録"
        assert [r.status for r in emu.requests if r.method == "POST"][-2:] == [429, 201]
        assert clock.sleeps == [3.0]  # 2 s to the reset + 1 s margin

    def test_pacing_waits_before_the_budget_runs_out_instead_of_meeting_429(
        self, bot: BacklogClient, emu: BacklogEmulator, clock: FakeClock
    ) -> None:
        acme = bot.get_project("ACME")
        for n in range(5):
            bot.add_issue(acme.id, f"連続登録 {n}", 1, 3)
        assert 429 not in [r.status for r in emu.requests]
        assert clock.sleeps

    def test_the_key_is_in_no_log_record_even_from_urllib3(
        self, bot: BacklogClient, emu: BacklogEmulator, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        bot.get_space()
        bot.get_project("ACME")
        assert any("/api/v2/space" in r.getMessage() for r in caplog.records if r.name.startswith("urllib3"))
        assert all(emu.api_key not in r.getMessage() for r in caplog.records)
