"""Backlog-style form and query parameters (``key[]`` arrays, ``customField_N[i]``) with 400/7 errors."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from bot.errors import BacklogInvalidRequestError

Form = dict[str, list[str]]

# Backlog's documented/observed length limits (reference section 11, gotcha 2).
SUMMARY_MAX = 255
DESCRIPTION_MAX = 100_000
COMMENT_MAX = 50_000


def invalid(message: str) -> BacklogInvalidRequestError:
    """The 400 / code 7 InvalidRequestError every bad parameter gets (reference section 2)."""
    return BacklogInvalidRequestError(message, status=400, code=7)


def one(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def required(form: Form, name: str) -> str:
    """A required parameter; missing or empty gives 400 code 7 like Backlog."""
    value = one(form, name)
    if value is None or value == "":
        raise invalid(f"Please set the {name} parameter.")
    return value


def integer(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise invalid(f"{name} must be a number: {value!r}") from None


def opt_int(form: Form, name: str) -> int | None:
    value = one(form, name)
    return None if value is None or value == "" else integer(value, name)


def ints(form: Form, name: str) -> list[int]:
    """A multi-value parameter: only ``name[]`` counts, like Backlog (a plain ``name`` is ignored)."""
    return [integer(v, name) for v in form.get(f"{name}[]", []) if v != ""]


def hours(value: str, name: str) -> Decimal:
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise invalid(f"{name} must be a number: {value!r}") from None
    if not result.is_finite() or result < 0:
        raise invalid(f"{name} must be zero or more.")
    return result


def day(value: str, name: str) -> date:
    """Request dates are ``yyyy-MM-dd`` only (reference section 10)."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a bare calendar date
    except ValueError:
        raise invalid(f"{name} must be yyyy-MM-dd: {value!r}") from None


def text(value: str, name: str, limit: int, *, allow_empty: bool = True) -> str:
    """Length limits and the 4-byte gotcha: Backlog answers 400/7 ``Incorrect String: %F0...`` (gotcha 1)."""
    if not allow_empty and value == "":
        raise invalid(f"Please set the {name} parameter.")
    if len(value) > limit:
        raise invalid(f"{name} is too long (max {limit} characters).")
    astral = _ASTRAL.search(value)
    if astral is not None:
        raise invalid(f"Incorrect String: {quote(astral.group())}")
    return value


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CUSTOM = re.compile(r"^customField_(\d+)(?:\[(\d+)\])?$")


def custom_fields(form: Form) -> dict[int, list[str]]:
    """``customField_N`` and indexed ``customField_N[i]`` values by field id (``[]`` is not accepted)."""
    found: dict[int, list[tuple[int, str]]] = {}
    for key, values in form.items():
        match = _CUSTOM.match(key)
        if match is None:
            continue
        index = int(match.group(2)) if match.group(2) is not None else -1
        found.setdefault(int(match.group(1)), []).extend((index, v) for v in values)
    return {field_id: [v for _, v in sorted(pairs, key=lambda p: p[0])] for field_id, pairs in found.items()}
