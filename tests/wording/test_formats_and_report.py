"""The one date style, the hour bar, and the report of a month in progress (issue 15)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.backlog.text import render
from bot.hour_tracker import Contract, LedgerEntry
from bot.reports.content import build_report
from bot.reports.render import report_doc
from bot.wording import Wording
from bot.wording.formats import BAR_WIDTH, LEFT, RESERVED, USED, bar, fmt_date, fmt_datetime

JST = ZoneInfo("Asia/Tokyo")
ACME = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)
USED_OCT = (LedgerEntry("ACME", "consume", Decimal("2.5"), datetime(2026, 10, 5, 12, tzinfo=JST), "ACME-3",
                        "sato", "設定代行", "hoshu-bot:consume:ACME-3:1"),)
VOICE = Wording.packaged().voice("ACME", "株式会社アクメ")


class TestDateStyle:
    def test_dates_and_times_read_the_same_everywhere(self) -> None:
        assert fmt_datetime(datetime(2026, 12, 2, 18, tzinfo=JST)) == "2026年12月2日(水) 18:00"
        assert fmt_date(date(2026, 12, 2)) == "2026年12月2日(水)"


class TestBar:
    @pytest.mark.parametrize(("used", "reserved", "left", "expected"), [
        ("0", "0", "6", (0, 0, BAR_WIDTH)),
        ("3", "0", "3", (10, 0, 10)),
        ("2.5", "1", "2.5", (8, 3, 9)),
        ("6", "0", "0", (BAR_WIDTH, 0, 0)),
        ("0.1", "0", "99", (1, 0, BAR_WIDTH - 1)),  # a part that is not zero never disappears
    ])
    def test_cells_are_shares_of_the_quarter(self, used: str, reserved: str, left: str,
                                             expected: tuple[int, int, int]) -> None:
        text = bar(Decimal(used), Decimal(reserved), Decimal(left))
        assert len(text) == BAR_WIDTH
        assert (text.count(USED), text.count(RESERVED), text.count(LEFT)) == expected

    def test_the_bar_reads_the_same_in_both_notations(self) -> None:
        """No character of it is structure in markdown or Backlog notation."""
        text = bar(Decimal(2), Decimal(1), Decimal(3))
        assert set(text) <= {USED, RESERVED, LEFT}


class TestReportAsOf:
    def _text(self, now: datetime | None) -> str:
        r = build_report(customer="ACME", customer_name="株式会社アクメ", month=date(2026, 12, 1),
                         contracts=ACME, purchases=(), ledger=USED_OCT, now=now)
        return render(report_doc(VOICE, r), "markdown")

    def test_a_month_in_progress_says_as_of_when(self) -> None:
        text = self._text(datetime(2026, 12, 2, 18, 0, tzinfo=JST))
        assert "2026年12月2日(水) 18:00 時点の記録に基づいて" in text
        assert "2026年12月31日(木)までの記録に基づいて集計" not in text

    def test_a_finished_month_says_up_to_its_last_day(self) -> None:
        text = self._text(datetime(2027, 1, 4, 10, tzinfo=JST))
        assert "2026年12月31日(木)までの記録に基づいて集計しています。" in text
        assert "時点の記録" not in text

    def test_the_last_three_quarters_are_side_by_side(self) -> None:
        text = self._text(None)
        rows = [line for line in text.split("## 直近の四半期の推移")[1].split("##")[0].splitlines()
                if line.startswith("| 2026")]
        assert [r.split(" | ")[0].lstrip("| ") for r in rows] == [
            "2026年4月1日(水)〜2026年6月30日(火)", "2026年7月1日(水)〜2026年9月30日(水)",
            "2026年10月1日(木)〜2026年12月31日(木)"]
        assert ("失効 6 時間" in rows[0] and "残り 3.5 時間" in rows[2]) or "失効 3.5 時間" in rows[2]
