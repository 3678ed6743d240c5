"""Publishing against the emulator (R1, C7): idempotent pages, kept remarks, catch-up, no-wiki projects."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import requests

from bot.backlog.refs import find_reference
from bot.reports.content import parse_month
from bot.reports.publish import cursor_name, due_months
from bot.rules.calendar import BusinessCalendar
from tests.reports.conftest import NOW, World
from tests.reports.history import JST, consume, jst

NOV = parse_month("2026-11")


def page(world: World, name: str) -> tuple[int, str]:
    with world.emu.state.lock:
        wiki = next(w for w in world.emu.state.wikis.values() if w.name == name)
        return wiki.id, wiki.content


def edit_page(world: World, wiki_id: int, content: str) -> None:
    """A staff member edits the page in Backlog (as sato)."""
    r = requests.patch(f"{world.emu.base_url}/api/v2/wikis/{wiki_id}",
                       params={"apiKey": world.emu.api_key_for("sato")}, data={"content": content}, timeout=5)
    r.raise_for_status()


class TestDueMonths:
    @pytest.mark.parametrize(("last", "now", "expected"), [
        (None, datetime(2026, 12, 1, 10, 0, tzinfo=JST), ["2026-11"]),
        (None, datetime(2026, 12, 1, 9, 59, tzinfo=JST), ["2026-10"]),
        ("2026-10", datetime(2026, 12, 1, 9, 59, tzinfo=JST), []),
        ("2026-10", datetime(2026, 12, 1, 10, 0, tzinfo=JST), ["2026-11"]),
        ("2026-08", datetime(2026, 12, 2, 8, 0, tzinfo=JST), ["2026-09", "2026-10", "2026-11"]),
        # 2027-01-01..03 are company holidays and 01-01 a national one: January starts on Monday 01-04.
        ("2026-11", datetime(2027, 1, 1, 12, 0, tzinfo=JST), []),
        ("2026-11", datetime(2027, 1, 4, 10, 0, tzinfo=JST), ["2026-12"]),
        ("2026-11", datetime(2026, 12, 31, 23, 0, tzinfo=JST), []),
    ], ids=["fresh-install-at-10", "fresh-install-before-10", "before-10", "at-10", "after-downtime",
            "new-year-holiday", "first-business-day", "same-month"])
    def test_a_month_is_due_from_the_first_business_day_after_it(
        self, cal: BusinessCalendar, last: str | None, now: datetime, expected: list[str]
    ) -> None:
        got = due_months(last, now, cal, time(10, 0))
        assert [f"{m.year}-{m.month:02d}" for m in got] == expected


class TestPublish:
    def test_first_publish_creates_the_page_with_its_reference(self, world: World) -> None:
        done = world.publisher.publish("ACME", NOV)
        assert (done.kind, done.changed) == ("wiki", True)
        _, content = page(world, "保守レポート/2026-11")
        assert find_reference(content) == "hoshu-bot:report:ACME:2026-11"
        # review item 3: the page ends with its report number, no machine line (issue 20 item 2)
        assert content.splitlines()[-1] == "報告書番号：ACME-2026-11" and "hoshu-bot:" not in content
        assert "| 残り | 2.5 時間 |" in content

    def test_a_rerun_with_no_change_makes_no_update_call(self, world: World) -> None:
        world.publisher.publish("ACME", NOV)
        world.restart()
        world.emu.clear_requests()
        done = world.publisher.publish("ACME", NOV)
        assert done.changed is False
        assert world.calls("POST") == [] and world.calls("PATCH") == []
        assert [c for c in world.calls() if "wikis" in c] == [f"GET /api/v2/wikis/{done.target}"]

    def test_new_data_updates_the_same_page(self, world: World) -> None:
        first = world.publisher.publish("ACME", NOV)
        consume(world.store, "ACME", "ACME-5", "0.5", jst(11, 30, 11), "追加の確認")
        world.emu.clear_requests()
        again = world.publisher.publish("ACME", NOV)
        assert (again.target, again.changed) == (first.target, True)
        assert world.calls("PATCH") == [f"PATCH /api/v2/wikis/{first.target}"]
        assert "| 残り | 2 時間 |" in page(world, "保守レポート/2026-11")[1]

    def test_a_changed_remark_survives_regeneration(self, world: World) -> None:
        world.publisher.publish("ACME", NOV)
        wiki_id, content = page(world, "保守レポート/2026-11")
        remark = "12月は**棚卸し**のため、作業は15日以降となります。\n- 担当: 佐藤"
        edit_page(world, wiki_id, content.replace("特記事項はありません。", remark))
        consume(world.store, "ACME", "ACME-5", "0.5", jst(11, 30, 11), "追加の確認")
        world.restart()
        done = world.publisher.publish("ACME", NOV)
        assert done.changed is True
        _, after = page(world, "保守レポート/2026-11")
        assert remark in after and "| 残り | 2 時間 |" in after and "特記事項はありません" not in after

    def test_remarks_survive_when_the_store_lost_the_page_reference(self, world: World) -> None:
        """After the state was lost, the page is found by its reference line (one search) and kept."""
        world.publisher.publish("ACME", NOV)
        wiki_id, content = page(world, "保守レポート/2026-11")
        edit_page(world, wiki_id, content.replace("特記事項はありません。", "残したい備考"))
        with world.store.transaction() as c:
            c.execute("DELETE FROM refs")
        world.restart()
        done = world.publisher.publish("ACME", NOV)
        assert done.target == str(wiki_id)
        assert "残したい備考" in page(world, "保守レポート/2026-11")[1]

    def test_a_project_without_wiki_gets_the_report_as_an_issue_once(self, world: World) -> None:
        done = world.publisher.publish("BETA", NOV)
        assert done.kind == "issue" and done.target.startswith("BETA-")
        with world.emu.state.lock:
            issue = world.emu.state.issue(done.target)
            assert issue.summary == "保守レポート 2026年11月（ベータ商事株式会社 御中）"
            assert "|残り|7 時間|" in issue.description  # Backlog notation for BETA
        world.emu.clear_requests()
        again = world.publisher.publish("BETA", NOV)
        assert (again.target, again.changed) == (done.target, False)
        assert world.calls("POST") == [] and world.calls("PATCH") == []

    def test_new_data_updates_the_report_issue_in_place(self, world: World) -> None:
        """Without a wiki the report is an issue; a rerun with new data rewrites its description only."""
        done = world.publisher.publish("BETA", NOV)
        consume(world.store, "BETA", "BETA-9", "1", jst(11, 30, 11), "追加の確認")
        world.emu.clear_requests()
        again = world.publisher.publish("BETA", NOV)
        assert (again.target, again.changed) == (done.target, True)
        assert world.calls("POST") == [] and world.calls("PATCH") == [f"PATCH /api/v2/issues/{done.target}"]
        with world.emu.state.lock:
            assert "|残り|6 時間|" in world.emu.state.issue(done.target).description


class TestMonthlyJob:
    def test_the_job_publishes_every_customer_and_the_staff_summary(self, world: World) -> None:
        out = world.publisher.publish_due_reports(NOW)
        assert {(p.customer, p.month, p.kind) for p in out} == {
            ("ACME", "2026-11", "wiki"), ("BETA", "2026-11", "issue"), ("STAFF", "2026-11", "wiki")}
        _, summary = page(world, "保守レポート/全体/2026-11")
        assert "ACME" in summary and "BETA" in summary and "合計" in summary
        with world.emu.state.lock:
            staff = [i for i in world.emu.state.issues.values() if "report-issues:2026-11" in i.description]
        assert len(staff) == 1 and "BETA" in staff[0].description
        assert world.store.get_cursor(cursor_name("ACME")) == "2026-11"

    def test_a_second_run_the_same_day_writes_nothing(self, world: World) -> None:
        world.publisher.publish_due_reports(NOW)
        world.emu.clear_requests()
        assert world.publisher.publish_due_reports(NOW.replace(hour=15)) == []
        assert world.emu.requests == []

    def test_a_month_missed_during_downtime_is_published_on_restart(self, world: World) -> None:
        """The bot published September, was down through November's first business day, comes back in
        December: October and November are both produced, oldest first."""
        for key in ("ACME", "BETA", "STAFF"):
            world.store.set_cursor(cursor_name(key), "2026-09", NOW)
        world.restart()
        out = world.publisher.publish_due_reports(NOW)
        assert [(p.customer, p.month) for p in out if p.customer == "ACME"] == [
            ("ACME", "2026-10"), ("ACME", "2026-11")]
        assert page(world, "保守レポート/2026-10")[1].startswith("# 保守レポート 2026年10月")
        assert world.store.get_cursor(cursor_name("STAFF")) == "2026-11"

    def test_the_monthly_run_never_meets_a_429(self, world: World) -> None:
        world.publisher.publish_due_reports(NOW)
        assert all(r.status != 429 for r in world.emu.requests)


def test_months_before_any_contract_are_skipped_but_the_cursor_moves(world: World) -> None:
    world.store.set_cursor(cursor_name("BETA"), "2026-02", NOW)
    out = world.publisher.publish_due_reports(NOW)
    beta = [p.month for p in out if p.customer == "BETA"]
    assert beta[0] == "2026-05" and beta[-1] == "2026-11"  # the bridge contract starts 2026-05-01
    assert date(2026, 3, 1) not in [parse_month(m) for m in beta]
