"""The staff issue of an inquiry carries what staff need to answer it (issue 20 item 6, review 29)."""

from __future__ import annotations

from tests.inquiry_flow.harness import Flow


def test_the_staff_issue_quotes_the_inquiry_and_shows_hours_and_the_wished_date(flow: Flow) -> None:
    wish = "入力チェックを追加したいです。12月10日までに公開したいです。"
    key = flow.ask("申込フォームの入力チェック", wish)
    flow.poll()
    staff = flow.client.get_issue(flow.staff_issue(key)).description.replace("\\", "")
    assert wish in staff
    assert "お客様の記載した希望日（T6） | 2026年12月10日(木)" in staff
    assert "当四半期の残り時間 | 6 時間（2026年12月31日(木) 失効" in staff
    assert "/bot help" in staff and "/bot pause" not in staff  # the command list is not repeated
