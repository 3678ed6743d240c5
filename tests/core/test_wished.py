"""The date a customer wrote as wished (issue 20 item 6, review 9): a hint for staff, never a decision."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules.wished import wished_date

RECEIVED = date(2026, 11, 27)


@pytest.mark.parametrize(("text", "expected"), [
    ("申込フォームの入力チェックを追加したいです。12月10日までに公開したいです。", date(2026, 12, 10)),
    ("2026/12/10 までにお願いします", date(2026, 12, 10)),
    ("12/10希望です", date(2026, 12, 10)),
    ("１２月１０日までに", date(2026, 12, 10)),  # full-width digits
    ("12月10日頃までにお願いします", date(2026, 12, 10)),
    ("1月5日までに利用開始したい", date(2027, 1, 5)),  # no year, already past this year: next year's
    ("1月5日から利用開始です", None),  # a start, not a deadline
    ("12/3に発生したエラーです", None),  # when it happened, not a wish
    ("2026年11月1日に発生したエラーについて", None),  # a past date with its year is not a wish
    ("2026年11月1日に発生、12月3日までに直したい", date(2026, 12, 3)),
    ("11/30 までに、できれば 2026-12-03", date(2026, 11, 30)),  # the first one written
    ("バージョン v1.2/3 の件", None),
    ("2月30日までに", None),  # no such day
    ("特に期限はありません", None),
])
def test_the_first_date_on_or_after_the_day_of_receipt(text: str, expected: date | None) -> None:
    assert wished_date(text, RECEIVED) == expected
