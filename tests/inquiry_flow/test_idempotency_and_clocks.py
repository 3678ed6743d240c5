"""Step 4 and 6: the same activity twice, a restart mid-approval, SLA clocks (reconcile: test_reconcile)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.errors import BacklogError, BacklogTransientError
from bot.inquiry.watcher import CURSOR
from bot.rules.sla import ClockKind
from tests.inquiry_flow.harness import Flow, jst


def quoted(flow: Flow, hours: str = "2h") -> str:
    key = flow.ask("キャンペーン設定の代行をお願いします")
    flow.poll()
    flow.staff_says(key, f"/bot estimate {hours}")
    flow.poll()
    return key


class TestIdempotency:
    def test_the_same_activities_delivered_twice_change_nothing(self, flow: Flow) -> None:
        start = int(flow.store.get_cursor(CURSOR) or 0)
        key = quoted(flow)
        flow.say("yamada", key, "承認します。")
        flow.poll()
        before = (flow.comments(key, by=None), flow.comments(flow.staff_issue(key), by=None),
                  flow.store.ledger("ACME"), flow.records.clocks(key))
        flow.store.set_cursor(CURSOR, str(start), flow.clock())
        again = flow.poll()
        assert again.seen >= 4
        after = (flow.comments(key, by=None), flow.comments(flow.staff_issue(key), by=None),
                 flow.store.ledger("ACME"), flow.records.clocks(key))
        assert after == before

    @pytest.mark.parametrize(
        ("fault", "crashes"), [("503", True), ("drop_after_apply", False)], ids=["lost", "landed-unanswered"]
    )
    def test_a_restart_between_the_ledger_write_and_the_confirmation_writes_only_the_confirmation(
        self, flow: Flow, fault: str, crashes: bool
    ) -> None:
        key = quoted(flow)
        flow.say("yamada", key, "承認します。")
        flow.emu.fail_next(1, fault, path_contains=f"/issues/{key}/comments")
        if crashes:
            with pytest.raises(BacklogError):
                flow.poll()
            assert len(flow.store.ledger("ACME")) == 1
            assert flow.bot_comments_with(key, "hoshu-bot:confirm:") == []
        else:  # the comment landed but its answer was lost: the writer finds it by its reference
            flow.poll()
        flow.poll()  # the restarted pass: the same activity again
        (entry,) = flow.store.ledger("ACME")
        assert entry.hours == Decimal(2)
        assert len(flow.bot_comments_with(key, f"hoshu-bot:confirm:{key}:1")) == 1

    def test_a_crash_after_the_acknowledgement_never_repeats_it(
        self, flow: Flow, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        key = flow.ask("ログインできません")

        def staff_issue_fails(*_a: object, **_k: object) -> None:
            raise BacklogTransientError("Backlog answered 503", status=503)

        with monkeypatch.context() as m:
            m.setattr(flow.writer, "issue", staff_issue_fails)
            with pytest.raises(BacklogTransientError):
                flow.poll()
        assert flow.records.get(key) is None
        flow.poll()
        assert len(flow.bot_comments_with(key, "hoshu-bot:ack:")) == 1
        assert flow.staff_issue(key).startswith("HOSHU-")


class TestSlaClocks:
    def test_a_staff_comment_meets_the_first_response_t2(self, flow: Flow) -> None:
        key = flow.ask("ログインできません")
        flow.poll()
        flow.at(jst(2026, 11, 30, 15)).say("sato", key, "確認いたします。少々お待ちください。")
        flow.poll()
        clock = flow.clock_of(key, ClockKind.FIRST_RESPONSE)
        assert clock.met_at == jst(2026, 11, 30, 15)

    def test_staff_are_reminded_at_75_percent_and_told_of_a_breach_only_in_business_hours(
        self, flow: Flow
    ) -> None:
        key = flow.ask("ログインできません")  # Mon 11:00 -> due Tue 11:00
        flow.poll()
        flow.at(jst(2026, 11, 30, 17))  # 6 of 8 business hours
        assert flow.wf.check_clocks(flow.clock()) == 1
        assert flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:remind:")
        flow.at(jst(2026, 11, 30, 23))
        assert flow.wf.check_clocks(flow.clock()) == 0  # night: nothing (T1)
        flow.at(jst(2026, 12, 1, 11, 30))
        assert flow.wf.check_clocks(flow.clock()) == 1
        assert flow.wf.check_clocks(flow.clock()) == 0
        (breach,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:breach:")
        assert "期限" in breach
        assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).breached_at == jst(2026, 12, 1, 11, 30)

    def test_a_waiting_status_pauses_the_clocks_and_the_customer_resumes_them(self, flow: Flow) -> None:
        key = flow.ask("ログインできません")  # due Tue 11:00
        flow.poll()
        flow.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId="5")
        flow.poll()
        assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).paused_at == jst(2026, 11, 30, 12)
        flow.at(jst(2026, 11, 30, 16)).say("yamada", key, "お待たせしました。画面はこちらです。")
        flow.poll()
        clock = flow.clock_of(key, ClockKind.FIRST_RESPONSE)
        assert clock.paused_at is None
        assert clock.due == jst(2026, 12, 1, 15)  # moved by the 4 business hours paused
        assert [e.kind.value for e in clock.history] == ["started", "paused", "resumed"]
