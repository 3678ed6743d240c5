"""Sample values for every template (issue 15): what ``check`` renders and the golden files show.

Each sample builds its text through the same function the bot uses, so a template that reads a
variable the code does not give fails here exactly as it would in production. ``hostile`` puts
structure characters into every free text value (a customer name with ``|``, ``*``, ``[[``, ``@`` and
a backtick) to prove that nothing a value contains becomes markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.backlog.text import Doc
from bot.clock import JST
from bot.hour_tracker import Contract, LedgerEntry, quote
from bot.inquiry import quote_text as qt
from bot.inquiry import quotes
from bot.inquiry import staff_texts as st
from bot.inquiry import texts as ct
from bot.inquiry.commands import COMMAND_WORDS
from bot.mail.decode import parse_message
from bot.mail.error_table import ErrorInfo
from bot.mail.message import Alert
from bot.monitoring import texts as mt
from bot.monitoring.triage import Occurrences, title, triage
from bot.reports import adjust
from bot.reports.content import build_report
from bot.reports.notices import Notice, notice_doc
from bot.reports.render import report_doc
from bot.reports.render import title as report_title
from bot.reports.staff_summary import summary_doc
from bot.rules.calendar import BusinessCalendar
from bot.rules.categories import Category
from bot.rules.estimates import EstimateKind, EstimateTable
from bot.rules.findings import Finding
from bot.rules.scope import ScopeFinding
from bot.rules.sla import Breach, ClockKind, Remind
from bot.state.inquiries import InquiryRow
from bot.wording.engine import Voice

HOSTILE = "ア|ク*メ [[x]] @all `c` <@U1> #1"
AT = datetime(2026, 11, 30, 11, tzinfo=JST)
_CONTRACT = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)
_USED = (LedgerEntry("ACME", "consume", Decimal("2.5"), datetime(2026, 10, 5, 12, tzinfo=JST), "ACME-3",
                     "sato", "設定代行", "hoshu-bot:consume:ACME-3:1", category="C5"),)


@dataclass(frozen=True)
class Sample:
    """One text of one template: ``build`` gives its ``Doc`` (both notations) or its one-line title."""

    template: str
    label: str
    build: Callable[[Voice], Doc | str]


def _text(hostile: bool, plain: str) -> str:
    return f"{plain} {HOSTILE}" if hostile else plain


def samples(calendar: BusinessCalendar, explanations: tuple[str, ...], *, hostile: bool = False,
            ) -> list[Sample]:
    """Every template with realistic values; ``explanations`` are the configured O1-O7 texts."""
    hours = ct.Hours(Decimal("2.5"), Decimal("3.5"), date(2026, 10, 1), date(2026, 12, 31), Decimal(1))
    span = (datetime(2026, 12, 5, 10, tzinfo=JST), datetime(2026, 12, 5, 13, tzinfo=JST))
    sat = quote(_CONTRACT, (), (), AT, Decimal(3), calendar=calendar, span=span)
    evening = (datetime(2026, 12, 22, 17, 30, tzinfo=JST), datetime(2026, 12, 22, 19, 30, tzinfo=JST))
    late = quote(_CONTRACT, (), (), AT, Decimal(1), calendar=calendar, span=evening)  # the review's ACME-8
    big = quote(_CONTRACT, (), (), AT, Decimal(12))
    easy = quote(_CONTRACT, (), _USED, AT, Decimal(2))
    soon = quote(_CONTRACT, (), (), AT, Decimal(2), due=AT.date() + timedelta(days=3))  # T6, under a week
    close = quote(_CONTRACT, (), (), AT, Decimal(2), due=AT.date() + timedelta(days=10))  # T6, under 2 weeks
    scope = tuple(ScopeFinding(f"O{i + 1}", _text(hostile, f"対象外の理由 {i + 1}"), "BPOサービス", e, ())
                  for i, e in enumerate(explanations))
    url = "https://example.backlog.com/view/ACME-12"
    s = _text(hostile, "入力チェックの追加")
    return [
        Sample("customer/ack", "plain", lambda v: ct.acknowledgement(v, deadline=AT, hours=hours)),
        Sample("customer/ack", "c1-p3", lambda v: ct.acknowledgement(
            v, deadline=AT, hours=hours, function_inquiry=True, registered=False)),
        Sample("customer/quote", "saturday", lambda v: qt.quote_text(
            v, sat, parts=calendar.split(*span), today=AT.date(),
            facts=qt.QuoteFacts("ACME-12-1", "改修対応（JavaScriptの実装）", work=span,
                                valid_until=date(2026, 12, 28)))),
        Sample("customer/quote", "evening", lambda v: qt.quote_text(
            v, late, parts=calendar.split(*evening), today=AT.date(),
            facts=qt.QuoteFacts("ACME-12-2", "管理画面設定代行", "フォーム項目の追加", work=evening,
                                valid_until=date(2026, 12, 28)))),
        Sample("customer/quote", "purchase", lambda v: qt.quote_text(
            v, big, reserved=Decimal(1), facts=qt.QuoteFacts("ACME-12-1", valid_until=date(2026, 12, 28)))),
        Sample("customer/quote", "enough", lambda v: qt.quote_text(v, easy)),
        Sample("customer/quote", "due-soon", lambda v: qt.quote_text(v, soon)),
        Sample("customer/quote", "due-close", lambda v: qt.quote_text(v, close)),
        # Each text's figures agree with one another (issue 20 item 7): the hours after the event.
        Sample("customer/approval_confirmed", "", lambda v: ct.approval_confirmed(
            v, consumed=Decimal(3), hours=replace(hours, used=Decimal("5.5"), left=Decimal("0.5")))),
        Sample("customer/approval_held", "", lambda v: ct.approval_held(
            v, requested=Decimal(12), left=Decimal(6), purchase_needed=Decimal(6), price=90_000)),
        Sample("customer/approval_before_estimate", "", ct.approval_before_estimate),
        Sample("customer/rejection_acknowledged", "", ct.rejection_acknowledged),
        Sample("customer/out_of_scope", "one", lambda v: ct.out_of_scope_reply(v, explanations[2:3])),
        Sample("customer/out_of_scope", "two", lambda v: ct.out_of_scope_reply(v, explanations[2:4])),
        Sample("customer/consumed", "", lambda v: ct.consumed_notice(
            v, _text(hostile, "基本機能の回答"), Decimal("0.5"),
            replace(hours, used=Decimal(3), left=Decimal(3)))),
        Sample("customer/purchased", "", lambda v: ct.purchased_notice(
            v, Decimal(6), replace(hours, left=Decimal("9.5")))),
        *_notices(),
        *_alerts(hostile),
        *_report(hostile),
        Sample("staff/inquiry", "", lambda v: st.staff_issue_body(
            v, customer=_text(hostile, "株式会社アクメ"), issue_key="ACME-12", issue_url=url,
            reporter="kimura", registered=False, received=AT, deadline=AT + timedelta(days=1),
            categories=(Category("C1", "SMP機能の問い合わせ", "c1", True),),
            estimate=EstimateKind("E4", "基本機能の問い合わせ", Decimal("0.5")), scope=scope[2:4],
            body=_text(hostile, "申込フォームに入力チェックを追加したいです。12月10日までに公開したいです。"),
            hours=hours, wished=date(2026, 12, 10))),
        Sample("staff/inquiry_title", "", lambda v: st.staff_issue_summary(v, "ACME-12", s)),
        Sample("staff/help", "", st.help_text),
        Sample("staff/command_done", "", lambda v: st.command_done(
            v, "/bot consume 0.5h 基本機能の回答", "0.5 時間を消化しました。")),
        Sample("staff/command_refused", "", lambda v: st.command_refused(
            v, "/bot purchase 1.5h", "追加購入は 1 時間単位です（H6）。")),
        Sample("staff/customer_command", "", lambda v: st.customer_command_notice(
            v, user="yamada", issue_key="ACME-12", issue_url=url, lines=["/bot consume 0h"])),
        Sample("staff/reminder", "", lambda v: st.reminder_notice(
            v, Remind("ACME-12", ClockKind.FIRST_RESPONSE, AT, Decimal("2.2"), AT), issue_url=url)),
        Sample("staff/breach", "", lambda v: st.breach_notice(
            v, Breach("ACME-12", ClockKind.RESULT, AT, AT), issue_url=url)),
        Sample("staff/quote_rejected", "", lambda v: st.quote_rejected_notice(v, 1)),
        Sample("staff/answer_unclear", "", lambda v: st.answer_unclear_notice(
            v, n=1, user="yamada", issue_key="ACME-12", issue_url=url,
            reply="承認いたしかねます。社内で再検討いたします。",
            reason="最初の文が、承認・見送りの定型文ではありません")),
        Sample("staff/approval_held", "", lambda v: st.approval_held_notice(v, 1, Decimal(6))),
        *_outcomes(),
        *_command_help(),
        *_adjustments(hostile),
        *_records(),
        Sample("staff/alert_numbers_title", "", lambda v: v.line("staff/alert_numbers_title", project="ACME",
                                                                 company=_text(hostile, "株式会社アクメ"))),
        Sample("staff/alert_numbers", "", lambda v: v.doc("staff/alert_numbers", project="ACME",
                                                          company=_text(hostile, "株式会社アクメ"))),
        Sample("staff/alert_number", "", lambda v: v.doc(
            "staff/alert_number", project="ACME", n=3, title=_text(hostile, "【kintone連携】同期 CB_VA01"))),
    ]


def _records() -> list[Sample]:
    """The staff records of what a customer text no longer carries (issue 20 item 2)."""
    entry = replace(_USED[0], ref="hoshu-bot:consume:ACME-12:1", hours=Decimal("4.5"),
                    multiplier=Decimal("1.5"), at=AT)
    done = replace(entry, ref="hoshu-bot:consume:ACME-12:cmd345", hours=Decimal("0.5"), multiplier=Decimal(1))
    bought = replace(entry, kind="purchase", ref="hoshu-bot:purchase:ACME-12:c346", hours=Decimal(6),
                     multiplier=Decimal(1))
    return [
        Sample("staff/record", "quote", lambda v: quotes.quote_record(
            v, "hoshu-bot:quote:ACME-12:1", Decimal(3), Decimal("4.5"), "E6")),
        Sample("staff/record", "approval", lambda v: quotes.ledger_record(v, entry)),
        Sample("staff/record", "consume", lambda v: quotes.ledger_record(v, done)),
        Sample("staff/record", "purchase", lambda v: quotes.ledger_record(v, bought)),
    ]


def _adjustments(hostile: bool) -> list[Sample]:
    """The staff issue and comments of ``ledger adjust`` (issue 19 item 7): hours used, hours given back."""
    name = _text(hostile, "株式会社アクメ")
    used = LedgerEntry("ACME", "consume", Decimal(6), datetime(2026, 10, 31, 18, tzinfo=JST), None, "sato",
                       _text(hostile, "導入前の作業（10月分）"), "hoshu-bot:adjust:ACME:1")
    back = replace(used, hours=Decimal("-1.5"), why="記録の誤り", ref="hoshu-bot:adjust:ACME:2")
    q = (date(2026, 10, 1), date(2027, 1, 1))
    return [
        Sample("staff/adjustments", "", lambda v: adjust.adjustments_issue(v, "ACME", name)),
        Sample("staff/adjustments_title", "", lambda v: adjust.adjustments_title(v, "ACME", name)),
        Sample("staff/adjustment", "used", lambda v: adjust.adjustment_comment(v, "ACME", name, used, *q)),
        Sample("staff/adjustment", "given-back",
               lambda v: adjust.adjustment_comment(v, "ACME", name, back, *q)),
    ]


_TABLE = EstimateTable(kinds=(EstimateKind("E6", "JavaScript実装", Decimal(3)),))

#: Every result a staff command can report (``staff/outcome``), with the values the code gives it.
OUTCOMES: dict[str, dict[str, object]] = {
    "schedule_set": {},
    "schedule_requoted": {"detail": "お見積り #2 をお客様課題に投稿しました。"},
    "paused": {},
    "resumed": {},
    "commands": {},
    "quote_held": {},
    "quoted": {"n": 1, "worked": Decimal(3), "requested": Decimal(9), "purchase_needed": Decimal(3),
               "purchase_price": 45_000, "proposal": False},
    "consume_short": {"left": Decimal("0.5")},
    "consumed": {"hours": Decimal("0.5"), "left": Decimal(3)},
    "purchased": {"hours": Decimal(3), "held": "done"},
    # Every case the template words (below an E minimum and off the 0.5 h step; over 12 h) and one it
    # does not, which it shows by its reason.
    "estimate_refused": {"findings": [
        f.words() for f in (*_TABLE.check_estimate(Decimal("2.3"), "E6"),
                            *_TABLE.check_estimate(Decimal("12.5")), Finding("E6", "最低工数に届きません。"))
    ]},
    "approved_for_customer": {"n": 1, "source": "お客様コメント 1234 による、sato さんの記録"},
    "declined_for_customer": {"n": 1, "source": "sato さんの記録"},
    "no_pending_quote": {},
    "approval_already_held": {"n": 1},
    "nothing_to_send": {},
    "rejected": {},
    "sent": {},
}


def _outcomes() -> list[Sample]:
    def one(what: str, values: dict[str, object]) -> Sample:
        return Sample("staff/outcome", what, lambda v: v.line("staff/outcome", what=what, **values))

    return [one(what, values) for what, values in OUTCOMES.items()]


def _command_help() -> list[Sample]:
    """What every /bot command does (``staff/command_help``), one sample per command word."""
    def one(word: str) -> Sample:
        return Sample("staff/command_help", word, lambda v: v.line("staff/command_help", word=word))

    return [one(word) for word in COMMAND_WORDS]


def _notices() -> list[Sample]:
    q = date(2026, 10, 1)
    end = Notice("ACME", "quarter-end", 0, q, date(2026, 12, 31), Decimal("2.5"), 58)
    u80 = Notice("ACME", "usage", 80, q, date(2026, 12, 31), Decimal(1), 83)
    u100 = Notice("ACME", "usage", 100, q, date(2026, 12, 31), Decimal(0), 100)
    period = {"start": q, "expires": date(2026, 12, 31)}
    return [
        Sample("customer/notice_quarter_end", "", lambda v: notice_doc(
            v, end, last_business_day=date(2026, 12, 28))),
        Sample("customer/notice_usage", "80", lambda v: notice_doc(v, u80)),
        Sample("customer/notice_usage", "100", lambda v: notice_doc(v, u100)),
        Sample("customer/notice_issue", "", lambda v: v.doc("customer/notice_issue", **period)),
        Sample("customer/notice_issue_title", "", lambda v: v.line("customer/notice_issue_title", **period)),
    ]


_MAIL = (
    b"From: kintone-adapter@smp.example.jp\r\nTo: alerts@vendor.example.jp\r\n"
    b"Subject: [kintone] =?utf-8?b?5Y+X5rOo6YCj5pC6?= CB_VA01\r\nDate: Thu, 26 Nov 2026 10:15:00 +0900\r\n"
    b"Message-ID: <sample-1@smp.example.jp>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
) + "ジョブ: 受注連携\nエラー: CB_VA01 入力内容が正しくありません\n連絡先: yamada@acme.example.jp\n".encode()


def _alerts(hostile: bool) -> list[Sample]:
    mail = parse_message(_MAIL)
    first = datetime(2026, 11, 26, 10, 15, tzinfo=JST)
    seen = Occurrences(3, first, datetime(2026, 11, 26, 11, 0, tzinfo=JST))
    alert = Alert("kintone", "acme-corp", _text(hostile, "受注連携"), "CB_VA01", "入力内容が正しくありません",
                  seen.first_seen, mail.subject)
    info = ErrorInfo("action", "入力値がkintone側の設定と一致していない可能性があります。",
                     "エラーになったレコードをご確認ください。")
    return [
        Sample("customer/alert", "first", lambda v: triage(v, alert, mail, info, "kintone", seen).doc),
        Sample("customer/alert", "again",
               lambda v: triage(v, alert, mail, info, "kintone", seen, "ACME-3").doc),
        Sample("customer/alert_title", "", lambda v: title(v, "kintone", alert)),
        Sample("customer/alert_summary", "", lambda v: mt.summary_comment(
            v, 4, seen.first_seen, AT, 7, seen.first_seen)),
        Sample("staff/unroutable_mail", "", lambda v: mt.staff_item(
            v, "未登録の差出人で、お客様を示すキーも見つかりません", mail, 42, "INBOX", len(_MAIL),
            mt.Received(3, seen.first_seen, seen.last_seen))),
        Sample("staff/unroutable_mail_summary", "", lambda v: mt.staff_summary_comment(
            v, 2, seen.first_seen, AT, 5, seen.first_seen)),
        Sample("staff/unroutable_mail", "unreadable", lambda v: mt.staff_item(
            v, "メールを読み取れませんでした", None, 43, "INBOX", 12)),
        Sample("staff/unroutable_mail_title", "", lambda v: mt.staff_item_summary(
            v, "未登録の差出人で、お客様を示すキーも見つかりません")),
    ]


def _quoted(hostile: bool) -> tuple[InquiryRow, ...]:
    """Two open quotes for the report: one waiting for an answer, one approved and held (H7)."""
    at = datetime(2026, 11, 16, 10, tzinfo=JST)

    def row(n: int, summary: str, requested: str, state: str) -> InquiryRow:
        quote = {"n": 1, "worked": requested, "requested": requested, "state": state, "kind": "E6",
                 "approved_at": at.isoformat() if state == "held" else None}
        return InquiryRow(f"ACME-{n}", "ACME", n, _text(hostile, summary), "yamada", at, "処理中", at,
                          category="C5", data={"quote_n": 1, "quote": quote})

    return (row(14, "申込フォームの改修", "3", "pending"), row(15, "土曜の設定変更", "9", "held"))


def _report(hostile: bool) -> list[Sample]:
    def build(now: datetime | None, name: str) -> Callable[[Voice], Doc]:
        def doc(v: Voice) -> Doc:
            r = build_report(customer="ACME", customer_name=name, month=date(2026, 11, 1),
                             contracts=_CONTRACT, purchases=(), ledger=_USED, now=now,
                             inquiries=_quoted(hostile))
            return report_doc(v, r, {"C5": "設定代行サービス"})
        return doc

    name = _text(hostile, "株式会社アクメ")
    month = build_report(customer="ACME", customer_name=name, month=date(2026, 11, 1), contracts=_CONTRACT,
                         purchases=(), ledger=_USED)
    return [
        Sample("customer/report", "closed-month", build(None, name)),
        Sample("customer/report", "in-progress", build(datetime(2026, 11, 20, 15, 30, tzinfo=JST), name)),
        Sample("customer/report_title", "", lambda v: report_title(v, month)),
        Sample("staff/summary", "", lambda v: summary_doc(v, date(2026, 11, 1), [month])),
        Sample("staff/report_issues", "", lambda v: v.doc(
            "staff/report_issues", month_key="2026-11", lines=["BETA: BETA-1"])),
        Sample("staff/report_issues_title", "",
               lambda v: v.line("staff/report_issues_title", month_key="2026-11")),
    ]
