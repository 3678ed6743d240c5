"""Tests of the Japanese texts of the inquiry flow (T2, T5, C1, P3, H6, H7, T7; goldens: tests/wording)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.backlog.text import COMMENT_MAX, DESCRIPTION_MAX, Doc, render
from bot.hour_tracker import quote
from bot.inquiry.quote_text import QuoteFacts, band_work, quote_text
from bot.inquiry.staff_texts import (
    breach_notice,
    command_done,
    command_refused,
    customer_command_notice,
    help_text,
    reminder_notice,
    staff_issue_body,
    staff_issue_summary,
)
from bot.inquiry.texts import (
    acknowledgement,
    approval_before_estimate,
    approval_confirmed,
    approval_held,
    fmt_date,
    fmt_datetime,
    fmt_hours,
    fmt_yen,
    out_of_scope_reply,
    reference,
    rejection_acknowledged,
)
from bot.rules.categories import Category
from bot.rules.estimates import EstimateKind
from bot.rules.scope import ScopeFinding
from bot.rules.sla import Breach, ClockKind, Remind
from bot.wording import Wording
from tests.inquiry.conftest import brochure_calendar, jst
from tests.inquiry.examples import (
    ACME,
    AT,
    acme_hours,
    brochure_quote_12h,
    brochure_quote_half,
    saturday_quote,
)

RULES = ("markdown", "backlog")
URL = "https://example.backlog.com/view/ACME-12"
O3 = ScopeFinding(
    "O3",
    "個人データの作成・変更・削除: 「リードの一括削除」",
    "BPO サービス",
    "お客様が管理されている個人データの操作は保守の対象外です。BPO サービスをご案内いたします。",
    ("リードの一括削除",),
)


V = Wording.packaged().voice("ACME", "株式会社アクメ")
STAFF = Wording.packaged().voice()


def every_doc() -> dict[str, Doc]:
    hours = acme_hours("2.5")
    quote, parts = saturday_quote()
    return {
        "ack": acknowledgement(V, deadline=jst(2026, 11, 30, 18), hours=hours),
        "ack_c1_p3": acknowledgement(V, deadline=jst(2026, 11, 30, 18), hours=acme_hours("6"),
                                     function_inquiry=True, registered=False),
        "quote_12h": quote_text(V, brochure_quote_12h()),
        "quote_half": quote_text(V, brochure_quote_half()),
        "quote_saturday": quote_text(V, quote, parts=parts),
        "approval_confirmed": approval_confirmed(V, consumed=Decimal(3), hours=hours),
        "approval_held": approval_held(
            V, requested=Decimal(12), left=Decimal(6), purchase_needed=Decimal(6), price=90_000
        ),
        "approval_before_estimate": approval_before_estimate(V),
        "rejection_acknowledged": rejection_acknowledged(V),
        "staff_issue": staff_issue_body(
            STAFF,
            customer="株式会社アクメ",
            issue_key="ACME-12",
            issue_url=URL,
            reporter="kimura",
            registered=False,
            received=jst(2026, 11, 28, 11),
            deadline=jst(2026, 11, 30, 18),
            categories=(Category("C1", "SMP機能の問い合わせ", "c1", True),),
            estimate=EstimateKind("E4", "基本機能の問い合わせ", Decimal("0.5")),
            scope=(O3,),
        ),
        "out_of_scope": out_of_scope_reply(V, (O3,)),
        "help": help_text(STAFF),
        "command_done": command_done(STAFF, "/bot consume 0.5h 基本機能の回答", "0.5 時間を消費しました。"),
        "command_refused": command_refused(STAFF, "/bot purchase 1.5h", "追加購入は 1 時間単位です。"),
        "customer_command": customer_command_notice(
            STAFF, user="yamada", issue_key="ACME-12", issue_url=URL, lines=("/bot consume 0h",)
        ),
        "reminder": reminder_notice(
            STAFF,
            Remind(
                "ACME-12",
                ClockKind.FIRST_RESPONSE,
                jst(2026, 11, 30, 18),
                Decimal("2.2"),
                jst(2026, 11, 30, 16),
            ),
            issue_url=URL,
        ),
        "breach": breach_notice(
            STAFF, Breach("ACME-12", ClockKind.RESULT, jst(2026, 11, 30, 18), jst(2026, 12, 1, 10)),
            issue_url=URL,
        ),
    }


CALENDAR = brochure_calendar()


class TestBrochureQuotes:
    def test_twelve_hours_with_six_left_buys_six_hours_h7(self) -> None:
        """Brochure: estimate 12 h, 6 h left -> buy 6 h for 90,000 yen."""
        text = render(quote_text(V, brochure_quote_12h()), "backlog")
        assert "|追加購入が必要な時間|6 時間|" in text
        assert "|追加購入の金額|90,000 円（税抜）|" in text
        assert "|当四半期の残り時間（現在）|6 時間|" in text
        assert "|作業後の残り時間|0 時間（6 時間不足）|" in text
        assert "|追加購入後の残り時間|0 時間|" in text  # review 7: what is left after buying
        assert "弊社担当営業" in text  # review 4: how to buy
        # H4: the lapse is said once, by the hour bar's legend, not again in the table.
        assert text.count("2026年12月31日(木) をもって失効します") == 1

    def test_half_an_hour_with_nothing_left_buys_one_hour_h7(self) -> None:
        """Brochure: estimate 0.5 h, 0 h left -> buy 1 h for 15,000 yen (whole hours, H6)."""
        text = render(quote_text(V, brochure_quote_half()), "backlog")
        assert "|追加購入が必要な時間|1 時間|" in text
        assert "|追加購入の金額|15,000 円（税抜）|" in text

    def test_quote_tells_the_exact_sentences_that_answer(self) -> None:
        """⑥, issue 18: the customer is told the exact sentence that approves and the one that declines,
        and that a comment with conditions or questions consumes nothing."""
        facts = QuoteFacts(approval_sentence="承認いたします。", decline_sentence="今回は見送ります。")
        text = render(quote_text(V, brochure_quote_12h(), facts=facts), "backlog")
        assert "「承認いたします。」とだけコメント" in text
        assert "「今回は見送ります。」とだけコメント" in text
        assert "で始まる" not in text
        assert "時間は消化いたしません" in text

    def test_the_quote_names_its_number_work_date_validity_and_premise(self) -> None:
        """Review 6, issue 20 item 1: number, 作業内容 (kind and memo), 作業予定日時, 有効期限, premise."""
        span = (jst(2026, 12, 22, 10), jst(2026, 12, 22, 13))
        facts = QuoteFacts("ACME-12-1", "改修対応（JavaScriptの実装）", "入力チェックの追加", work=span,
                           valid_until=date(2026, 12, 28))
        text = render(quote_text(V, quote(ACME, (), (), AT, Decimal(3)), facts=facts), "backlog")
        assert "|お見積り番号|ACME-12-1|" in text
        assert "|作業内容|改修対応（JavaScriptの実装）（入力チェックの追加）|" in text
        assert "|作業予定日時|2026年12月22日(火) 10:00〜13:00|" in text
        assert "|有効期限|2026年12月28日(月)|" in text
        assert "2027年1月1日(金) 以降にご承認いただいた場合は、その時点の四半期の時間から消化" in text
        assert "メール・お電話・Backlog でのやり取りと、作業結果のご報告を含みます" in text

    def test_the_off_hours_breakdown_adds_up_to_the_table(self) -> None:
        """Review 2: 17:30-19:30 with 1 h of work: 0.25 x1 + 0.75 x1.5 = 1.375, rounded up to 1.5 (H10),
        which is the table's 消化時間; the bullets show the work in each band, not the span."""
        span = (jst(2026, 12, 22, 17, 30), jst(2026, 12, 22, 19, 30))
        q = quote(ACME, (), (), AT, Decimal(1), calendar=CALENDAR, span=span)
        parts = CALENDAR.split(*span)
        assert [(b.work, b.product) for b in band_work(parts, q.worked)] == [
            (Decimal("0.25"), Decimal("0.25")), (Decimal("0.75"), Decimal("1.125"))]
        text = render(quote_text(V, q, parts=parts), "backlog")
        assert "|消化時間（時間外・休日の割増後）|1.5 時間|" in text
        assert "作業 0.75 時間 ×1.5 = 1.125 時間" in text
        assert "合計 1.375 時間を 0.5 時間単位に切り上げて、消化時間は 1.5 時間です" in text

    def test_a_quote_that_cannot_be_met_proposes_another_date_instead_of_approval(self) -> None:
        """Review 10: Saturday work 5 days ahead (14 days' notice needed): no approval sentence is asked."""
        span = (jst(2026, 12, 5, 10), jst(2026, 12, 5, 13))
        q = quote(ACME, (), (), AT, Decimal(3), calendar=CALENDAR, span=span)
        text = render(quote_text(V, q, parts=CALENDAR.split(*span), facts=QuoteFacts(work=span),
                                 today=AT.date()), "backlog")
        assert "日程を改めてご相談" in text
        assert "とだけコメント" not in text
        assert "事前に保守担当と日程を合意のうえ" in text

    def test_no_purchase_line_when_the_hours_suffice(self) -> None:
        """With enough hours left nothing is to be bought and no price is shown."""

        text = render(quote_text(V, quote(ACME, (), (), AT, Decimal(3))), "backlog")
        assert "追加購入" not in text
        assert "|作業後の残り時間|3 時間|" in text


O3_CONFIG = ScopeFinding(
    "O3", "個人情報", "BPOサービス",
    "恐れ入りますが、お客様が管理される個人情報（リード情報）の登録・編集・削除や、リードへのメール配信代行は"
    "本サービスでは承っておりません。ご希望の場合は、別途BPOサービスのご契約をご検討いただけますようお願いいたします。",
    (),
)
EXPLANATION_O4 = (
    "恐れ入りますが、定期的に繰り返し発生する業務（3回以上の定常的な作業）は本サービスの対象外となっております。"
    "ご希望の場合は、別途BPOサービスのご契約をご検討いただけますようお願いいたします。"
)


class TestEveryText:
    @pytest.mark.parametrize("rule", RULES)
    @pytest.mark.parametrize("name", sorted(every_doc()))
    def test_has_no_4_byte_characters_and_fits_a_comment(self, name: str, rule: str) -> None:
        """INTERFACE: no character above U+FFFF, within Backlog's comment limit, polite です・ます."""
        text = render(every_doc()[name], rule)  # type: ignore[arg-type]
        assert all(ord(ch) <= 0xFFFF for ch in text)
        assert len(text.encode("utf-8")) == sum(len(ch.encode("utf-8")) for ch in text)
        assert max(len(ch.encode("utf-8")) for ch in text) <= 3
        assert len(text) < min(COMMENT_MAX, DESCRIPTION_MAX)
        assert re.search("(ます|です|ください|ました|ません)[）)]?。", text)

    def test_staff_issue_carries_link_p3_flag_c1_note_and_o_rule_explanation(self) -> None:
        """The staff issue links the customer issue and shows every suspicion with its rule ID."""
        text = render(every_doc()["staff_issue"], "markdown")
        assert f"({URL})" in text
        assert "P3" in text
        assert "C1" in text
        assert "E4 基本機能の問い合わせ: 0.5 時間〜" in text
        assert "対象外の疑い O3" in text
        assert "BPO サービスをご案内いたします。" in text  # the reply /bot reject posts

    def test_reminder_rounds_the_time_left_down_to_half_hours(self) -> None:
        """2.2 business hours left reads as 2 時間, never 2.2000 時間."""
        assert "残りは営業時間で 2 時間です" in render(every_doc()["reminder"], "backlog")

    def test_the_rejection_greets_explains_each_rule_once_offers_a_way_and_closes(self) -> None:
        """issue 15: O3 and O4 both send to the BPO service: that sentence is said once, after the
        reasons, between a greeting and a closing; no rule ID reaches the customer."""
        o4 = ScopeFinding("O4", "定常業務", "BPOサービス", EXPLANATION_O4, ())
        text = render(out_of_scope_reply(V, (O3_CONFIG, o4)), "markdown")
        paragraphs = text.split("\n\n")
        assert paragraphs[0] == "株式会社アクメ ご担当者様"
        assert paragraphs[1] == "お問い合わせいただき、ありがとうございます。"
        assert text.count("BPOサービスのご契約をご検討") == 1
        assert text.count("恐れ入りますが") == 1
        assert text.index("個人情報") < text.index("定期的に") < text.index("BPOサービスのご契約")
        # the closing, then who writes
        assert paragraphs[-2:] == ["今後ともよろしくお願いいたします。", "保守サポート窓口"]
        assert not re.search(r"O[1-7]", text)

    def test_staff_issue_summary_names_the_customer_issue(self) -> None:
        """The staff issue's summary starts with the customer issue key."""
        assert staff_issue_summary(STAFF, "ACME-12", "ログインできません") == "[ACME-12] ログインできません"


class TestFormatting:
    @pytest.mark.parametrize(
        ("hours", "text"),
        [("0.5", "0.5 時間"), ("6", "6 時間"), ("6.0", "6 時間"), ("12", "12 時間"), ("1.50", "1.5 時間")],
        ids=["half", "whole", "trailing-zero", "twelve", "two-decimals"],
    )
    def test_hours_read_as_exact_decimals_h10(self, hours: str, text: str) -> None:
        """Hours print as `0.5 時間`, never `6.0` or `1.2E+1`."""
        assert fmt_hours(Decimal(hours)) == text

    def test_dates_are_shown_in_jst_with_japanese_weekdays(self) -> None:
        """A UTC instant is shown in Asia/Tokyo: 09:00 UTC on Monday is 18:00 JST."""
        assert fmt_datetime(datetime(2026, 11, 30, 9, tzinfo=UTC)) == "2026年11月30日(月) 18:00"
        assert fmt_date(date(2026, 11, 29)) == "2026年11月29日(日)"
        week = [fmt_date(date(2026, 11, 30) + timedelta(days=i))[-3:] for i in range(7)]
        assert week == ["(月)", "(火)", "(水)", "(木)", "(金)", "(土)", "(日)"]

    def test_yen_have_thousands_separators(self) -> None:
        """H6 prices: `90,000 円（税抜）`."""
        assert fmt_yen(90_000) == "90,000 円（税抜）"
        assert fmt_yen(1_275_000) == "1,275,000 円（税抜）"

    def test_reference_is_the_interface_form(self) -> None:
        """INTERFACE: the last line reads `hoshu-bot:ack:ACME-12`."""
        assert reference("ack", "ACME-12") == "hoshu-bot:ack:ACME-12"
