"""The date a customer wrote as the one they wish the work done by (issue 20 item 6, T6): a hint for staff.

「12月10日までに公開したいです」, 「2026/12/10 までに」, 「12/10希望」: the first date in the inquiry that
lies on or after the day it was received, read in Japan time. A date without a year is the next such
date (「1月5日」 written in December is next January's). Nothing is decided from it: staff see it on the
staff issue and agree the date with the customer; the quote's lead times use the date staff schedule.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_YMD = re.compile(r"(?<!\d)(?P<y>20\d\d)\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})日?(?!\d)")
_MD = re.compile(r"(?<![\d/.-])(?P<m>\d{1,2})\s*(?:月\s*(?P<d1>\d{1,2})\s*日|/(?P<d2>\d{1,2})(?![\d/]))")


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def wished_date(text: str, received: date) -> date | None:
    """The first date written in ``text`` that is not before ``received`` (None when there is none)."""
    folded = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, date]] = []
    with_year = []  # a month and day inside a full date are that date, not another one
    for m in _YMD.finditer(folded):
        with_year.append(m.span())
        d = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
        if d is not None and d >= received:
            found.append((m.start(), d))
    for m in _MD.finditer(folded):
        if any(a <= m.start() < b for a, b in with_year):
            continue
        month, day = int(m["m"]), int(m["d1"] or m["d2"])
        d = _valid(received.year, month, day)
        if d is not None and d < received:
            d = _valid(received.year + 1, month, day)
        if d is not None:
            found.append((m.start(), d))
    return min(found)[1] if found else None
