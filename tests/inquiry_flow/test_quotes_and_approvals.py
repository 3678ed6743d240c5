"""Flow ⑤-⑦: estimates, quotes, approvals, purchases and the ledger (H6-H8, H10, O7, T7, E1-E11)."""

from __future__ import annotations

from decimal import Decimal

from bot.rules.sla import ClockKind
from tests.inquiry_flow.harness import Flow, jst


def asked(flow: Flow, summary: str = "キャンペーン設定の代行をお願いします") -> str:
    key = flow.ask(summary)
    flow.poll()
    return key


class TestEstimates:
    def test_an_estimate_of_12h_with_6h_left_asks_to_buy_6h_for_90000_yen_h7(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot estimate 12h")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, f"hoshu-bot:quote:{key}:1")
        assert "12 時間" in quote
        assert "追加購入が必要な時間 | 6 時間" in quote
        assert "90,000 円（税抜）" in quote
        assert "「承認します。」とだけコメント" in quote
        replies = flow.comments(flow.staff_issue(key))
        assert any("実行しました: /bot estimate 12h" in r for r in replies)

    def test_an_estimate_over_the_12h_cap_is_refused_with_o7(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot estimate 12.5h")
        flow.poll()
        assert flow.bot_comments_with(key, "hoshu-bot:quote:") == []
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert "実行できませんでした" in reply and "O7" in reply

    def test_an_estimate_below_the_minimum_of_its_kind_is_refused_e6(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot estimate 2h E6")
        flow.poll()
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert "実行できませんでした" in reply and "E6" in reply
        assert flow.bot_comments_with(key, "hoshu-bot:quote:") == []

    def test_an_off_hours_saturday_schedule_consumes_three_times_the_hours_t7(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot schedule 2026-12-19 10:00-13:00\n/bot estimate 3h E6")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "作業 3 時間 ×3 = 9 時間" in quote
        assert "消化時間（時間外・休日の割増後） | 9 時間" in quote
        assert "事前に保守担当と日程を合意のうえ" in quote  # weekend work needs prior agreement
        assert "T7" not in quote  # issue 15: no rule IDs in customer texts
        flow.say("yamada", key, "承認します")
        flow.poll()
        assert flow.bot_comments_with(key, "hoshu-bot:held:")  # 9 h > 6 h left: held, not consumed
        assert flow.consumed() == 0
        flow.staff_says(key, "/bot purchase 3h")
        flow.poll()
        (entry,) = [e for e in flow.store.ledger("ACME") if e.kind == "consume"]
        assert (entry.hours, entry.multiplier) == (Decimal(9), Decimal(3))

    def test_off_hours_work_without_the_notice_proposes_another_date_t7(self, flow: Flow) -> None:
        """12 days ahead, 14 needed: the quote asks to re-arrange the date; an approval goes to staff."""
        key = asked(flow)
        flow.staff_says(key, "/bot schedule 2026-12-12 10:00-13:00\n/bot estimate 3h E6")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "14 日以上前にご依頼いただく必要があります" in quote
        assert "日程を改めてご相談" in quote and "とだけコメント" not in quote
        flow.say("yamada", key, "承認します。")
        flow.poll()
        assert flow.consumed() == 0 and not flow.bot_comments_with(key, "hoshu-bot:held:")
        assert flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:unclear:")

    def test_staff_setting_the_estimated_hours_field_posts_the_quote(self, flow: Flow) -> None:
        key = asked(flow)
        flow.emu.update_issue_as("sato", key, estimatedHours="2")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "2 時間" in quote


class TestApprovals:
    def test_approval_before_any_estimate_is_explained_and_consumes_nothing(self, flow: Flow) -> None:
        key = asked(flow)
        flow.say("yamada", key, "承認します。")
        flow.poll()
        assert flow.bot_comments_with(key, "まだお見積りをお送りしていない")
        assert flow.store.ledger("ACME") == []

    def test_approval_consumes_in_the_quarter_of_the_approval_and_confirms_the_balance_h8(
        self, flow: Flow
    ) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot estimate 1.5h")
        flow.poll()
        flow.at(jst(2026, 12, 1, 14)).say("yamada", key, "承認します。よろしくお願いします。")
        flow.poll()
        (entry,) = flow.store.ledger("ACME")
        assert (entry.kind, entry.hours, entry.issue_key) == ("consume", Decimal("1.5"), key)
        assert entry.at == jst(2026, 12, 1, 14)
        assert entry.ref == f"hoshu-bot:consume:{key}:1"
        (confirm,) = flow.bot_comments_with(key, f"hoshu-bot:confirm:{key}:1")
        assert "本件で 1.5 時間を消化いたしました" in confirm and "残りは 4.5 時間" in confirm
        assert flow.client.get_issue(key).actual_hours == Decimal("1.5")
        assert flow.clock_of(key, ClockKind.RESULT).due == jst(2026, 12, 3, 14)  # T4: 2 business days

    def test_approval_of_half_an_hour_with_nothing_left_is_held_until_1h_is_bought_h7(
        self, flow: Flow
    ) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot consume 6h これまでの対応")
        flow.staff_says(key, "/bot estimate 0.5h")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "追加購入が必要な時間 | 1 時間" in quote and "15,000 円" in quote
        flow.say("yamada", key, "承認します。")
        flow.poll()
        (held,) = flow.bot_comments_with(key, "hoshu-bot:held:")
        assert "1 時間（15,000 円（税抜））の追加購入が必要" in held
        assert flow.consumed() == Decimal(6)
        flow.staff_says(key, "/bot purchase 1h")
        flow.poll()
        assert flow.consumed() == Decimal("6.5")
        assert len(flow.bot_comments_with(key, f"hoshu-bot:confirm:{key}:1")) == 1
        assert len(flow.bot_comments_with(key, "hoshu-bot:purchased:")) == 1

    def test_a_held_approval_starts_the_work_clocks_at_the_purchase_not_before(self, flow: Flow) -> None:
        """Review 16: while the approval waits for a purchase, no work can start, so the T3/T4 clocks do
        not run; the hours are still consumed at the approval (H8: its quarter)."""
        key = asked(flow)
        flow.staff_says(key, "/bot consume 6h これまでの対応")
        flow.staff_says(key, "/bot estimate 0.5h")
        flow.poll()
        flow.at(jst(2026, 11, 30, 11)).say("yamada", key, "承認します。")
        flow.poll()
        assert [sc.clock.kind for sc in flow.records.clocks(key)
                if sc.clock.kind in (ClockKind.UPDATE, ClockKind.RESULT)] == []
        flow.at(jst(2026, 12, 3, 15)).staff_says(key, "/bot purchase 1h")  # three business days later
        flow.poll()
        (entry,) = [e for e in flow.store.ledger("ACME") if e.ref == f"hoshu-bot:consume:{key}:1"]
        assert entry.at == jst(2026, 11, 30, 11)
        for kind in (ClockKind.UPDATE, ClockKind.RESULT):
            assert flow.clock_of(key, kind).started == jst(2026, 12, 3, 15), kind

    def test_rejection_consumes_nothing(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot estimate 2h")
        flow.poll()
        flow.say("yamada", key, "見送りでお願いします。")
        flow.poll()
        assert flow.bot_comments_with(key, "お見送りとして承りました")
        assert flow.store.ledger("ACME") == []
        flow.say("yamada", key, "承認します。")  # too late: the quote was declined
        flow.poll()
        assert flow.store.ledger("ACME") == []

    def test_a_consume_beyond_the_quarter_is_refused_h5(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot consume 7h")
        flow.poll()
        assert flow.store.ledger("ACME") == []
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert "実行できませんでした" in reply


class TestCommands:
    def test_a_customer_bot_line_is_ignored_and_reported_to_staff(self, flow: Flow) -> None:
        key = asked(flow)
        flow.say("yamada", key, "/bot consume 0.5h 基本機能の回答")
        flow.poll()
        assert flow.store.ledger("ACME") == []
        (notice,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:custcmd:")
        assert "yamada" in notice and "実行していません" in notice
        assert not flow.bot_comments_with(key, "hoshu-bot:confirm:")

    def test_staff_commands_on_the_customer_issue_are_obeyed_and_answered_on_the_staff_issue(
        self, flow: Flow
    ) -> None:
        key = asked(flow)
        flow.say("suzuki", key, "/bot consume 0.5h 基本機能の回答")
        flow.poll()
        assert flow.consumed() == Decimal("0.5")
        (confirm,) = flow.bot_comments_with(key, "hoshu-bot:confirm:")
        assert "0.5 時間を消化いたしました" in confirm
        assert "基本機能の回答" not in confirm  # review 26: the staff memo stays in the ledger
        (entry,) = flow.store.ledger("ACME")
        assert entry.why == "基本機能の回答"
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), f"hoshu-bot:cmd:{key}:")
        assert "実行しました" in reply

    def test_help_and_unknown_commands_get_the_list(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot help\n/bot frobnicate")
        flow.poll()
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert "実行しました: /bot help" in reply
        assert "実行できませんでした: /bot frobnicate" in reply
        assert "/bot purchase 6h" in reply

    def test_send_releases_the_prepared_out_of_scope_explanation(self, flow: Flow) -> None:
        key = asked(flow, "リードの一括削除をお願いします")
        flow.staff_says(key, "/bot send")
        flow.poll()
        (text,) = flow.bot_comments_with(key, f"hoshu-bot:explain:{key}")
        assert "BPO" in text
