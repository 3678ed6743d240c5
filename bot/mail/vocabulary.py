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
JAVA = re.compile(r"(?<![\w$])(?:[a-z][\w$]*\.)*([A-Z][A-Za-z0-9$]*(?:Exception|Error|Fault))(?![\w$])")
# HTTP statuses in their written forms: "HTTP 503", "HTTP/1.1 503", "HTTPステータス: 503", "status=503",
# "status code: 422", "ステータスコード 503", "[400]" (kintone's own mail writes the status in brackets),
# and (issue 21 item 1) after 応答, レスポンス, response, returned ("応答:401", "レスポンスコード 500",
# "returned HTTP 401", "response status: 503"), before a reason phrase ("401 Unauthorized"), and in
# JSON bodies ("statusCode": 401, "httpStatus": "503"). The loose forms take only 4xx and 5xx:
# "returned 200 records" is no error.
_REASONS = ("Bad Request|Unauthori[sz]ed|Payment Required|Forbidden|Not Found|Method Not Allowed"
            "|Not Acceptable|Request Time-?out|Conflict|Gone|Payload Too Large|Request Entity Too Large"
            "|Unsupported Media Type|Unprocessable (?:Entity|Content)|Locked|Too Many Requests"
            "|Internal Server Error|Not Implemented"
            "|Bad Gateway|Service (?:Temporarily )?Unavailable|Gateway Time-?out")
# Each form is the text right before (or after) a 3-digit number: the numbers are found first and only
# their surroundings are matched (one pass over the mail instead of one per form).
_NUMBER = re.compile(r"(?<![0-9])([1-5]\d\d)(?![0-9A-Za-z_])")
_BEFORE = (
    re.compile(r"(?i)\bHTTP(?:/\d(?:\.\d)?)?\s*(?:status(?:\s*code)?|ステータス(?:コード)?)?\s*[:=]?\s*$"),
    re.compile(r"(?i)\b(?:status|status[_ ]?code|statusCode|http_?status(?:_?code)?|response_?code"
               r"|responseStatus)\"?\s*[:=]\s*\"?$"),
    re.compile(r"ステータス(?:コード)?\s*[:=]?\s*$"),
)
_LOOSE_BEFORE = re.compile(
    r"(?i)(?:応答|レスポンス|\bresponse|\breturned|\breturns|\breturn code|\bfailed with)"
    r"(?:\s*(?:コード|ステータス(?:コード)?|code|status(?:\s*code)?|HTTP(?:/\d(?:\.\d)?)?|with|an?|error))*"
    r"\s*[:=]?\s*\(?$")
_REASON_AFTER = re.compile(rf"(?i)\s*[-:]?\s*(?:{_REASONS})\b")
_WINDOW = 48


def _http(text: str) -> list[Found]:
    """The HTTP statuses of ``text`` in their written forms (see above)."""
    found = []
    for m in _NUMBER.finditer(text):
        at = m.start(1)
        before = text[max(0, at - _WINDOW):at]
        status = m.group(1)
        bracketed = before.endswith("[") and text[at + 3:at + 4] == "]"
        loose = status[0] in "45" and bool(
            _LOOSE_BEFORE.search(before)
            or (not before.endswith((".", ",")) and _REASON_AFTER.match(text, at + 3)))
        if bracketed or loose or any(rx.search(before) for rx in _BEFORE):
            found.append(Found(f"HTTP_{status}", "http", at))
    return found


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
    found += _http(text)
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


# Where a chain of causes goes one level deeper (Java and Apex "caused by", DataSpider's 原因, the SOAP
# fault's exceptionCode): the innermost meaningful code is the last level that holds one (issue 21 item 2).
_DEEPER = re.compile(r"(?i)caused by|原因\s*[:=\[]|exceptionCode\s*=|first error:|inner ?exception")


def pick(found: list[Found], adapter: str | None, text: str = "") -> tuple[str, str | None] | None:
    """``(code, wrapper)``: the adapter's own kind of code, the innermost when one wraps another.

    A wrapper (``ComponentFailedException``, ``CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY`` ...) yields the
    code found inside it; so does any code followed by a deeper level of ``text`` (``caused by``,
    ``原因:``, ``exceptionCode=``) that holds a code: the deepest such level decides, and the outer code
    is kept apart as the wrapper. A wrapper alone is still a code (classified as unknown, so a person
    looks).
    """
    if not found:
        return None
    wrapper = next((f.code for f in found if f.code in WRAPPERS), None)
    inner = [f for f in found if f.code not in WRAPPERS]
    deepest = _deepest(inner, text)
    if deepest is not None and deepest[0] is not inner[0] and wrapper is None:
        wrapper = inner[0].code
    scope = deepest[1] if deepest is not None else inner
    chosen = _by_kind(scope, adapter) or _by_kind(inner, adapter)
    if chosen is None:
        return (wrapper, None) if wrapper else None
    return chosen, (wrapper if wrapper != chosen else None)


def _deepest(inner: list[Found], text: str) -> tuple[Found, list[Found]] | None:
    """The candidates of the deepest level of a cause chain in ``text`` that holds any, or None."""
    for marker in reversed(list(_DEEPER.finditer(text))):
        level = [f for f in inner if f.at >= marker.end()]
        if level:
            return level[0], level
    return None


def _by_kind(found: list[Found], adapter: str | None) -> str | None:
    if adapter == "dataspider":
        # DataSpider wraps other adapters' errors: a code the error table knows wins, whichever kind.
        table = [f for f in found if known(f.code)]
        if table:
            return table[0].code
    for kind in PREFERENCE.get(adapter or "", ("kintone", "salesforce", "java", "http")):
        mine = [f for f in found if f.kind == kind]
        if mine:
            return mine[0].code
    return None


def innermost(code: str, text: str, adapter: str | None) -> tuple[str, str | None]:
    """``(inner code, wrapper)`` for the code a configured format found: the code the wrapper wraps, or
    a deeper level's code (see ``pick``); else ``(code, None)``."""
    found = candidates(text)
    at = next((f.at for f in found if f.code == code), None)
    if code not in WRAPPERS and (at is None or not any(m.start() > at for m in _DEEPER.finditer(text))):
        return code, None
    picked = pick([f for f in found if at is None or f.at >= at], adapter, text)
    if picked is None or picked[0] in (code, *WRAPPERS):
        return code, None
    return picked[0], code


def adapter_of_code(code: str) -> str | None:
    """The adapter a code's shape points to, when the mail names none."""
    if KINTONE.fullmatch(code):
        return "kintone"
    if code in salesforce_codes():
        return "salesforce"
    if JAVA.fullmatch(code):
        return "dataspider"
    return None
