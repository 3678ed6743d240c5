"""Issue 11: the state of an inquiry is read from its issue, whatever form the activity's ``changes`` take.

Each scenario runs with the emulator's own ``changes[]``, with them rewritten as Backlog documents them
(status ids as strings, ``assigner``, ``limitDate``, no estimated-hours entry), and with none at all:
the outcome must be the same, because the bot reads ``GET /issues/:key`` instead (T2-T4, flow ⑤).
Bulk updates (type 14) come from the emulator's 一括更新 control call; keyword search lags 10 minutes.
"""

from __future__ import annotations

import pytest

from bot.rules.sla import ClockKind
from tests.inquiry_flow.harness import (
    Flow,
    Shapes,
    delete_issue,
    jst,
    newest_activity,
    reshape_changes,
)

SHAPES: tuple[Shapes, ...] = ("emulator", "documented", "none")
WAITING, DONE = "5", "4"  # ACME's お客様確認待ち (seed.toml) and Backlog's default 完了


def asked(flow: Flow, summary: str = "ログインできません") -> str:
    key = flow.ask(summary)
    flow.poll()
    return key


def issue_reads(flow: Flow, key: str) -> int:
    return sum(1 for r in flow.emu.requests if r.method == "GET" and r.path.endswith(f"/issues/{key}"))


@pytest.mark.parametrize("shapes", SHAPES)
class TestStatusFromTheIssue:
    def test_a_waiting_status_set_alone_pauses_every_clock_t2(self, flow: Flow, shapes: Shapes) -> None:
        key = asked(flow)
        mark = newest_activity(flow.emu)
        flow.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId=WAITING)  # no comment
        reshape_changes(flow.emu, mark, shapes)
        flow.poll()
        assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).paused_at == jst(2026, 11, 30, 12)
        row = flow.row(key)
        assert (row.status, row.paused) == ("お客様確認待ち", True)

    def test_done_set_by_staff_stops_the_clocks_t4(self, flow: Flow, shapes: Shapes) -> None:
        key = asked(flow)
        mark = newest_activity(flow.emu)
        flow.at(jst(2026, 11, 30, 13)).emu.update_issue_as("sato", key, statusId=DONE)
        reshape_changes(flow.emu, mark, shapes)
        flow.poll()
        assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).met_at == jst(2026, 11, 30, 13)
        assert flow.records.clocks(key, open_only=True) == []
        row = flow.row(key)
        assert (row.status, row.closed) == ("完了", jst(2026, 11, 30, 13))

    def test_an_estimate_entered_only_in_the_estimated_hours_field_becomes_a_quote(
        self, flow: Flow, shapes: Shapes
    ) -> None:
        key = asked(flow, "キャンペーン設定の代行をお願いします")
        mark = newest_activity(flow.emu)
        flow.emu.update_issue_as("sato", key, estimatedHours="2")
        reshape_changes(flow.emu, mark, shapes)
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "2 時間" in quote
        (note,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:field:")
        assert "予定時間 2" in note
        flow.poll()
        flow.store.set_cursor("backlog:activities", str(mark), flow.clock())
        flow.poll()  # the same activity again: the issue still says 2 h, which the store knows
        assert len(flow.bot_comments_with(key, "hoshu-bot:quote:")) == 1


class TestBulkAndDeletion:
    def test_a_bulk_update_closing_two_inquiries_stops_both_clocks(self, flow: Flow) -> None:
        first, second = asked(flow), asked(flow, "画面が表示されません")
        flow.at(jst(2026, 11, 30, 14)).emu.bulk_update_as("sato", [first, second], statusId=DONE)
        flow.emu.clear_requests()
        result = flow.poll()
        for key in (first, second):
            assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).met_at == jst(2026, 11, 30, 14)
            assert flow.row(key).status == "完了"
            assert issue_reads(flow, key) == 1
        assert result.issue_reads == 2

    def test_a_bulk_update_to_the_waiting_status_pauses_both(self, flow: Flow) -> None:
        first, second = asked(flow), asked(flow, "画面が表示されません")
        flow.at(jst(2026, 11, 30, 12)).emu.bulk_update_as("sato", [first, second], statusId=WAITING)
        flow.poll()
        assert all(flow.row(k).paused for k in (first, second))

    def test_a_deleted_inquiry_stops_its_clocks(self, flow: Flow) -> None:
        key = asked(flow)
        delete_issue(flow.emu, "yamada", key, jst(2026, 11, 30, 15))
        flow.at(jst(2026, 11, 30, 15)).poll()
        assert flow.records.clocks(key, open_only=True) == []
        assert flow.row(key).data["deleted"] is True
        flow.at(jst(2026, 12, 1, 12))
        assert flow.wf.check_clocks(flow.clock()) == 0  # no breach notice for an issue that is gone


    def test_an_issue_deleted_before_its_update_is_read_blocks_nothing(self, flow: Flow) -> None:
        key, other = asked(flow), asked(flow, "画面が表示されません")
        flow.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId=WAITING)
        delete_issue(flow.emu, "yamada", key, jst(2026, 11, 30, 12, 5))
        flow.at(jst(2026, 11, 30, 12, 10)).emu.update_issue_as("sato", other, statusId=WAITING)
        flow.poll()  # the read of the deleted issue answers 404: passed over, the feed goes on
        assert flow.records.clocks(key, open_only=True) == []
        assert flow.row(other).paused


class TestOneReadPerIssue:
    def test_several_activities_on_one_issue_in_one_poll_cost_one_read(self, flow: Flow) -> None:
        key = asked(flow)
        flow.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId=WAITING)
        flow.at(jst(2026, 11, 30, 16)).say("yamada", key, "お待たせしました。画面はこちらです。")
        sato = str(flow.emu.state.user("sato").id)
        flow.at(jst(2026, 11, 30, 16, 30)).emu.update_issue_as("sato", key, assigneeId=sato)
        flow.emu.clear_requests()
        flow.poll()
        assert issue_reads(flow, key) == 1
        # one read, two changes: the waiting status is applied at the first change, so the customer's
        # answer at 16:00 resumes the clock; the assignee is taken at the last (T2)
        clock = flow.clock_of(key, ClockKind.FIRST_RESPONSE)
        assert [(e.kind.value, e.at) for e in clock.history] == [
            ("started", jst(2026, 11, 30, 11)), ("paused", jst(2026, 11, 30, 12)),
            ("resumed", jst(2026, 11, 30, 16)),
        ]
        assert flow.row(key).data["fields"]["assignee"] == "sato"

    def test_a_quiet_poll_is_one_call_and_reads_no_issue(self, flow: Flow) -> None:
        asked(flow)
        flow.emu.clear_requests()
        result = flow.poll()
        assert (len(flow.emu.requests), result.issue_reads) == (1, 0)

    def test_a_staff_command_on_the_staff_issue_reads_no_issue(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot help")
        flow.emu.clear_requests()
        flow.poll()
        assert flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert not any(r.method == "GET" and "/issues/HOSHU-" in r.path and r.path.count("/") == 4
                       for r in flow.emu.requests)

    def test_the_bots_own_updates_cost_no_read(self, flow: Flow) -> None:
        key = asked(flow)  # the acknowledgement is the bot's own comment on the issue
        flow.emu.clear_requests()
        flow.poll()
        assert issue_reads(flow, key) == 0
