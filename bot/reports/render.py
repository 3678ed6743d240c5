"""The monthly report page (R1): ``customer/report`` for the project's formatting rule, plus the staff-kept
remarks (issue 15: the words are the template's; this module formats the values in the one style)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from bot.backlog.refs import is_reference
from bot.backlog.text import Doc, Rule, neutralise_references, render, replace_4byte
from bot.inquiry.texts import Hours
from bot.reports.model import MonthlyReport
from bot.wording import Voice

REMARKS_HEADING = "備考"


def page_name(report: MonthlyReport) -> str:
    """The wiki page name, e.g. ``保守レポート/2026-11`` (a key: never edited, so no template)."""
    return f"保守レポート/{report.key}"


def title(voice: Voice, report: MonthlyReport) -> str:
    return voice.line("customer/report_title", month=report.month)


def _values(
    report: MonthlyReport, labels: Mapping[str, str], adapters: Mapping[str, str],
) -> dict[str, object]:
    """The values of ``customer/report``: the report's own records, which the template lays out.

    ``labels`` are the categories' names (C1-C8 are never shown to customers), ``adapters`` the adapters'
    display names (M2: the customer reads "DataSpider Cloud", not our id); ``hours`` is the quarter
    as the hour bar reads it (used, reserved by pending quotes in a month in progress, left).
    """
    c, q, h = report.contract, report.quarter, report.hours
    return {
        "report": report,
        "contract": c,
        "contract_last_day": c.end - timedelta(days=1),
        "quarter": q,
        "figures": h,
        "month": report.month,
        "month_end": _month_end(report),
        "as_of": report.as_of,
        "hours": Hours(h.consumed_quarter, h.left, q.start, h.expires, report.reserved),
        "quarters": report.quarters,
        "consumptions": report.consumptions,
        "category_labels": dict(labels),
        "adapter_labels": dict(adapters),
        "purchases": report.purchases,
        "pending": report.pending,
        "issues": report.issues,
        "opened": report.count("opened"), "in_progress": report.count("in_progress"),
        "closed": report.count("closed"),
        "sla": report.sla,
        "sla_met": report.sla_met, "sla_missed": report.sla_missed,
        "sla_open": len(report.sla) - report.sla_met - report.sla_missed,
        "monitoring": report.monitoring,
        "alerts": report.alerts,
        "forecast": report.forecast,
        "remarks_heading": REMARKS_HEADING,
    }


def report_doc(
    voice: Voice, report: MonthlyReport, labels: Mapping[str, str] | None = None,
    adapters: Mapping[str, str] | None = None,
) -> Doc:
    """R1: every section except the remarks body, which staff write and which is kept verbatim."""
    return voice.doc("customer/report", title=title(voice, report),
                     **_values(report, labels or {}, adapters or {}))


def _month_end(report: MonthlyReport) -> date:
    m = report.month
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1) - timedelta(days=1)


def clean_remarks(text: str) -> str:
    """Staff-written remarks go back verbatim, minus 4-byte characters and anything like a bot reference."""
    lines = [line for line in text.splitlines() if not is_reference(line)]
    return neutralise_references(replace_4byte("\n".join(lines))).strip()


def render_report(
    voice: Voice, report: MonthlyReport, rule: Rule, labels: Mapping[str, str] | None = None,
    adapters: Mapping[str, str] | None = None,
) -> str:
    """The page text (no reference line yet): the rendered ``Doc``, then the remarks under their heading."""
    return render(report_doc(voice, report, labels, adapters), rule) + "\n\n" + clean_remarks(report.remarks)


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
