"""Timestamps as adapters write them (rule M2: the adapter's own time of the error; issue 21 item 4).

Forms read, on normalised text (NFKC, so full-width digits and ``：`` are ASCII):

- ISO-like ``2026-11-28 03:00:05``, ``2026/11/28 3:00``, ``2026-11-28T03:00:05+09:00``, ``...Z``;
- Japanese ``2026年11月28日``, ``2026年11月28日 3時00分05秒``, ``2026年11月28日(土) 03:00``;
- English month names ``Nov 28, 2026 3:00 AM``, ``28 November 2026 03:00:05``, ``Sat, 28 Nov 2026 ...``;
- US numeric dates as Salesforce writes them, ``11/28/2026, 3:00 AM`` (month first, as its mails do);
- a zone after the time: ``+09:00``/``+0900``, ``Z``, ``UTC``/``GMT`` (optionally bracketed), ``JST``.

A time without a zone is Japan time (the adapters run in JST); a date without a time is its midnight in
JST. An impossible date or offset is no time at all (None), never a guess.
"""

from __future__ import annotations

import heapq
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
_ZONE = (r"(?:\s*(?:(?P<sign>[+-])(?P<oh>\d\d):?(?P<om>\d\d)"
         r"|(?P<z>Z\b|\(?(?:UTC|GMT)\)?(?![A-Za-z])|\(?JST\)?)))?")
_AMPM = r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?|午前|午後))?"
_HM = rf"(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}}))?(?:\.\d+)?{_AMPM}"
_CLOCK = _HM + _ZONE
_YEAR = re.compile(r"\d{4}")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH = r"(?P<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
_STAMPS = (
    re.compile(rf"(?P<y>\d{{4}})[-/.](?P<mo>\d{{1,2}})[-/.](?P<d>\d{{1,2}})"
               rf"(?:(?:[ T]\s*|\s*\([^)\n]{{1,4}}\)\s*){_CLOCK})?"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?:\s*\([^)\n]{1,4}\))?"
               rf"(?:\s*(?:{_HM}|(?:(?P<jampm>午前|午後)\s*)?(?P<jh>\d{{1,2}})\s*時(?:\s*(?P<jmi>\d{{1,2}})\s*分"
               rf"(?:\s*(?P<js>\d{{1,2}})\s*秒)?)?){_ZONE})?"),
    re.compile(rf"(?<![A-Za-z]){_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?:,?\s+(?:at\s+)?{_CLOCK})?"),
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s+{_MONTH}\s+(?P<y>\d{{4}})(?:,?\s+{_CLOCK})?"),
    re.compile(rf"(?<![\d/])(?P<mo>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}})(?:,?\s+{_CLOCK})?"),
)


def parse_stamp(text: str, *, need_time: bool = False) -> datetime | None:
    """The first timestamp in ``text`` (the earliest one to start, whatever its form), in JST.

    ``need_time`` skips dates written without a time (the body-wide fallback: a bare date there is
    more often a file or business date than the error's time)."""
    found = _found(text, need_time)
    return found[0] if found else None


def stamp_text(text: str) -> str | None:
    """The text of the first timestamp ``parse_stamp`` reads in ``text`` (for ``--explain``'s pattern)."""
    found = [m for rx in _STAMPS for m in rx.finditer(text)]
    for m in sorted(found, key=lambda m: m.start()):
        if _stamp(m) is not None:
            return m.group(0).strip()
    return None


def _found(text: str, need_time: bool) -> list[datetime]:
    if not _YEAR.search(text):  # every form writes a 4-digit year: most lines have none
        return []
    # The forms' matches merged in text order, lazily: the first valid one ends the search.
    for m in heapq.merge(*(rx.finditer(text) for rx in _STAMPS), key=lambda m: m.start()):
        if need_time and not (m.group("h") if "h" in m.re.groupindex else None) \
                and not (m.group("jh") if "jh" in m.re.groupindex else None):
            continue
        stamp = _stamp(m)
        if stamp is not None:
            return [stamp]
    return []


def _int(m: re.Match[str], *names: str) -> int:
    for name in names:
        value = m.groupdict().get(name)
        if value:
            return int(value)
    return 0


def _stamp(m: re.Match[str]) -> datetime | None:
    g = m.groupdict()
    month = _MONTHS[g["mon"][:3].lower()] if g.get("mon") else _int(m, "mo")
    hour = _int(m, "h", "jh")
    ampm = (g.get("ampm") or g.get("jampm") or "").lower().replace(".", "")
    if ampm in ("pm", "午後") and hour < 12:
        hour += 12
    elif ampm in ("am", "午前") and hour == 12:
        hour = 0
    try:
        naive = datetime(_int(m, "y"), month, _int(m, "d"), hour, _int(m, "mi", "jmi"),  # noqa: DTZ001
                         _int(m, "s", "js"))
    except ValueError:
        return None
    if g.get("z") and "JST" not in g["z"]:
        return naive.replace(tzinfo=UTC).astimezone(JST)
    if g.get("sign"):
        minutes = int(g["oh"]) * 60 + int(g["om"])
        if minutes >= 24 * 60:  # "+72:00" (found by atheris): no such offset, so no usable time
            return None
        delta = timedelta(minutes=minutes if g["sign"] == "+" else -minutes)
        return naive.replace(tzinfo=timezone(delta)).astimezone(JST)
    return naive.replace(tzinfo=JST)
