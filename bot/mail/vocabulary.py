"""What adapter error codes look like, wherever a mail writes them (rules M2, C8; reference D).

The generic reading does not depend on labels: it recognises a value by its vocabulary or its shape.
Sources: Salesforce ``StatusCode`` (SOAP API guide, shipped as ``data/salesforce_status_codes.txt``),
kintone REST error codes (``CB_XX00`` / ``GAIA_XX00``, cybozu developer network), Java exception class
names (DataSpider's ``error_type`` and its wrapped causes), HTTP statuses as eSM and others write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.mail.error_table import WRAPPERS, known

KINTONE = re.compile(r"(?<![A-Za-z0-9_])((?:CB|GAIA)_[A-Z]{2}\d{2})(?![A-Za-z0-9_])")
_UPPER = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![A-Za-z0-9_])")
JAVA = re.compile(r"(?<![\w$])(?:[a-z][\w$]*\.)*([A-Z][A-Za-z0-9$]*(?:Exception|Error))(?![\w$])")
# HTTP statuses in their written forms: "HTTP 503", "HTTP/1.1 503", "HTTPステータス: 503", "status=503",
# "status code: 422", "ステータスコード 503", "[400]" (kintone's own mail writes the status in brackets).
_HTTP = (
    re.compile(r"(?i)\bHTTP(?:/\d(?:\.\d)?)?\s*(?:status(?:\s*code)?|ステータス(?:コード)?)?\s*[:=]?\s*([1-5]\d\d)\b"),
    re.compile(r"(?i)\b(?:status|status[_ ]?code|statusCode|http_status)\"?\s*[:=]\s*\"?([1-5]\d\d)\b"),
    re.compile(r"ステータス(?:コード)?\s*[:=]?\s*([1-5]\d\d)\b"),
    re.compile(r"\[([1-5]\d\d)\]"),
)
# Java names that say nothing about the cause on their own.
_GENERIC_JAVA = frozenset({"Exception", "Error", "RuntimeException", "DmlException", "Throwable"})


@cache
def salesforce_codes() -> frozenset[str]:
    """The documented Salesforce StatusCode values (plus the API fault codes adapters write)."""
    text = resources.files("bot.mail").joinpath("data/salesforce_status_codes.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Found:
    """One code candidate: its value, the kind of vocabulary, and where it stood in the text."""

    code: str
    kind: str  # "kintone", "salesforce", "java", "http"
    at: int


def candidates(text: str) -> list[Found]:
    """Every code-looking value in ``text`` (normalised), in order of appearance."""
    found = [Found(m.group(1), "kintone", m.start(1)) for m in KINTONE.finditer(text)]
    sf = salesforce_codes()
    found += [Found(m.group(1), "salesforce", m.start(1)) for m in _UPPER.finditer(text)
              if m.group(1) in sf or (known(m.group(1)) and not KINTONE.fullmatch(m.group(1)))]
    found += [Found(m.group(1), "java", m.start(1)) for m in JAVA.finditer(text)
              if m.group(1) not in _GENERIC_JAVA]
    for rx in _HTTP:
        found += [Found(f"HTTP_{m.group(1)}", "http", m.start(1)) for m in rx.finditer(text)]
    seen: set[tuple[str, int]] = set()
    unique = []
    for f in sorted(found, key=lambda f: f.at):
        if (f.code, f.at) not in seen:
            seen.add((f.code, f.at))
            unique.append(f)
    return unique


# Which vocabularies to prefer, per adapter: its own first, then what it wraps (reference D).
PREFERENCE: dict[str, tuple[str, ...]] = {
    "kintone": ("kintone", "http", "java", "salesforce"),
    "salesforce": ("salesforce", "http", "java", "kintone"),
    "esm": ("http", "java", "salesforce", "kintone"),
    "dataspider": ("kintone", "salesforce", "java", "http"),
}


def pick(found: list[Found], adapter: str | None) -> tuple[str, str | None] | None:
    """``(code, wrapper)``: the adapter's own kind of code, the innermost when one wraps another.

    A wrapper (``ComponentFailedException``, ``CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY`` ...) yields the
    code found inside it; a wrapper alone is still a code (classified as unknown, so a person looks).
    """
    if not found:
        return None
    wrapper = next((f.code for f in found if f.code in WRAPPERS), None)
    inner = [f for f in found if f.code not in WRAPPERS]
    order = PREFERENCE.get(adapter or "", ("kintone", "salesforce", "java", "http"))
    if adapter == "dataspider":
        # DataSpider wraps other adapters' errors: a code the error table knows wins, whichever kind.
        table = [f for f in inner if known(f.code)]
        if table:
            return table[0].code, wrapper
    for kind in order:
        mine = [f for f in inner if f.kind == kind]
        if mine:
            return mine[0].code, wrapper
    return (wrapper, None) if wrapper else None


def adapter_of_code(code: str) -> str | None:
    """The adapter a code's shape points to, when the mail names none."""
    if KINTONE.fullmatch(code):
        return "kintone"
    if code in salesforce_codes():
        return "salesforce"
    if JAVA.fullmatch(code):
        return "dataspider"
    return None
