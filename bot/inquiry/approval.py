"""The customer's answer to a quote: approval (flow ⑥, H8), rejection, or neither."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bot.hour_tracker import Balance, round_up

__all__ = [
    "DEFAULT_APPROVAL_WORDS",
    "DEFAULT_REJECTION_WORDS",
    "Approval",
    "ConsumeNow",
    "HoldForPurchase",
    "NoEstimate",
    "Rejection",
    "classify_reply",
    "decide_approval",
    "first_own_line",
]

DEFAULT_APPROVAL_WORDS: tuple[str, ...] = ("承認",)
DEFAULT_REJECTION_WORDS: tuple[str, ...] = ("却下",)

# Quote marks and brackets a customer may wrap the word in: 「承認」, "承認", 【承認】.
_QUOTES = "\"'`「」『』【】〔〕［］()（）<>＜＞“”‘’«»*_~"
# A word followed by one of these is not an answer: 「承認しません」 refuses it, 「承認の前に質問です」 and
# 「承認について」 talk about it. Either way no hours may be consumed on it.
_NOT_AN_ANSWER = (
    "しない",
    "しません",
    "できない",
    "できません",
    "不可",
    "しかね",
    "いたしません",
    "致しません",
    "前",
    "の前",
    "について",
    "に関して",
    "?",
    "？",
)
_BACKLOG_QUOTE = re.compile(r"\{quote\}.*?\{/quote\}", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Approval:
    """The customer confirmed the quote (flow ⑥); hours are consumed in this quarter (H8)."""

    word: str


@dataclass(frozen=True)
class Rejection:
    """The customer declined the quote; nothing is consumed."""

    word: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def first_own_line(text: str) -> str:
    """The first non-blank line the author wrote themself: `>` quotes (markdown and Backlog notation) and
    `{quote}...{/quote}` blocks are skipped, leading blanks and quote marks stripped, NFKC applied.
    """
    text = _BACKLOG_QUOTE.sub("", _fold(text))
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(">"):
            continue
        return line.lstrip(_QUOTES + " \t\u3000").strip()
    return ""


def _starts_with(line: str, words: Iterable[str]) -> str | None:
    """The longest configured word the line starts with, unless a negation follows it."""
    for word in sorted((_fold(w).strip() for w in words), key=len, reverse=True):
        if word and line.casefold().startswith(word.casefold()):
            rest = line[len(word) :].lstrip(_QUOTES + " \t\u3000")
            if rest.startswith(_NOT_AN_ANSWER):
                return None
            return word
    return None


def classify_reply(
    text: str,
    approval_words: Iterable[str] = DEFAULT_APPROVAL_WORDS,
    rejection_words: Iterable[str] = DEFAULT_REJECTION_WORDS,
) -> Approval | Rejection | None:
    """Classify a customer comment on a quoted issue (flow ⑥).

    A comment approves when its first own line STARTS with an approval word (default 承認) and rejects when
    it starts with a rejection word (default 却下), after NFKC and stripping blanks and quote marks.
    A word anywhere else ("ご承認いただく前に"), quoted `>` lines, and a word followed by a negation or a
    question ("承認しません", "承認の前に質問です", "承認?") are not answers. When both lists match, the
    longer word wins; a tie counts as neither (a person should read it).
    """
    line = first_own_line(text)
    if not line:
        return None
    yes = _starts_with(line, approval_words)
    no = _starts_with(line, rejection_words)
    if yes and no:
        if len(yes) == len(no):
            return None
        return Approval(yes) if len(yes) > len(no) else Rejection(no)
    if yes:
        return Approval(yes)
    if no:
        return Rejection(no)
    return None


@dataclass(frozen=True)
class ConsumeNow:
    """H8: consume ``hours`` now, in the quarter of the approval; ``remaining_after`` is the new balance."""

    hours: Decimal
    remaining_after: Decimal


@dataclass(frozen=True)
class HoldForPurchase:
    """H6/H7: the quarter lacks hours; hold the approval until staff record ``purchase_needed`` hours."""

    hours: Decimal
    left: Decimal
    purchase_needed: Decimal
    price: int


@dataclass(frozen=True)
class NoEstimate:
    """An approval before any quote (flow ⑤ not done): explain, consume nothing."""


def decide_approval(
    quoted: Decimal | None,
    balance: Balance,
    *,
    spot_price: int = 15_000,
    purchase_unit: Decimal = Decimal(1),
) -> ConsumeNow | HoldForPurchase | NoEstimate:
    """What an approval does (flow ⑥-⑦).

    ``quoted`` is the consumed hours of the quote on the issue (after T7 multipliers), or None when no
    quote was sent. ``balance`` must be the balance of the quarter containing the approval (H8), with
    every purchase recorded so far, so a held approval is re-decided after `/bot purchase`.
    The shortfall is bought in whole hours, rounded up (H7), at ``spot_price`` per hour (H6).
    """
    if quoted is None:
        return NoEstimate()
    left = balance.remaining
    if quoted <= left:
        return ConsumeNow(quoted, left - quoted)
    needed = round_up(quoted - max(left, Decimal(0)), purchase_unit)
    return HoldForPurchase(quoted, left, needed, int(needed * spot_price))
