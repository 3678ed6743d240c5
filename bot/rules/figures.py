"""The one formatter for every hour and yen figure the bot prints or writes (issue 13, rules H6, H7, H10).

Hours are exact decimals written plainly: ``10`` (never ``1E+1``), ``1.5``, ``0`` (never ``-0`` or
``6.0``). Yen are whole amounts with thousands separators: ``150,000``. Every text (customer comments,
staff issues, wiki reports, the CLI) goes through these two functions, so one figure reads the same
everywhere; the units (``時間``, ``円（税抜）``) stay with the sentence that uses them.
"""

from __future__ import annotations

from decimal import Decimal


def hours_figure(value: Decimal | int) -> str:
    """``Decimal("10")`` -> ``10``, ``Decimal("1.50")`` -> ``1.5``, ``Decimal("-0")`` -> ``0``.

    ``normalize()`` alone turns 10 into ``1E+1``; formatting with ``f`` after it never shows an exponent.
    """
    d = Decimal(value)
    if d == 0:
        return "0"
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def yen_figure(amount: int | Decimal) -> str:
    """``150000`` -> ``150,000`` (whole yen; prices exclude tax, H6)."""
    return f"{int(amount):,}"
