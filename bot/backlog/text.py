"""Safe text for Backlog: 4-byte replacement, limits, mentions, escaping, rendering (the reference line
itself: ``bot.backlog.refs``).

INTERFACE "What the bot writes": every text carries a last reference line (a document number such as
``受付番号：ACME-12`` where customers read, the machine line ``hoshu-bot:staff:ACME-12`` for staff), is
rendered for the project's ``textFormattingRule``, has no 4-byte characters, fits Backlog's limits and
never contains unescaped mentions from mail. Comments and wiki pages are rendered only through
``render``; every text in a ``Doc`` is treated as untrusted and escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from bot.backlog.refs import full_reference, strip_reference, with_reference

Rule = Literal["markdown", "backlog"]

# Backlog limits (reference §11.2); the wiki limit is unconfirmed, so the description limit is used.
SUMMARY_MAX = 255
DESCRIPTION_MAX = 100_000
COMMENT_MAX = 50_000
WIKI_MAX = 100_000

# 〓 (geta mark, U+3013) is the customary Japanese "character could not be shown" sign and is 3 bytes
# in UTF-8; chosen over U+FFFD, which renders as an anonymous box or diamond (reference §11.1).
REPLACEMENT = "〓"
TRUNCATION_NOTE = "（文字数の上限を超えたため、以降は省略しました）"
SHORT_TRUNCATION_NOTE = "…"

_NON_BMP_OR_SURROGATE = re.compile("[\U00010000-\U0010ffff\ud800-\udfff]")
_MENTION = re.compile(r"<@")
_FORGED_REFERENCE = re.compile(r"hoshu-bot:", re.IGNORECASE)


def replace_4byte(text: str) -> str:
    """Replace every code point above U+FFFF (emoji; 4 bytes in UTF-8) and lone surrogates by 〓."""
    return _NON_BMP_OR_SURROGATE.sub(REPLACEMENT, text)


def neutralise_mentions(text: str) -> str:
    """``<@U123>``, ``<@T1>``, ``<@project>`` → ``＜@U123>``...: a full-width ``＜`` is no mention in
    Backlog, is no HTML in markdown and is plain text in Backlog notation, and stays readable."""
    return _MENTION.sub("＜@", text)


def neutralise_references(text: str) -> str:
    """Untrusted text must not forge a bot reference line: ``hoshu-bot:`` becomes ``hoshu-bot：``."""
    return _FORGED_REFERENCE.sub(lambda m: m.group(0)[:-1] + "：", text)


def untrusted(text: str) -> str:
    """The cleaning every piece of foreign text (mail, customer comments) gets before it is written."""
    return neutralise_references(neutralise_mentions(replace_4byte(text)))


def truncate(text: str, limit: int) -> str:
    """Fit ``text`` into ``limit`` characters with a visible note, keeping the reference line whole.

    Limits of 1000 and more get the Japanese note ``TRUNCATION_NOTE``; shorter ones (summaries) end in ``…``.
    """
    if len(text) <= limit:
        return text
    ref = full_reference(text)
    body = strip_reference(text).rstrip() if ref else text
    tail = f"\n\n{ref}" if ref else ""
    note = f"\n\n{TRUNCATION_NOTE}" if limit >= 1000 else SHORT_TRUNCATION_NOTE
    room = limit - len(note) - len(tail)
    if room < 0:
        msg = f"limit {limit} leaves no room for the reference line"
        raise ValueError(msg)
    return body[:room].rstrip() + note + tail


def fit_summary(text: str) -> str:
    """A summary: one line, 4-byte-free, at most 255 characters."""
    return truncate(replace_4byte(" ".join(text.split())), SUMMARY_MAX)


def fit(text: str, limit: int) -> str:
    """A rendered body made safe to send: 4-byte-free and within ``limit`` (description, comment, wiki)."""
    return truncate(replace_4byte(text), limit)


# --- escaping -----------------------------------------------------------------------------------
# Inline: characters that open emphasis, code, links, HTML, tables or strikethrough anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_AMP = re.compile(r"&(?=[A-Za-z#])")  # an entity such as &lt; or &#60;
# Line start: headings, quotes, list bullets, setext underlines and ordered-list numbers.
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)](?:\s|$)))", re.MULTILINE)
_BACKLOG_LINE_START = re.compile(r"^(\s*)([*\-+|>#])", re.MULTILINE)
_BACKLOG_INLINE = {"[[": "［［", "]]": "］］", "{": "｛", "}": "｝", "''": "’’", "%%": "％％", "|": "｜"}
_BACKLOG_AMP = re.compile(r"&(?=[A-Za-z#])")
_FULLWIDTH = {"*": "＊", "-": "－", "+": "＋", "|": "｜", ">": "＞", "#": "＃"}


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Backslash-escape what could make markdown structure (GFM), and only that, so text stays readable.

    Inline openers are escaped everywhere; ``#``, ``+``, ``-``, ``=`` and list numbers only at the start
    of a line, where they alone have a meaning (``2026-11-30`` and ``(株)`` stay as they are). Text
    that follows a marker on its line (a heading, a bullet, a table cell) passes ``line_start=False``.
    """
    out = _MD_AMP.sub("\\\\&", _MD_INLINE.sub(r"\\\1", untrusted(text)))
    if not line_start:
        return out

    def mark(m: re.Match[str]) -> str:
        token = m.group(2)
        return m.group(1) + (token + "\\" if token[0].isdigit() else "\\" + token)

    return _MD_LINE_START.sub(mark, out)


def escape_backlog(text: str) -> str:
    """Backlog notation has no escape character: structural characters become full-width look-alikes."""
    out = untrusted(text)
    for raw, safe in _BACKLOG_INLINE.items():
        out = out.replace(raw, safe)
    out = _BACKLOG_AMP.sub("＆", out)
    return _BACKLOG_LINE_START.sub(lambda m: m.group(1) + _FULLWIDTH[m.group(2)], out)


def escape(text: str, rule: Rule, *, line_start: bool = True) -> str:
    return escape_markdown(text, line_start=line_start) if rule == "markdown" else escape_backlog(text)


# --- document model -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Rendered:
    """A text already rendered (and escaped) for each notation by the wording templates (issue 15)."""

    markdown: str
    backlog: str


Block = Heading | Paragraph | Bullets | Table | Code | Link | Rendered


@dataclass(frozen=True)
class Doc:
    blocks: tuple[Block, ...]

    @classmethod
    def of(cls, *blocks: Block) -> Doc:
        return cls(tuple(blocks))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_url(url: str) -> str:
    if not re.match(r"https?://", url):
        msg = f"only http(s) links are rendered: {url!r}"
        raise ValueError(msg)
    # Characters that would end the link in either notation are percent-encoded.
    return quote(replace_4byte(url), safe="/:?#@!$&'*+,;=%-._~")


def _code(text: str, rule: Rule) -> str:
    body = untrusted(text).rstrip("\n")
    if rule == "backlog":
        return "{code}\n" + re.sub(r"\{/code\}", "｛/code｝", body, flags=re.IGNORECASE) + "\n{/code}"
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{body}\n{fence}"


def _table(block: Table, rule: Rule) -> str:
    def cells(row: tuple[str, ...]) -> str:
        pad = " " if rule == "markdown" else ""
        return "|".join(f"{pad}{escape(_one_line(c), rule, line_start=False)}{pad}" for c in row)

    if rule == "backlog":
        lines = [f"|{cells(block.header)}|h"] + [f"|{cells(r)}|" for r in block.rows]
    else:
        lines = [f"|{cells(block.header)}|", "|" + "|".join(" --- " for _ in block.header) + "|"]
        lines += [f"|{cells(r)}|" for r in block.rows]
    return "\n".join(lines)


def _block(block: Block, rule: Rule) -> str:  # noqa: PLR0911 - one return per kind of block
    md = rule == "markdown"
    match block:
        case Heading(level, text):
            mark = ("#" if md else "*") * min(max(level, 1), 6)
            return f"{mark} {escape(_one_line(text), rule, line_start=False)}"
        case Paragraph(text):
            return escape(text, rule)
        case Bullets(items):
            return "\n".join(f"- {escape(_one_line(i), rule, line_start=False)}" for i in items)
        case Table():
            return _table(block, rule)
        case Code(text):
            return _code(text, rule)
        case Link():
            return _link(block, rule)
        case Rendered(markdown, backlog):
            return markdown if md else backlog
    msg = f"unknown block {block!r}"
    raise TypeError(msg)


def _link(block: Link, rule: Rule) -> str:
    if rule == "markdown":
        return f"[{escape(_one_line(block.label), rule, line_start=False)}]({_safe_url(block.url)})"
    label = escape(_one_line(block.label), rule).replace(">", "＞").replace(":", "：")
    return f"[[{label}>{_safe_url(block.url)}]]"


def render(doc: Doc, rule: Rule, *, reference: str | None = None) -> str:
    """Render ``doc`` for the project's ``textFormattingRule``; ``reference`` becomes the last line."""
    if rule not in ("markdown", "backlog"):
        msg = f"unknown textFormattingRule {rule!r}"
        raise ValueError(msg)
    text = "\n\n".join(_block(b, rule) for b in doc.blocks)
    return with_reference(text, reference) if reference else text
