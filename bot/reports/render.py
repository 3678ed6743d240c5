"""The monthly report page (R1): a ``Doc`` for the project's formatting rule, plus the staff-kept remarks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.backlog_text import (
    Block,
    Doc,
    Heading,
    Paragraph,
    Rule,
    Table,
    is_reference,
    neutralise_references,
    render,
    replace_4byte,
)
from bot.figures import hours_figure, yen_figure
from bot.reports.content import JST, MonthlyReport

REMARKS_HEADING = "備考"
_STATE = {"opened": "新規", "in_progress": "対応中", "closed": "完了"}
_KIND = {"first_response": "一次回答", "update": "進捗報告", "result": "結果報告"}
_OUTCOME = {"met": "期限内", "missed": "超過", "open": "対応中"}
_CLASS = {"transient": "一時的なエラー", "action": "対応が必要なエラー"}


def hours(value: Decimal) -> str:
    """Hours as a decimal string without trailing zeros or exponent ("1.5", "6", "10")."""
    return hours_figure(value)


def yen(amount: int) -> str:
    """Yen with thousands separators, excluding tax ("90,000円")."""
    return f"{yen_figure(amount)}円"


def jp_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def stamp(t: datetime | None) -> str:
    return "-" if t is None else t.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def page_name(report: MonthlyReport) -> str:
    """The wiki page name, e.g. ``保守レポート/2026-11``."""
    return f"保守レポート/{report.key}"


def title(report: MonthlyReport) -> str:
    return f"保守レポート {report.month.year}年{report.month.month}月（{report.customer_name} 様）"


def _contract(report: MonthlyReport) -> Table:
    c, q = report.contract, report.quarter
    size = hours(c.hours)
    kind = f"年間契約（年{size}時間）" if c.kind == "annual" else f"ブリッジ契約（3か月{size}時間）"
    return Table(("項目", "内容"), (
        ("ご契約", f"{kind} {c.start.isoformat()}〜{(c.end - timedelta(days=1)).isoformat()}"),
        ("対象の四半期", f"第{q.index + 1}四半期 {q.start.isoformat()}〜{report.hours.expires.isoformat()}"),
    ))


def _hours(report: MonthlyReport) -> list[Block]:
    h = report.hours
    table = Table(("項目", "時間"), (
        ("四半期の割当", hours(h.allotment)),
        ("追加購入（四半期）", hours(h.bought)),
        ("当月の消化", hours(h.consumed_month)),
        ("四半期の消化（累計）", hours(h.consumed_quarter)),
        ("残り", hours(h.left)),
        ("有効期限", h.expires.isoformat()),
    ))
    note = (
        f"残りの{hours(h.left)}時間は{jp_date(h.expires)}をもって失効します。次の四半期への繰り越しはできません。"
        if h.left > 0 else
        f"当四半期の時間はすべてご利用済みです（有効期限 {jp_date(h.expires)}）。"
    )
    return [Heading(2, "保守時間"), table, Paragraph(note)]


def _consumptions(report: MonthlyReport) -> list[Block]:
    if not report.consumptions:
        return [Heading(2, "当月のご利用明細"), Paragraph("当月のご利用はありません。")]
    rows = tuple(
        (c.issue_key, c.title, c.category or "-", hours(c.hours), f"×{hours(c.multiplier)}",
         c.day.isoformat())
        for c in report.consumptions
    )
    return [Heading(2, "当月のご利用明細"), Table(("課題", "件名", "区分", "時間", "倍率", "日付"), rows)]


def _purchases(report: MonthlyReport) -> list[Block]:
    if not report.purchases:
        return [Heading(2, "追加購入"), Paragraph("当四半期の追加購入はありません。")]
    rows = tuple((p.day.isoformat(), hours(p.hours), yen(p.price)) for p in report.purchases)
    return [Heading(2, "追加購入"), Table(("日付", "時間", "金額（税抜）"), rows)]


def _issues(report: MonthlyReport) -> list[Block]:
    counts = (
        f"新規 {report.count('opened')}件、対応中 {report.count('in_progress')}件、"
        f"完了 {report.count('closed')}件です。"
    )
    blocks: list[Block] = [Heading(2, "課題の状況"), Paragraph(counts)]
    if report.issues:
        rows = tuple(
            (i.issue_key, i.summary, i.created.isoformat(), i.closed.isoformat() if i.closed else "-",
             _STATE[i.state])
            for i in report.issues
        )
        blocks.append(Table(("課題", "件名", "起票日", "完了日", "月末の状況"), rows))
    return blocks


def _sla(report: MonthlyReport) -> list[Block]:
    open_ = len(report.sla) - report.sla_met - report.sla_missed
    blocks: list[Block] = [
        Heading(2, "応答時間（SLA）"),
        Paragraph(f"期限内 {report.sla_met}件、超過 {report.sla_missed}件、対応中 {open_}件です。"),
    ]
    if report.sla:
        rows = tuple(
            (s.issue_key, _KIND.get(s.kind, s.kind), stamp(s.started), stamp(s.due), stamp(s.met_at),
             _OUTCOME.get(s.outcome, s.outcome))
            for s in report.sla
        )
        blocks.append(Table(("課題", "種別", "開始", "期限", "対応", "結果"), rows))
    return blocks


def _alerts(report: MonthlyReport) -> list[Block]:
    head = Heading(2, "監視アラート")
    if not report.monitoring:
        return [head, Paragraph("監視オプションはご契約外のため、対象外です。")]
    if not report.alerts:
        return [head, Paragraph("当月のアラートはありません。")]
    rows = tuple(
        (a.adapter, _CLASS.get(a.error_class, a.error_class), str(a.count), str(a.open), str(a.closed))
        for a in report.alerts
    )
    return [head, Table(("アダプタ", "分類", "件数", "対応中", "解決済み"), rows)]


def _forecast(report: MonthlyReport) -> list[Block]:
    f, h = report.forecast, report.hours
    if f.days_elapsed >= f.days_total:
        text = f"当四半期は{jp_date(h.expires)}で終了しました。失効した時間は{hours(f.lapse)}時間です。"
    elif f.lapse > 0:
        text = (
            f"現在のペースでご利用いただいた場合、四半期末（{jp_date(h.expires)}）までのご利用見込みは"
            f"約{hours(f.projected_use)}時間で、約{hours(f.lapse)}時間が失効する見込みです。"
            "ご依頼をご検討の際はお早めにご相談ください。"
        )
    else:
        text = (
            f"現在のペースでご利用いただいた場合、四半期末（{jp_date(h.expires)}）までに"
            "割当の時間をすべてご利用になる見込みです。"
        )
    return [Heading(2, "四半期末の見通し"), Paragraph(text)]


def report_doc(report: MonthlyReport) -> Doc:
    """R1: every section except the remarks body, which staff write and which is kept verbatim."""
    intro = Paragraph(
        f"{report.month.year}年{report.month.month}月の保守サービスのご利用状況をご報告いたします。"
        f"{jp_date(_month_end(report))}までの記録に基づいて集計しています。"
    )
    blocks: list[Block] = [Heading(1, title(report)), intro, Heading(2, "ご契約と四半期"), _contract(report)]
    for part in (_hours, _consumptions, _purchases, _issues, _sla, _alerts, _forecast):
        blocks.extend(part(report))
    blocks.append(Heading(2, REMARKS_HEADING))
    return Doc(tuple(blocks))


def _month_end(report: MonthlyReport) -> date:
    m = report.month
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1) - timedelta(days=1)


def clean_remarks(text: str) -> str:
    """Staff-written remarks go back verbatim, minus 4-byte characters and anything like a bot reference."""
    lines = [line for line in text.splitlines() if not is_reference(line)]
    return neutralise_references(replace_4byte("\n".join(lines))).strip()


def render_report(report: MonthlyReport, rule: Rule) -> str:
    """The page text (no reference line yet): the rendered ``Doc``, then the remarks under their heading."""
    return render(report_doc(report), rule) + "\n\n" + clean_remarks(report.remarks)


def _is_heading(line: str, rule: Rule) -> bool:
    pattern = r"#{1,6}\s" if rule == "markdown" else r"\*{1,6}\s"
    return re.match(pattern, line) is not None


def extract_remarks(page: str | None, rule: Rule) -> str | None:
    """The remarks staff wrote on the current page: the lines between the remarks heading and the next
    heading or the reference line; None when there is no page or no remarks section.
    """
    if not page:
        return None
    lines = page.replace("\r\n", "\n").split("\n")
    heading = re.compile(r"(#{1,6}|\*{1,6})\s*" + REMARKS_HEADING + r"\s*")
    for i, line in enumerate(lines):
        if heading.fullmatch(line.strip()):
            body: list[str] = []
            for rest in lines[i + 1:]:
                if _is_heading(rest, rule) or is_reference(rest):
                    break
                body.append(rest)
            text = "\n".join(body).strip()
            return text or None
    return None
