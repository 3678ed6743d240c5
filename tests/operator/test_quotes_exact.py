"""Quotes exact to the brochure (issue 13 item 7): one formatter for hours and yen, O7, JST quarters."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.__main__ import main
from bot.hour_tracker import Contract, LedgerEntry, balance, quote, round_up
from bot.inquiry.texts import fmt_hours, fmt_yen
from bot.rules.estimates import EstimateTable, split_task
from bot.rules.figures import hours_figure, yen_figure
from bot.wording.formats import number as report_number
from tests.support.paths import CONFIG_DIR

JST = ZoneInfo("Asia/Tokyo")
ACME = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)
AT = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def used(hours: str, at: datetime) -> LedgerEntry:
    return LedgerEntry("ACME", "consume", Decimal(hours), at, "ACME-1", "sato", "confirmed", f"r{hours}{at}")


class TestOneFormatter:
    @pytest.mark.parametrize(("value", "text"), [
        (Decimal(10), "10"), (Decimal("1E+1"), "10"), (Decimal("3E+1"), "30"), (Decimal("20.0"), "20"),
        (Decimal("1.50"), "1.5"), (Decimal("0.5"), "0.5"), (Decimal("-0"), "0"), (Decimal("6.0"), "6"),
        (Decimal("-0.50"), "-0.5"), (Decimal(100), "100"), (Decimal("1E+2"), "100"),
    ])
    def test_hours_have_no_exponent_and_no_trailing_zero(self, value: Decimal, text: str) -> None:
        assert hours_figure(value) == text
        assert fmt_hours(value) == f"{text} 時間"
        assert report_number(value) == text  # the report template's |number

    def test_yen_have_thousands_separators(self) -> None:
        assert yen_figure(150_000) == "150,000"
        assert yen_figure(Decimal(1_275_000)) == "1,275,000"
        assert fmt_yen(450_000) == "450,000 円（税抜）"

    @given(st.integers(min_value=0, max_value=2000))
    def test_any_half_hour_reads_back_as_the_same_number(self, halves: int) -> None:
        value = (Decimal(halves) * Decimal("0.5")).normalize()
        text = hours_figure(value)
        assert "E" not in text and not text.endswith(".0")
        assert Decimal(text) == value

    @pytest.mark.parametrize("hours", ["10", "20", "30"])
    def test_a_purchase_of_10_20_30_h_is_written_plainly(self, hours: str) -> None:
        # The quarter is used up, so every requested hour is bought (H6, H7); 12 h jobs, one by one.
        spent = [used("6", datetime(2026, 10, 5, 10, tzinfo=JST))]
        need = Decimal(hours)
        q = quote(ACME, (), spent, AT, min(need, Decimal(12)))
        assert str(round_up(need, Decimal(1))) == hours
        assert "E+" not in str(q.purchase_needed)
        text = " ".join(w.reason for w in q.warnings)
        assert f"追加購入（{hours_figure(q.purchase_needed)}時間）" in text
        assert "E+" not in text


class TestTaskCap:
    def test_split_is_the_fewest_jobs_as_even_as_the_step_allows(self) -> None:
        assert split_task(Decimal("12.5"), Decimal(12)) == (Decimal("6.5"), Decimal(6))
        assert split_task(Decimal(25), Decimal(12)) == (Decimal("8.5"), Decimal("8.5"), Decimal(8))
        assert split_task(Decimal(12), Decimal(12)) == (Decimal(12),)

    @given(st.integers(min_value=25, max_value=400))
    def test_every_part_fits_and_the_parts_add_up(self, halves: int) -> None:
        hours = Decimal(halves) / 2
        parts = split_task(hours, Decimal(12))
        assert sum(parts) == hours
        assert all(Decimal(0) < p <= 12 and p % Decimal("0.5") == 0 for p in parts)

    @pytest.fixture
    def shipped(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``quote`` in-process with the shipped configuration and a fresh store."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("BOT_CONFIG_DIR", str(CONFIG_DIR))
        monkeypatch.setenv("BOT_STATE_PATH", str(tmp_path / "state.db"))

    @pytest.mark.usefixtures("shipped")
    def test_quote_over_12h_exits_2_citing_o7_and_a_split(self, capsys: pytest.CaptureFixture[str]) -> None:
        code = main(["quote", "--customer", "ACME", "--hours", "12.5", "--at", "2026-11-26T10:00+09:00",
                     "--json"])
        out = capsys.readouterr()
        assert code == 2
        # INTERFACE.md: O7 stays readable among ``warnings`` of --json; nothing is priced.
        refused = json.loads(out.out)
        assert refused["quoted"] is False
        assert [w["rule"] for w in refused["warnings"]] == ["O7"]
        assert refused["split"] == ["6.5", "6"]
        assert "purchase_price" not in refused
        lines = out.err.strip().splitlines()
        assert len(lines) == 1
        assert "O7" in lines[0]
        assert "6.5時間 + 6時間" in lines[0]

    @pytest.mark.usefixtures("shipped")
    def test_quote_of_exactly_12h_is_still_one_job(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["quote", "--customer", "ACME", "--hours", "12", "--at", "2026-11-26T10:00+09:00"]) == 0
        assert "O7" not in capsys.readouterr().out

    def test_staff_estimate_over_12h_is_answered_with_o7_and_a_split(self) -> None:
        # ``/bot estimate 12.5h`` is refused to staff with these findings (bot/inquiry/staff.estimate).
        found = EstimateTable(()).check_estimate(Decimal("12.5"))
        assert [f.rule for f in found] == ["O7"]
        assert "12時間以内" in found[0].reason
        assert "6.5時間 + 6時間" in found[0].reason


class TestJapanQuarters:
    def test_an_entry_at_1530z_on_30_june_belongs_to_the_quarter_of_1_july(self) -> None:
        entry = used("2", datetime(2026, 6, 30, 15, 30, tzinfo=UTC))  # 00:30 JST on 1 July
        july = balance(ACME, (), [entry], datetime(2026, 7, 2, 10, tzinfo=JST))
        assert july.quarter.start == date(2026, 7, 1)
        assert july.consumed == 2
        june = balance(ACME, (), [entry], datetime(2026, 6, 30, 10, tzinfo=JST))
        assert june.consumed == 0

    def test_the_moment_asked_about_is_read_in_japan_time_too(self) -> None:
        at = datetime(2026, 6, 30, 15, 30, tzinfo=UTC)
        assert balance(ACME, (), (), at).quarter.start == date(2026, 7, 1)


def test_staff_bot_estimate_over_12h_is_answered_with_o7_and_the_split() -> None:
    """End to end: ``/bot estimate 12.5h`` on the staff issue is refused to staff, citing O7 and the split;
    nothing is quoted to the customer."""
    from bot.clock import FixedClock  # noqa: PLC0415
    from bot.sandbox import BacklogEmulator  # noqa: PLC0415
    from tests.inquiry_flow.harness import Flow  # noqa: PLC0415

    clock = FixedClock(AT)
    with BacklogEmulator.start(clock=lambda: clock().timestamp()) as emu:
        flow = Flow(emu, clock)
        key = flow.ask("設定変更のお願い", "キャンペーンの設定変更をお願いします。")
        flow.poll()
        flow.staff_says(key, "/bot estimate 12.5h")
        flow.poll()
        (reply,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
        assert "O7" in reply and "12時間以内" in reply
        assert "6.5時間 + 6時間" in reply
        assert "2つの作業（6.5時間 + 6時間）に分けてお見積りください" in reply  # staff/outcome's wording
        assert flow.bot_comments_with(key, "hoshu-bot:quote:") == []
