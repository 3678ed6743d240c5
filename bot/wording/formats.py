"""One style for every date, time, number and hour bar the bot writes (issue 15).

Dates read ``2026年12月2日(水)``, instants ``2026年12月2日(水) 18:00`` in Japan time, hours ``1.5 時間``
(exact decimals, H10), prices ``90,000 円（税抜）`` (H6 prices exclude tax). The hour bar draws a quarter's
hours with three BMP characters that read the same in markdown and Backlog notation (no image needed).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.clock import JST
from bot.rules.figures import hours_figure, yen_figure

_WEEKDAYS = "月火水木金土日"
BAR_WIDTH = 20
USED, RESERVED, LEFT = "■", "◆", "□"  # all three inside JIS X 0208 (issue 20)


def fmt_date(d: date | datetime) -> str:
    """``2026年11月30日(月)``; an aware datetime is read in JST first."""
    if isinstance(d, datetime):
        d = d.astimezone(JST).date()
    return f"{d.year}年{d.month}月{d.day}日({_WEEKDAYS[d.weekday()]})"


def fmt_datetime(t: datetime) -> str:
    """``2026年11月30日(月) 18:00`` in JST (T2 deadlines as the customer reads them)."""
    t = t.astimezone(JST)
    return f"{fmt_date(t)} {t:%H:%M}"


def fmt_month(d: date) -> str:
    """``2026年11月``."""
    return f"{d.year}年{d.month}月"


def number(h: Decimal | int) -> str:
    """A decimal without trailing zeros or exponent: ``6``, ``0.5``, ``12`` (the one formatter, issue 13)."""
    return hours_figure(h)


def fmt_hours(h: Decimal | int) -> str:
    """``0.5 時間``, ``6 時間`` (H10)."""
    return f"{number(h)} 時間"


def fmt_yen(amount: int | Decimal) -> str:
    """``90,000 円（税抜）`` (H6)."""
    return f"{yen_figure(amount)} 円（税抜）"


def fmt_yen_short(amount: int | Decimal) -> str:
    """``90,000円``: a price in a table whose header already says it excludes tax (H6)."""
    return f"{yen_figure(amount)}円"


def fmt_multiplier(x: Decimal) -> str:
    """``×1.5``, ``×3`` (T7)."""
    return f"×{number(x)}"


def bar(used: Decimal, reserved: Decimal, left: Decimal, width: int = BAR_WIDTH) -> str:
    """``■■■■◆◆□□□□…``: used, reserved by pending quotes and free hours, ``width`` cells in all.

    Each part gets its share of the cells rounded half up; a part that is not zero keeps at least one
    cell so it never disappears, and the free part absorbs the rounding.
    """
    used, reserved, left = (max(Decimal(v), Decimal(0)) for v in (used, reserved, left))
    total = used + reserved + left
    if total <= 0:
        return LEFT * width

    def cells(part: Decimal) -> int:
        n = int((part * width / total).to_integral_value(ROUND_HALF_UP))
        return max(n, 1) if part > 0 else 0

    u = min(cells(used), width)
    r = min(cells(reserved), width - u)
    return USED * u + RESERVED * r + LEFT * (width - u - r)
