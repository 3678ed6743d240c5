"""The one reference line every text the bot writes ends with (INTERFACE "What the bot writes").

The bot knows each write by a machine reference (``hoshu-bot:quote:ACME-12:1``): the state store keys
its writes by it, so a restarted bot finds what it already wrote and never writes it twice. What the
text itself carries depends on who reads it (INTERFACE, changed 2026-12-03):

- a text a customer can see ends with a **document number** a customer would cite, translated from the
  machine reference one to one (``お見積り番号：ACME-12-1``, ``受付番号：ACME-12``), never with data,
  hashes, logins or rule IDs (:data:`FORMS` lists every one);
- a staff-only text ends with the machine reference itself, and may carry data on the same line
  (``hoshu-bot:confirm-data:ACME-5:1;h=12;x=1.5;t=20261202T180012;by=yamada``): what ``rebuild-state``
  needs beyond the name lives there, in the staff project customers cannot see.

The translation is a bijection over :data:`FORMS`, so ``rebuild-state`` turns a customer text's
document number back into the machine reference. Texts written before 2026-12-03 end with a machine
line in customer projects too; they are still read. A document number can be quoted by anyone, so the
bot only trusts one on a text its own user wrote (``bot.backlog.lookup``, ``bot.rebuild.scan``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

PREFIX = "hoshu-bot:"
_REFERENCE = re.compile(r"hoshu-bot:[a-z][a-z0-9-]*:[A-Za-z0-9_.:/\-]+")
_DATA = r"(?:;[a-z]+=[A-Za-z0-9_.%~+\-]*)*"
_REFERENCE_LINE = re.compile(rf"(?P<ref>{_REFERENCE.pattern})(?P<data>{_DATA})")

# What each placeholder of a form may hold: an issue key, a project key, a number, a date, a month.
_PARTS = {"k": r"[A-Z][A-Z0-9_]*-[0-9]+", "p": r"[A-Z][A-Z0-9_]*", "n": r"[0-9]+", "c": r"[0-9]+",
          "t": r"[0-9]+", "d": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "m": r"[0-9]{4}-[0-9]{2}"}


@dataclass(frozen=True)
class Form:
    """One kind of customer-visible write: its machine reference and its document number.

    ``machine`` is the reference after ``hoshu-bot:``, ``shown`` the line the customer reads; both use
    the same placeholders (``{k}`` an issue key, ``{n}`` a number ...), so either gives the other.
    """

    machine: str
    shown: str

    def _pattern(self, template: str) -> re.Pattern[str]:
        out, pos = "", 0
        for m in re.finditer(r"\{([a-z])\}", template):
            out += re.escape(template[pos:m.start()]) + f"(?P<{m.group(1)}>{_PARTS[m.group(1)]})"
            pos = m.end()
        return re.compile(out + re.escape(template[pos:]))

    def to_shown(self, ref: str) -> str | None:
        m = self._pattern(PREFIX + self.machine).fullmatch(ref)
        return None if m is None else self.shown.format(**m.groupdict())

    def to_machine(self, line: str) -> str | None:
        m = self._pattern(self.shown).fullmatch(line)
        return None if m is None else PREFIX + self.machine.format(**m.groupdict())


FORMS: tuple[Form, ...] = (
    # an inquiry, by its issue key (the customer's own 受付番号)
    Form("ack:{k}", "受付番号：{k}"),
    Form("explain:{k}", "受付番号：{k}（保守対象範囲のご説明）"),
    Form("noquote:{k}:{c}", "受付番号：{k}（コメント {c} へのご回答）"),
    Form("confirm:{k}:cmd{c}", "受付番号：{k}（作業時間の記録 {c}）"),
    Form("purchased:{k}:c{c}", "受付番号：{k}（ご購入の記録 {c}）"),
    # a quote and the answers to it, by the quote's number
    Form("quote:{k}:{n}", "お見積り番号：{k}-{n}"),
    Form("confirm:{k}:{n}", "お見積り番号：{k}-{n}（ご承認の確認）"),
    Form("held:{k}:{n}", "お見積り番号：{k}-{n}（ご承認の保留）"),
    Form("rejected:{k}:{n}", "お見積り番号：{k}-{n}（お見送りの確認）"),
    # notices of a quarter, by the customer and the quarter's first day
    Form("notice:{p}:{d}", "お知らせ番号：{p}-{d}"),
    Form("notice-quarter-end:{p}:{d}", "お知らせ番号：{p}-{d}（四半期末のお知らせ）"),
    Form("notice-usage-{t}:{p}:{d}", "お知らせ番号：{p}-{d}（ご利用 {t}% のお知らせ）"),
    # the monthly report, by the customer and the month
    Form("report:{p}:{m}", "報告書番号：{p}-{m}"),
    # an alert issue and its summaries, by the customer's alert number (the fingerprint stays in the
    # store and in the staff project: bot.monitoring.numbers)
    Form("alert-no:{p}:{n}", "検知番号：{p}-A{n}"),
    Form("alert-no-update:{p}:{n}:{c}", "検知番号：{p}-A{n}（{c} 回目までのご報告）"),
)


def shown(ref: str) -> str | None:
    """The document number a customer reads for ``ref``; None for a staff-only reference."""
    return next((s for f in FORMS if (s := f.to_shown(ref)) is not None), None)


def _machine_of(line: str) -> str | None:
    return next((r for f in FORMS if (r := f.to_machine(line)) is not None), None)


def is_reference(line: str) -> bool:
    """A bot reference line: a machine line (with or without its data part) or a document number."""
    line = line.strip()
    return _REFERENCE_LINE.fullmatch(line) is not None or _machine_of(line) is not None


def reference_line(ref: str, **data: str) -> str:
    """The line ``text`` ends with for ``ref``: its document number, or the machine line with ``data``
    (``hoshu-bot:quote-data:ACME-5:1;w=8;r=12``, values percent-encoded so that any login fits).

    Data never goes on a customer-visible line: asking for it is a programming error.
    """
    if _REFERENCE.fullmatch(ref) is None:
        msg = f"not a bot reference: {ref!r}"
        raise ValueError(msg)
    visible = shown(ref)
    if visible is not None:
        if data:
            msg = f"data on a customer-visible reference: {ref}"
            raise ValueError(msg)
        return visible
    return ref + "".join(f";{k}={quote(v, safe='.-_~+')}" for k, v in data.items())


@dataclass(frozen=True)
class _Line:
    ref: str  # the machine reference, without data
    line: str  # the line as written
    data: str  # ";h=12;..." or ""


def _parse(line: str) -> _Line | None:
    line = line.strip()
    m = _REFERENCE_LINE.fullmatch(line)
    if m is not None:
        return _Line(m.group("ref"), line, m.group("data"))
    ref = _machine_of(line)
    return None if ref is None else _Line(ref, line, "")


def _last_line(text: str) -> _Line | None:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return _parse(lines[-1]) if lines else None


def with_reference(text: str, ref: str) -> str:
    """``text`` with the line for ``ref`` last (replacing a reference line already there).

    ``ref`` may be a machine line with data (staff-only references); a plain ``ref`` keeps the data of
    a last line with the same reference, so a body prepared with its data goes through the writer
    unchanged. A customer-visible ``ref`` becomes its document number.
    """
    m = _REFERENCE_LINE.fullmatch(ref.strip())
    if m is None:
        msg = f"not a bot reference: {ref!r}"
        raise ValueError(msg)
    last = _last_line(text)
    line = reference_line(m.group("ref")) if not m.group("data") else ref.strip()
    if shown(m.group("ref")) is not None and m.group("data"):
        msg = f"data on a customer-visible reference: {m.group('ref')}"
        raise ValueError(msg)
    if last is not None and not m.group("data") and last.ref == m.group("ref") and last.data:
        line = last.line
    body = strip_reference(text).rstrip()
    return f"{body}\n\n{line}" if body else line


def find_reference(text: str) -> str | None:
    """The machine reference of the last non-empty line of ``text`` (a document number translated
    back; a machine line without its data part), or None."""
    last = _last_line(text)
    return last.ref if last is not None else None


def carries_reference(text: str, ref: str) -> bool:
    """Whether ``text`` is the write ``ref``: its last line is the reference (machine or shown).

    Older texts may carry a machine line above a later edit, so a machine line counts on any line.
    """
    last = _last_line(text)
    if last is not None and last.ref == ref:
        return True
    for line in text.splitlines():
        m = _REFERENCE_LINE.fullmatch(line.strip())
        if m is not None and m.group("ref") == ref:
            return True
    return False


def reference_data(text: str) -> dict[str, str] | None:
    """The data part of the last line's reference (``{"h": "12", ...}``), or None if there is none."""
    last = _last_line(text)
    if last is None or not last.data:
        return None
    pairs = (item.split("=", 1) for item in last.data[1:].split(";"))
    return {k: unquote(v) for k, v in pairs}


def full_reference(text: str) -> str | None:
    """The last line as written, when it is a reference line."""
    last = _last_line(text)
    return last.line if last is not None else None


def strip_reference(text: str) -> str:
    ref = full_reference(text)
    if ref is None:
        return text
    return text.rstrip()[: text.rstrip().rfind(ref)]
