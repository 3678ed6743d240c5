"""Flow ①-③: every customer issue is acknowledged at once (T2, T5, C1, P3) and gets its staff issue."""

from __future__ import annotations

import pytest

from bot.rules.sla import ClockKind
from tests.inquiry_flow.harness import Flow, jst


class TestAcknowledgement:
    def test_a_saturday_inquiry_is_acknowledged_at_once_with_the_monday_1800_deadline_t2(
        self, flow: Flow
    ) -> None:
        flow.at(jst(2026, 11, 28, 11))
        key = flow.ask("ログインできません", "管理画面にログインできません。")
        result = flow.poll()
        acks = flow.bot_comments_with(key, f"hoshu-bot:ack:{key}")
        assert result.handled >= 1
        assert len(acks) == 1
        assert "2026年11月30日(月) 18:00 までにご回答いたします" in acks[0]
        assert flow.clock_of(key, ClockKind.FIRST_RESPONSE).due == jst(2026, 11, 30, 18)

    def test_the_acknowledgement_states_hours_used_left_and_their_expiry_t5(self, flow: Flow) -> None:
        key = flow.ask("設定変更のお願い")
        flow.poll()
        (ack,) = flow.bot_comments_with(key, "hoshu-bot:ack:")
        assert "ご利用時間は 0 時間、残りは 6 時間です" in ack
        assert ack.count("2026年12月31日(木) をもって失効します") == 1  # T5/H4, said once (the bar's legend)

    @pytest.mark.parametrize(
        ("received", "deadline"),
        [
            (jst(2026, 5, 1, 17), "2026年5月7日(木) 17:00"),  # Golden Week: 5/4, 5/5, 5/6 (振替休日)
            (jst(2026, 12, 28, 15), "2027年1月4日(月) 15:00"),  # year-end company holidays 12/29-1/3
        ],
        ids=["golden-week", "year-end"],
    )
    def test_a_holiday_week_moves_the_deadline_past_every_closed_day_t1_t2(
        self, flow: Flow, received: object, deadline: str
    ) -> None:
        flow.at(received)  # type: ignore[arg-type]
        key = flow.ask("帳票の出力について", project="ACME")
        flow.poll()
        (ack,) = flow.bot_comments_with(key, "hoshu-bot:ack:")
        assert f"{deadline} までにご回答いたします" in ack

    def test_a_function_inquiry_is_offered_to_customer_support_free_of_charge_c1(self, flow: Flow) -> None:
        key = flow.ask("メール配信の使い方を教えてください")
        flow.poll()
        (ack,) = flow.bot_comments_with(key, "hoshu-bot:ack:")
        assert "カスタマーサポート" in ack and "0.5 時間" in ack

    def test_an_unregistered_inquirer_is_acknowledged_and_flagged_to_staff_p3(self, flow: Flow) -> None:
        key = flow.ask("テンプレートの修正依頼", user="kimura")
        flow.poll()
        (ack,) = flow.bot_comments_with(key, "hoshu-bot:ack:")
        assert "ご登録がない" in ack
        staff = flow.client.get_issue(flow.staff_issue(key))
        assert "P3" in staff.description and "kimura" in staff.description

    def test_the_staff_issue_links_the_inquiry_with_category_minimum_and_out_of_scope_text(
        self, flow: Flow
    ) -> None:
        key = flow.ask("リードの一括削除をお願いします", "リードデータを一括で削除してほしいです。")
        flow.poll()
        staff_key = flow.staff_issue(key)
        staff = flow.client.get_issue(staff_key)
        assert staff_key.startswith("HOSHU-")
        assert staff.summary.startswith(f"[{key}]")
        assert f"/view/{key}" in staff.description
        assert f"hoshu-bot:staff:{key}" in staff.description
        assert "O3" in staff.description
        assert flow.records.by_staff_issue(staff_key) is not None

    def test_customer_text_never_contains_staff_only_content(self, flow: Flow) -> None:
        key = flow.ask("リードの一括削除をお願いします")
        flow.poll()
        for text in flow.comments(key):
            assert "HOSHU" not in text and "O3" not in text and "P3" not in text

    def test_issues_opened_by_staff_or_in_the_staff_project_are_not_inquiries(self, flow: Flow) -> None:
        by_staff = flow.ask("社内メモ", user="sato")
        flow.poll()
        assert flow.records.get(by_staff) is None
        assert flow.comments(by_staff) == []
