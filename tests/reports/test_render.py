"""Golden files of the monthly report (R1) in both formatting rules, checked field by field."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot.backlog.text import Rule
from bot.config.loader import BotConfig
from bot.reports.content import parse_month
from bot.reports.publish import ReportPublisher
from bot.reports.render import clean_remarks, extract_remarks
from bot.state import StateStore

GOLDEN = Path(__file__).parent / "golden"
RULES: tuple[Rule, ...] = ("markdown", "backlog")


def golden(name: str, text: str) -> str:
    """The stored golden text; ``UPDATE_GOLDEN=1`` rewrites it from ``text`` (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").removesuffix("\n")


def unescape(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell).replace("－", "-").strip()


def table_after(text: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after ``heading``, cells unescaped (both notations)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("#* ").strip() == heading)
    rows: list[list[str]] = []
    backlog_header = False
    for line in lines[start + 1:]:
        if rows and not line.startswith("|"):
            break
        if line.endswith("|h"):
            backlog_header = True
        if not line.startswith("|") or line.endswith("|h") or "---" in line:
            continue
        rows.append([unescape(c) for c in line.strip("|").split("|")])
    return rows if backlog_header else rows[1:]  # markdown: the first row is the header


class TestEndedQuarter:
    def test_after_the_quarter_the_report_speaks_of_lapsed_hours_in_the_past(
        self, store: StateStore, config: BotConfig
    ) -> None:
        """Review 13: the December report (ACME's quarter ends 12/31) says the hours lapsed, not that they
        are free to use."""
        publisher = ReportPublisher(config, store)
        text = publisher.render(publisher.build("ACME", parse_month("2026-12")), "markdown")
        assert "| 失効 | 1.5 時間 |" in text
        assert "□ 失効 1.5 時間（2026年12月31日(木) をもって失効しました）" in text
        assert "失効した時間は 1.5 時間です" in text
        assert "空き" not in text and "失効します" not in text


class TestGoldenReport:
    @pytest.mark.parametrize("rule", RULES)
    @pytest.mark.parametrize("customer", ["ACME", "BETA"])
    def test_report_matches_its_golden_file(
        self, store: StateStore, config: BotConfig, customer: str, rule: Rule
    ) -> None:
        """The whole page for a fixed ledger and history is exactly the reviewed text."""
        publisher = ReportPublisher(config, store)
        text = publisher.render(publisher.build(customer, parse_month("2026-11")), rule)
        assert text == golden(f"{customer.lower()}-2026-11.{rule}.txt", text)

    @pytest.mark.parametrize("rule", RULES)
    def test_hours_add_up_field_by_field_when_read_back_from_the_page(
        self, store: StateStore, config: BotConfig, rule: Rule
    ) -> None:
        """R1/H4: consumed + left = allotment + bought for the quarter; the month is the sum of its lines."""
        text = (GOLDEN / f"acme-2026-11.{rule}.txt").read_text(encoding="utf-8")
        hours = {row[0]: row[1] for row in table_after(text, "保守時間")}

        def h(cell: str) -> Decimal:  # 「2.5 時間」: every figure carries its unit (issue 20 item 5)
            assert cell.endswith(" 時間"), cell
            return Decimal(cell.removesuffix(" 時間"))

        allot, bought = h(hours["四半期の割当"]), h(hours["追加購入（四半期）"])
        month, quarter = h(hours["当月の消化"]), h(hours["四半期の消化（累計）"])
        left = h(hours["残り"])
        assert (allot, bought, month, quarter, left) == (6, 2, 4, Decimal("5.5"), Decimal("2.5"))
        assert quarter + left == allot + bought
        assert hours["有効期限"] == "2026年12月31日(木)"  # issue 15: one date style everywhere
        lines = table_after(text, "当月のご利用明細")
        # 作業時間 x 倍率 = 消化時間（割増後）, and the 消化 column sums to the month (review 11)
        assert [(r[0], r[3], r[4], r[5], r[6]) for r in lines] == [
            ("ACME-5", "1 時間", "×1", "1 時間", "2026年11月5日(木)"),
            ("ACME-7", "2 時間", "×1.5", "3 時間", "2026年11月18日(水)")]
        assert sum(h(r[5]) for r in lines) == month
        assert table_after(text, "追加購入") == [["2026年11月10日(火)", "2 時間", "30,000 円（税抜）"]]
        issues = {r[0]: r[4] for r in table_after(text, "課題の状況")}
        # Backlog's own status names (review 15), 完了 for what closed by the month's end
        assert issues == {"ACME-2": "処理中", "ACME-3": "完了", "ACME-5": "処理中", "ACME-7": "完了"}
        sla = {(r[0], r[1]): r[5] for r in table_after(text, "初回回答などの期限遵守状況")}
        assert sla == {("ACME-5", "初回回答"): "期限内", ("ACME-7", "初回回答"): "超過",
                       ("ACME-2", "進捗報告"): "対応中"}
        alerts = table_after(text, "監視アラート")
        assert alerts == [["DataSpider", "一時的なエラー", "3", "0", "1"],
                          ["Salesforce", "対応が必要なエラー", "1", "1", "0"]]

    @pytest.mark.parametrize("rule", RULES)
    def test_alerts_name_the_adapter_as_monitoring_toml_labels_it(
        self, store: StateStore, config: BotConfig, rule: Rule
    ) -> None:
        """M2: the customer reads the adapter's display name, not our id; an unlabelled id stays as it is."""
        publisher = ReportPublisher(config, store, adapter_labels={"DataSpider": "DataSpider Cloud"})
        text = publisher.render(publisher.build("ACME", parse_month("2026-11")), rule)
        assert [row[0] for row in table_after(text, "監視アラート")] == ["DataSpider Cloud", "Salesforce"]

    def test_customer_text_is_polite_and_has_no_4byte_characters(
        self, store: StateStore, config: BotConfig
    ) -> None:
        publisher = ReportPublisher(config, store)
        text = publisher.render(publisher.build("ACME", parse_month("2026-11")), "markdown")
        assert "ご報告いたします" in text and "です。" in text
        assert all(ord(ch) <= 0xFFFF for ch in text)
        assert "BETA" not in text  # never another customer's data


class TestRemarks:
    @pytest.mark.parametrize(("rule", "page", "expected"), [
        ("markdown", "# t\n\n## 備考\n\n- 来月は棚卸し\n* 箇条書き\n\nhoshu-bot:report:ACME:2026-11",
         "- 来月は棚卸し\n* 箇条書き"),
        ("backlog", "* t\n\n** 備考\n\n来月は棚卸し\n** 次の見出し\nx", "来月は棚卸し"),
        ("markdown", "# t\n\n## 備考\n\nhoshu-bot:report:ACME:2026-11", None),
        ("markdown", "# t only", None),
        ("markdown", None, None),
    ], ids=["markdown-until-reference", "backlog-until-next-heading", "empty", "no-section", "no-page"])
    def test_remarks_are_the_lines_under_their_heading(
        self, rule: Rule, page: str | None, expected: str | None
    ) -> None:
        assert extract_remarks(page, rule) == expected

    def test_kept_remarks_cannot_forge_a_reference_or_carry_4byte_characters(self) -> None:
        assert clean_remarks("ok 😀\nhoshu-bot:report:X:1\nsee hoshu-bot:x") == "ok 〓\nsee hoshu-bot：x"


class TestIssueStates:
    def test_alert_issues_are_apart_and_states_are_backlogs_own(self) -> None:
        """Review 15: Backlog's status names, 完了 for what closed in the month, and the bot's own alert
        issues neither counted nor listed as inquiries."""
        from datetime import datetime  # noqa: PLC0415

        from bot.clock import JST  # noqa: PLC0415
        from bot.reports.content import _issue_lines  # noqa: PLC0415
        from bot.state.inquiries import InquiryRow  # noqa: PLC0415

        at = datetime(2026, 11, 5, 10, tzinfo=JST)
        rows = [
            InquiryRow("ACME-1", "ACME", 1, "設定変更", "yamada", at, "処理済み", at),
            InquiryRow("ACME-2", "ACME", 2, "[監視] kintone", "hoshu-bot", at, "未対応", at,
                       data={"kind": "alert"}),
        ]
        start, cut = datetime(2026, 11, 1, tzinfo=JST), datetime(2026, 12, 1, tzinfo=JST)
        lines = _issue_lines(rows, start, cut, JST)
        assert [(i.issue_key, i.status, i.alert) for i in lines] == [
            ("ACME-1", "処理済み", False), ("ACME-2", "未対応", True)]


class TestOpenQuotes:
    def test_quotes_waiting_for_an_answer_or_a_purchase_are_listed_with_their_numbers(
        self, store: StateStore, config: BotConfig
    ) -> None:
        """Review item 5 (issue 20): the report lists the quotes not yet consumed, by the number the
        customer was given, whatever the age of their open issue; approved, rejected or proposals are
        not."""
        from datetime import datetime  # noqa: PLC0415

        from bot.clock import JST  # noqa: PLC0415
        from bot.state.inquiries import InquiryRecords, InquiryRow  # noqa: PLC0415

        old = datetime(2026, 8, 3, 10, tzinfo=JST)  # a quote of an issue opened three months before
        for n, state in ((41, "pending"), (42, "held"), (43, "approved"), (44, "rejected"), (45, "proposal")):
            quote = {"n": 2, "worked": "1", "requested": "1.5", "state": state, "kind": None,
                     "approved_at": None}
            row = InquiryRow(f"ACME-{n}", "ACME", n, f"件名 {n}", "yamada", old, "処理中", old,
                             data={"quote_n": 2, "quote": quote})
            with store.transaction() as c:
                InquiryRecords.save(c, row)
        publisher = ReportPublisher(config, store)
        text = publisher.render(publisher.build("ACME", parse_month("2026-11")), "markdown")
        assert table_after(text, "未消化のお見積り") == [
            ["ACME-41-2", "ACME-41", "件名 41", "1.5 時間", "ご回答待ち"],
            ["ACME-42-2", "ACME-42", "件名 42", "1.5 時間", "ご承認済み（追加購入のお手続き待ち）"],
        ]
