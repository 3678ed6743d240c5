"""Strict field types for the TOML configuration (issue 13 item 2): a value is what it says it is.

Pydantic's lax mode reads ``hours = "24"`` as 24 and ``monitoring = "yes"`` as true; a configuration
that can only be right by luck is refused instead. The models use ``strict=True`` (no text for numbers
or booleans, no text for dates, no 1.0 for an integer); TOML numbers become exact ``Decimal``s here
(a float is read through its shortest text, so 1.5 is ``Decimal("1.5")``), and TOML arrays become tuples.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

#: Every configuration model: frozen, no unknown keys, no coercion between types.
STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)


def _number(v: Any) -> Any:
    if isinstance(v, bool | str):
        kind = "true/false" if isinstance(v, bool) else f"text {v!r}"
        msg = f"must be a number, not {kind}"
        raise ValueError(msg)
    if isinstance(v, int | float):
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return v


def _finite(v: Decimal) -> Decimal:
    if not v.is_finite():
        msg = "must be a finite number"
        raise ValueError(msg)
    return v


def clock(v: str) -> time:
    """``HH:MM`` (00:00-23:59) as a time; anything else is a ValueError naming the value."""
    if not re.fullmatch(r"\d{2}:\d{2}", v):
        msg = f"must be HH:MM, got {v!r}"
        raise ValueError(msg)
    try:
        return time.fromisoformat(v)
    except ValueError:
        msg = f"{v!r} is not a time of day (00:00-23:59)"
        raise ValueError(msg) from None


def _hhmm(v: str) -> str:
    clock(v)
    return v


#: An exact number read from a TOML integer or float; text and booleans are refused.
Num = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_finite)]
#: A number above zero.
PosNum = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_finite), Field(gt=0)]
#: A multiplier (T7): at least 1, so off-hours work never gives hours back.
Multiplier = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_finite), Field(ge=1)]
#: Text that is not empty (a label, a pattern, a user id).
Text = Annotated[str, StringConstraints(min_length=1)]
#: A time of day written ``HH:MM``.
Clock = Annotated[str, AfterValidator(_hhmm)]


def tuples(data: Any) -> Any:
    """TOML arrays as tuples, all the way down, so strict tuple fields accept them."""
    if isinstance(data, dict):
        return {k: tuples(v) for k, v in data.items()}
    if isinstance(data, list):
        return tuple(tuples(v) for v in data)
    return data
