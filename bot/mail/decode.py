"""Turning raw mail bytes into a ParsedMail without ever raising (reference A1, A2)."""

from __future__ import annotations

import binascii
import email
import hashlib
import logging
import re
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from bot.mail.charset import decode_bytes
from bot.mail.html import html_to_text
from bot.mail.message import HEADERS_OF_INTEREST, Attachment, ParsedMail, normalise

__all__ = ["decode_bytes", "decode_header_value", "parse_message"]

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_FOLDING = re.compile(r"\r\n|\r|\n")
_EWORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_B64_JUNK = re.compile(r"[^A-Za-z0-9+/]")
# An addr-spec of dot-atoms and nothing else (RFC 5322 3.4.1): no name, quote, comment, bracket or list,
# so ``parseaddr`` would hand it back unchanged; anything else still goes through ``parseaddr``.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_BARE_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def parse_message(raw: bytes) -> ParsedMail:
    """Parse ``raw``; never raises. Anything repaired or guessed is listed in ``defects``.

    A mail is never lost for being malformed (MailParseError is for callers that choose to quarantine).
    The last-resort branch exists because the stdlib parser has corner cases that raise on hostile input.
    """
    try:
        return _parse(raw)
    except Exception as exc:  # the contract is "never raises"; the defect says what broke
        log.warning("mail could not be parsed structurally: %s", type(exc).__name__)
        text, defects = decode_bytes(raw, None)
        return _build(None, "", "", (), "", None, "text/plain", {}, text, (),
                      (f"unparseable: {type(exc).__name__}", *defects))


def _parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=compat32)
    defects: list[str] = [type(d).__name__ for d in msg.defects]
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        text, hdefects = decode_header_value(str(value))
        defects.extend(f"{name}: {d}" for d in hdefects)
        headers.setdefault(name.lower(), text)
    from_name, from_addr = _parseaddr(headers.get("from", ""))
    to = tuple(a.lower() for a in _addresses(headers.get("to", ""), headers.get("cc", "")))
    date = _date(headers.get("date", ""), defects)
    mid = headers.get("message-id", "").strip() or None
    interest = {h: headers[h.lower()] for h in HEADERS_OF_INTEREST if h.lower() in headers}
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    _walk(msg, plain, html, attachments, defects)
    text = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in html)
    return _build(mid, from_addr.lower(), from_name, to, headers.get("subject", ""), date,
                  msg.get_content_type(), interest, text, tuple(attachments), tuple(defects))


def _parseaddr(value: str) -> tuple[str, str]:
    """``parseaddr``, with a bare ``local@domain`` (the common adapter sender) taken as it stands."""
    bare = value.strip()
    return ("", bare) if _BARE_ADDRESS.fullmatch(bare) else parseaddr(value)


def _addresses(*values: str) -> list[str]:
    """The addresses of To and Cc as ``getaddresses`` finds them; bare single addresses as they stand."""
    bare = [v.strip() for v in values]
    if all(not v or _BARE_ADDRESS.fullmatch(v) for v in bare):
        return [v for v in bare if v]
    return [a for _, a in getaddresses(list(values)) if a]


def _build(mid: str | None, from_addr: str, from_name: str, to: tuple[str, ...], subject: str,
           date: datetime | None, ctype: str, headers: dict[str, str], text: str,
           attachments: tuple[Attachment, ...], defects: tuple[str, ...]) -> ParsedMail:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    norm = normalise(text)
    return ParsedMail(
        message_id=mid, from_addr=from_addr, from_name=from_name, to=to, subject=subject, date=date,
        content_type=ctype, headers=headers, text=text, normalised=norm, attachments=attachments,
        defects=tuple(dict.fromkeys(defects)),
        body_hash=hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        defects.append("Date: unparseable")
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def decode_header_value(value: str) -> tuple[str, tuple[str, ...]]:
    """Decode one raw header value (compat32 ``raw_items``); returns text without line breaks + defects.

    ``decode_header`` merges adjacent encoded-words of one charset before decoding, so a word split
    inside a character survives (A1.9). Raw 8-bit bytes come back through surrogateescape (A1.8).
    Control characters (CR/LF from an encoded-word: header injection) become spaces.
    """
    value = _FOLDING.sub("", value)
    if value.isascii() and "=?" not in value:  # the common case: nothing encoded, nothing to decode
        return _CONTROL.sub(" ", value).strip(), ()
    defects: list[str] = []
    try:
        parts = decode_header(value)
    except (HeaderParseError, ValueError, binascii.Error, LookupError, AssertionError):
        parts = _lenient_words(value)
        defects.append("malformed encoded-word")
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            data = _raw(chunk)
        elif charset is None:
            try:  # decode_header turned unencoded text into bytes with raw-unicode-escape
                data = _raw(chunk.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                data = chunk
        else:
            data = chunk
        if charset is None and not data.isascii():
            defects.append("raw 8-bit header")
        text, d = decode_bytes(data, charset)
        defects.extend(d)
        out.append(text)
    joined = "".join(out)
    return _CONTROL.sub(" ", joined).strip(), tuple(defects)


def _raw(text: str) -> bytes:
    """The original bytes of a header string: surrogateescape'd 8-bit bytes and latin-1 come back as is."""
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append(o - 0xDC00)
        elif o < 0x100:
            out.append(o)
        else:
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out)


def _lenient_words(value: str) -> list[tuple[bytes | str, str | None]]:
    """Decode encoded-words one by one, repairing bad base64, merging neighbours of one charset."""
    parts: list[tuple[bytes | str, str | None]] = []
    pos = 0
    for m in _EWORD.finditer(value):
        between = value[pos:m.start()]
        if between and not (between.isspace() and parts and parts[-1][1] is not None):
            parts.append((_raw(between), None))
        charset, enc, payload = m.group(1).lower().split("*")[0], m.group(2).lower(), m.group(3)
        if enc == "b":
            clean = _B64_JUNK.sub("", payload)
            clean = clean[: len(clean) - len(clean) % 4] if len(clean) % 4 == 1 else clean
            data = binascii.a2b_base64(clean + "=" * (-len(clean) % 4))
        else:
            data = binascii.a2b_qp(payload.replace("_", " ").encode("ascii", "replace"), header=True)
        if parts and parts[-1][1] == charset and isinstance(parts[-1][0], bytes):
            parts[-1] = (parts[-1][0] + data, charset)
        else:
            parts.append((data, charset))
        pos = m.end()
    if value[pos:]:
        parts.append((_raw(value[pos:]), None))
    return parts


def _walk(part: Message, plain: list[str], html: list[str], attachments: list[Attachment],
          defects: list[str]) -> None:
    """Collect text parts and attachment sizes; attachments are sized, never decoded (big files)."""
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _walk(sub, plain, html, attachments, defects)
        return
    ctype = part.get_content_type()
    name = part.get_filename()
    # compat32 hands back a Header object (not a str) when a header holds 8-bit bytes.
    disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
    if name is not None or disposition == "attachment" or part.get_content_maintype() not in ("text",):
        raw_name = decode_header_value(str(name))[0] if name else ""
        attachments.append(Attachment(raw_name, _encoded_size(part), ctype))
        return
    if ctype not in ("text/plain", "text/html"):
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    text, d = decode_bytes(data, part.get_content_charset())
    defects.extend(d)
    defects.extend(type(x).__name__ for x in part.defects)
    (plain if ctype == "text/plain" else html).append(text)


def _encoded_size(part: Message) -> int:
    """The decoded size of a part computed from its encoded form, so a 20 MB file is not copied."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        chars = len(payload) - sum(payload.count(c) for c in "\r\n \t=")
        return chars * 3 // 4
    return len(payload)
