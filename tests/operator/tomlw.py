"""A small TOML writer for the configuration tests: enough for the shipped files (tables, arrays of
tables, inline arrays of scalars, strings, numbers, booleans, dates)."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any


def scalar(v: Any) -> str:  # noqa: PLR0911 - one return per TOML type
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(scalar(x) for x in v) + "]"
    raise TypeError(type(v))


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(data: dict[str, Any], prefix: str = "") -> str:
    lines: list[str] = []
    for k, v in data.items():
        if not isinstance(v, dict) and not _is_tables(v):
            lines.append(f"{k} = {scalar(v)}")
    for k, v in data.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            lines.append(f"\n[{name}]")
            lines.append(dumps(v, name))
        elif _is_tables(v):
            for item in v:
                lines.append(f"\n[[{name}]]")
                lines.append(dumps(item, name))
    return "\n".join(lines)
