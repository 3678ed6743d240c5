"""``report --customer KEY --month YYYY-MM [--dry-run]`` (INTERFACE.md) and the staff summary totals."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backlog.text import render
from bot.config.loader import BotConfig
from bot.reports.content import parse_month
from bot.reports.publish import ReportPublisher
from bot.reports.staff_summary import summary_doc, summary_rows, total
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from tests.reports.history import fill_acme, fill_beta
from tests.support.paths import CONFIG_DIR


@pytest.fixture
def state_file(tmp_path: Path, cal: BusinessCalendar, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state.db"
    store = StateStore.open(path)
    fill_acme(store, cal)
    fill_beta(store)
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("BOT_STATE_PATH", str(path))
    monkeypatch.delenv("BACKLOG_BASE_URL", raising=False)
    monkeypatch.delenv("BACKLOG_API_KEY", raising=False)
    return path


class TestReportCommand:
    def test_dry_run_prints_the_report_without_credentials(
        self, state_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["report", "--customer", "ACME", "--month", "2026-11", "--dry-run", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["customer"] == "ACME" and "| 残り | 2.5 時間 |" in out["text"]

    def test_dry_run_can_print_backlog_notation(
        self, state_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["report", "--customer", "BETA", "--month", "2026-11", "--dry-run", "--format", "backlog"]
        assert main(argv) == 0
        assert "|残り|7 時間|" in capsys.readouterr().out

    @pytest.mark.parametrize(("argv", "needle"), [
        (["--customer", "ACME", "--month", "2026-13", "--dry-run"], "YYYY-MM"),
        (["--customer", "NOPE", "--month", "2026-11", "--dry-run"], "unknown customer"),
        (["--customer", "ACME", "--month", "2025-11", "--dry-run"], "no contract"),
        (["--customer", "ACME", "--month", "2026-11"], "BACKLOG_BASE_URL"),
    ], ids=["bad-month", "unknown-customer", "before-contract", "publish-needs-credentials"])
    def test_bad_usage_exits_2_with_one_line(
        self, state_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
    ) -> None:
        assert main(["report", *argv]) == 2
        err = capsys.readouterr().err
        assert needle in err and len(err.strip().splitlines()) == 1


class TestStaffSummary:
    def test_totals_are_the_sums_of_the_customers(self, store: StateStore, config: BotConfig) -> None:
        p = ReportPublisher(config, store)
        nov = parse_month("2026-11")
        rows = summary_rows([p.build("ACME", nov), p.build("BETA", nov)])
        t = total(rows)
        assert (t.used, t.bought, t.bought_yen) == (Decimal(6), Decimal(2), 30_000)
        assert (t.sla_met, t.sla_total, t.alerts) == (1, 2, 4)
        # Review 33: each customer's allotment and what is left are those of their own quarter (ACME's
        # runs to 12/31, BETA's to 1/31): they are shown per customer and never summed.
        assert [(r.customer, r.quarter_end) for r in rows] == [
            ("ACME", date(2026, 12, 31)), ("BETA", date(2027, 1, 31))]
        assert (t.quarter_start, t.sold, t.left) == (None, 0, 0)

    def test_the_page_lays_out_each_customer_and_the_totals_row(
        self, store: StateStore, config: BotConfig
    ) -> None:
        """C7: the template names the totals row and words SLA compliance as met/decided (percent)."""
        p = ReportPublisher(config, store)
        nov = parse_month("2026-11")
        reports = [p.build("ACME", nov), p.build("BETA", nov)]
        page = render(summary_doc(config.voice(), nov, reports), "markdown")
        totals = next(line for line in page.splitlines() if line.startswith("| 合計 |"))
        assert totals.split(" | ")[1:5] == ["-", "-", "6 時間", "-"]
        assert "| 1/2（50%） | 1 | 4 |" in totals
        assert "期限遵守 1/2（50%）、超過 1件" in page

    def test_hours_that_lapsed_at_a_quarter_end_are_counted_in_that_month(
        self, store: StateStore, config: BotConfig
    ) -> None:
        """H4: BETA's bridge quarter 2026-08-01..10-31 lapsed its 6 h at the end of October."""
        p = ReportPublisher(config, store)
        assert p.build("BETA", parse_month("2026-10")).lapsed == Decimal(6)
        assert p.build("BETA", parse_month("2026-11")).lapsed == Decimal(0)
