"""Timestamps as adapters write them (rule M2: the adapter's own time of the error)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
_STAMP = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d\d):?(\d\d)|(Z))?"
)


def parse_stamp(text: str) -> datetime | None:
    """A timestamp as adapters write it; without an offset it is Japan time (the adapters run in JST)."""
    m = _STAMP.search(text)
    if m is None:
        return None
    y, mo, d, h, mi, s, sign, oh, om, z = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))  # noqa: DTZ001 - tz set below
    except ValueError:
        return None
    if z:
        return naive.replace(tzinfo=ZoneInfo("UTC")).astimezone(JST)
    if sign:
        try:
            offset = datetime.fromisoformat(f"{naive.isoformat()}{sign}{oh}:{om}")
        except ValueError:  # "+72:00" (found by atheris): no such offset, so no usable time
            return None
        return offset.astimezone(JST)
    return naive.replace(tzinfo=JST)
