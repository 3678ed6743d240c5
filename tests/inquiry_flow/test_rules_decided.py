"""Staff estimates under the rules decided on 2026-12-03 (issue 19 item 8): O7 caps the hours consumed
after the T7 multipliers, so staff are refused with a split or weekday work and no quote is posted."""

from __future__ import annotations

from tests.inquiry_flow.harness import Flow
from tests.inquiry_flow.test_quotes_and_approvals import asked


class TestTaskCapAfterMultipliers:
    def test_a_5h_saturday_estimate_is_refused_with_a_split_or_weekday_work(self, flow: Flow) -> None:
        """5 h on Saturday 2026-12-19 consume 15 h (x3): over the 12 h cap though 5 h of work is not."""
        key = asked(flow)
        flow.staff_says(key, "/bot schedule 2026-12-19 10:00-15:00\n/bot estimate 5h")
        flow.poll()
        assert flow.bot_comments_with(key, "hoshu-bot:quote:") == []
        replies = [r for r in flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
                   if "/bot estimate" in r]
        (reply,) = replies
        assert "実行できませんでした" in reply and "O7" in reply
        assert "割増後15時間" in reply and "7.5時間 + 7.5時間" in reply and "平日の営業時間内" in reply
        assert flow.consumed() == 0

    def test_a_4h_saturday_estimate_consumes_12h_and_is_quoted(self, flow: Flow) -> None:
        key = asked(flow)
        flow.staff_says(key, "/bot schedule 2026-12-19 10:00-14:00\n/bot estimate 4h")
        flow.poll()
        (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
        assert "12 時間" in quote
