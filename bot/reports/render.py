"""The monthly report page (R1): ``customer/report`` for the project's formatting rule, plus the staff-kept
remarks (issue 15: the words are the template's; this module formats the values in the one style)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.backlog_text import Doc, Rule, is_reference, neutralise_references, render, replace_4byte
from bot.figures import yen_figure
from bot.inquiry.texts import Hours
from bot.reports.content import MonthlyReport
from bot.wording import Voice
from bot.wording.engine import bar
from bot.wording.formats import fmt_date, fmt_datetime, fmt_hours, fmt_multiplier, number

REMARKS_HEADING = "備考"
_STATE = {"opened": "新規", "in_progress": "対応中", "closed": "完了"}
_KIND = {"first_response": "一次回答", "update": "進捗報告", "result": "結果報告"}
_OUTCOME = {"met": "期限内", "missed": "超過", "open": "対応中"}
_CLASS = {"transient": "一時的なエラー", "action": "対応が必要なエラー"}


def hours(value: Decimal) -> str:
    """Hours as a decimal string without trailing zeros or exponent ("1.5", "6", "10")."""
    return number(value)


def yen(amount: int) -> str:
    """Yen with thousands separators, excluding tax ("90,000円")."""
    return f"{yen_figure(amount)}円"


def jp_date(d: date) -> str:
    """The one date style (``2026年12月2日(水)``)."""
    return fmt_date(d)


def stamp(t: datetime | None) -> str:
    return "-" if t is None else fmt_datetime(t)


def page_name(report: MonthlyReport) -> str:
    """The wiki page name, e.g. ``保守レポート/2026-11`` (a key: never edited, so no template)."""
    return f"保守レポート/{report.key}"


def title(voice: Voice, report: MonthlyReport) -> str:
    return voice.line("customer/report_title", month=report.month)


def _period(start: date, last: date) -> str:
    return f"{fmt_date(start)}〜{fmt_date(last)}"


def _values(report: MonthlyReport, labels: Mapping[str, str]) -> dict[str, object]:
    """Every value of ``customer/report``, formatted in the one style; category IDs become labels."""
    c, q, h = report.contract, report.quarter, report.hours
    size = hours(c.hours)
    kind = f"年間契約（年 {size} 時間）" if c.kind == "annual" else f"ブリッジ契約（3か月 {size} 時間）"
    shown = Hours(h.consumed_quarter, h.left, q.start, h.expires, report.reserved)
    return {
        "month": report.month,
        "month_end": _month_end(report),
        "as_of": report.as_of,
        "contract_rows": [
            ("ご契約", f"{kind} {_period(c.start, c.end - timedelta(days=1))}"),
            ("対象の四半期", f"第{q.index + 1}四半期 {_period(q.start, h.expires)}"),
        ],
        "hours_rows": [
            ("四半期の割当", hours(h.allotment)),
            ("追加購入（四半期）", hours(h.bought)),
            ("当月の消化", hours(h.consumed_month)),
            ("四半期の消化（累計）", hours(h.consumed_quarter)),
            ("残り", hours(h.left)),
            ("有効期限", fmt_date(h.expires)),
        ],
        "hours": shown,
        "quarter_rows": [
            (_period(t.start, t.expires), fmt_hours(t.held), fmt_hours(t.used),
             f"{'失効' if t.ended else '残り'} {fmt_hours(t.left)}", bar(t.used, Decimal(0), t.left, 10))
            for t in report.quarters
        ],
        "consumption_rows": [
            (x.issue_key, x.title, labels.get(x.category, "保守作業") if x.category else "-",
             hours(x.hours), fmt_multiplier(x.multiplier), fmt_date(x.day))
            for x in report.consumptions
        ],
        "purchase_rows": [(fmt_date(p.day), hours(p.hours), yen(p.price)) for p in report.purchases],
        "opened": report.count("opened"), "in_progress": report.count("in_progress"),
        "closed": report.count("closed"),
        "issue_rows": [
            (i.issue_key, i.summary, fmt_date(i.created), fmt_date(i.closed) if i.closed else "-",
             _STATE[i.state])
            for i in report.issues
        ],
        "sla_met": report.sla_met, "sla_missed": report.sla_missed,
        "sla_open": len(report.sla) - report.sla_met - report.sla_missed,
        "sla_rows": [
            (s.issue_key, _KIND.get(s.kind, s.kind), stamp(s.started), stamp(s.due), stamp(s.met_at),
             _OUTCOME.get(s.outcome, s.outcome))
            for s in report.sla
        ],
        "monitoring": report.monitoring,
        "alert_rows": [
            (a.adapter, _CLASS.get(a.error_class, a.error_class), f"{a.count}", f"{a.open}", f"{a.closed}")
            for a in report.alerts
        ],
        "forecast": report.forecast,
        "remarks_heading": REMARKS_HEADING,
    }


def report_doc(voice: Voice, report: MonthlyReport, labels: Mapping[str, str] | None = None) -> Doc:
    """R1: every section except the remarks body, which staff write and which is kept verbatim."""
    return voice.doc("customer/report", title=title(voice, report), **_values(report, labels or {}))


def _month_end(report: MonthlyReport) -> date:
    m = report.month
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1) - timedelta(days=1)


def clean_remarks(text: str) -> str:
    """Staff-written remarks go back verbatim, minus 4-byte characters and anything like a bot reference."""
    lines = [line for line in text.splitlines() if not is_reference(line)]
    return neutralise_references(replace_4byte("\n".join(lines))).strip()


def render_report(
    voice: Voice, report: MonthlyReport, rule: Rule, labels: Mapping[str, str] | None = None,
) -> str:
    """The page text (no reference line yet): the rendered ``Doc``, then the remarks under their heading."""
    return render(report_doc(voice, report, labels), rule) + "\n\n" + clean_remarks(report.remarks)


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
