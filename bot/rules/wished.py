"""The date a customer wrote as the one they wish the work done by (issue 20 item 6, T6).

「12月10日までに公開したいです」, 「2026/12/10 までに」, 「12/10希望」: the first date in the inquiry that a
deadline word follows (まで, 希望, 期限, 締切, 納期) and that lies on or after the day it was received, read
in Japan time; a bare date (「12/3に発生」) is not a wish. A date without a year is the next such date
(「1月5日までに」 written in December is next January's). Staff see it on the staff issue; the quote's T6
warning counts from it (only a warning: nothing is consumed or refused on it).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_YMD = re.compile(r"(?<!\d)(?P<y>20\d\d)\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})日?(?!\d)")
# A date is a wish only when a deadline word follows it closely (「12月10日までに」「12/10希望」); a date
# alone (「12/3に発生したエラー」) says when something happened, not when the customer needs it.
_WISH = re.compile(r"\s*(?:頃|ごろ|中)?\s*(?:まで|迄|希望|期限|締切|締め切り|納期)")
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
        if d is not None and d >= received and _WISH.match(folded, m.end()):
            found.append((m.start(), d))
    for m in _MD.finditer(folded):
        if any(a <= m.start() < b for a, b in with_year):
            continue
        month, day = int(m["m"]), int(m["d1"] or m["d2"])
        d = _valid(received.year, month, day)
        if d is not None and d < received:
            d = _valid(received.year + 1, month, day)
        if d is not None and _WISH.match(folded, m.end()):
            found.append((m.start(), d))
    return min(found)[1] if found else None
