"""T6 counts from the date the customer wrote (review 9): 「12月3日までに」 on an inquiry received 11/30."""

from __future__ import annotations

from tests.inquiry_flow.harness import Flow


def test_the_lead_time_warning_names_the_customers_own_date(flow: Flow) -> None:
    key = flow.ask("フォームの文言変更", "12月3日までに公開したいです。")
    flow.poll()
    flow.staff_says(key, "/bot estimate 1h")
    flow.poll()
    (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
    assert "完了ご希望日まで 3 日です" in quote


def test_without_a_written_date_no_lead_time_warning(flow: Flow) -> None:
    key = flow.ask("フォームの文言変更", "お手すきの際にお願いします。")
    flow.poll()
    flow.staff_says(key, "/bot estimate 1h")
    flow.poll()
    (quote,) = flow.bot_comments_with(key, "hoshu-bot:quote:")
    assert "完了ご希望日まで" not in quote
