"""The one reference line every text the bot writes ends with (INTERFACE "What the bot writes").

``hoshu-bot:ack:ACME-12`` names the write, so a restarted bot finds what it already wrote and never
writes it twice; what ``rebuild-state`` needs beyond the name rides on the same line as data
(``hoshu-bot:confirm:ACME-5:1;h=12;x=1.5;t=20261202T180012;by=yamada``, issue 15: one line only).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_REFERENCE = re.compile(r"hoshu-bot:[a-z][a-z0-9-]*:[A-Za-z0-9_.:/\-]+")
# What rebuild-state needs beyond the reference (hours, multiplier, instant) rides on the same line:
# ``hoshu-bot:confirm:ACME-5:1;h=12;x=1.5;t=20261202T180012;by=yamada`` (issue 15: one line only).
_DATA = r"(?:;[a-z]+=[A-Za-z0-9_.%~+\-]*)*"
_REFERENCE_LINE = re.compile(rf"(?P<ref>{_REFERENCE.pattern})(?P<data>{_DATA})")


def is_reference(line: str) -> bool:
    """A bot reference line, with or without its data part."""
    return _REFERENCE_LINE.fullmatch(line.strip()) is not None


def reference_line(ref: str, **data: str) -> str:
    """``ref`` with ``data`` on the same line: ``hoshu-bot:quote:ACME-5:1;w=8;r=12``.

    Values are percent-encoded so that any Backlog userId fits; empty data gives ``ref`` alone.
    """
    if _REFERENCE.fullmatch(ref) is None:
        msg = f"not a bot reference: {ref!r}"
        raise ValueError(msg)
    return ref + "".join(f";{k}={quote(v, safe='.-_~+')}" for k, v in data.items())


def _last_line(text: str) -> re.Match[str] | None:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return _REFERENCE_LINE.fullmatch(lines[-1].strip()) if lines else None


def with_reference(text: str, ref: str) -> str:
    """``text`` with ``ref`` as its last line (replacing a reference line already there).

    ``ref`` may carry data (see :func:`reference_line`); a plain ``ref`` keeps the data of a last line
    with the same reference, so a body prepared with its data goes through the writer unchanged.
    """
    m = _REFERENCE_LINE.fullmatch(ref.strip())
    if m is None:
        msg = f"not a bot reference: {ref!r}"
        raise ValueError(msg)
    last = _last_line(text)
    line = ref.strip()
    if last is not None and not m.group("data") and last.group("ref") == m.group("ref"):
        line = last.group(0)
    body = strip_reference(text).rstrip()
    return f"{body}\n\n{line}" if body else line


def find_reference(text: str) -> str | None:
    """The bot reference on the last non-empty line of ``text`` (without its data part), or None."""
    last = _last_line(text)
    return last.group("ref") if last is not None else None


def carries_reference(text: str, ref: str) -> bool:
    """Whether a line of ``text`` is the reference ``ref`` (with or without its data part)."""
    for line in text.splitlines():
        m = _REFERENCE_LINE.fullmatch(line.strip())
        if m is not None and m.group("ref") == ref:
            return True
    return False


def reference_data(text: str) -> dict[str, str] | None:
    """The data part of the last line's reference (``{"h": "12", ...}``), or None if there is none."""
    last = _last_line(text)
    if last is None or not last.group("data"):
        return None
    pairs = (item.split("=", 1) for item in last.group("data")[1:].split(";"))
    return {k: unquote(v) for k, v in pairs}


def full_reference(text: str) -> str | None:
    last = _last_line(text)
    return last.group(0) if last is not None else None


def strip_reference(text: str) -> str:
    ref = full_reference(text)
    if ref is None:
        return text
    return text.rstrip()[: text.rstrip().rfind(ref)]
