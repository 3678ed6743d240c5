"""Form and query encoding as Backlog wants it (reference §4, §11.5): arrays as ``key[]``, multi-value
custom fields with explicit indices, booleans as ``true``/``false``, dates as ``yyyy-MM-dd``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

Scalar = str | int | Decimal | bool | date
FormValue = Scalar | Sequence[Scalar] | None
Params = list[tuple[str, str]]


def encode_value(value: Scalar) -> str:
    """Form scalar: booleans as ``true``/``false`` (reference §11.5), dates as ``yyyy-MM-dd``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def encode_fields(fields: Mapping[str, FormValue]) -> Params:
    """Encode fields as Backlog wants them: lists repeat as ``key[]=1&key[]=2``; None is left out."""
    out: Params = []
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, str | int | Decimal | bool | date):
            out.append((key, encode_value(value)))
        else:
            out.extend((f"{key}[]", encode_value(v)) for v in value)
    return out


def encode_custom_fields(custom_fields: Mapping[int, Scalar | Sequence[Scalar]] | None) -> Params:
    """``customField_N=v``; multi-value fields need explicit indices ``customField_N[0]=..`` (§4)."""
    out: Params = []
    for field_id, value in (custom_fields or {}).items():
        if isinstance(value, str | int | Decimal | bool | date):
            out.append((f"customField_{field_id}", encode_value(value)))
        else:
            out.extend((f"customField_{field_id}[{i}]", encode_value(v)) for i, v in enumerate(value))
    return out
