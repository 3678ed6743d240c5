"""The customer's answer to a quote, read by an allow-list (flow ⑥, H8; issue 18).

An answer is a comment whose **first sentence is one of the configured answer sentences**
(承認します。, 見送ります。 …; INTERFACE.md says the *first* sentence, so even a greeting before
it makes the reply a matter for staff), followed by nothing but configured courtesies
(よろしくお願いいたします。 …), with no marker anywhere of a refusal, a delay, a question or a
condition (ただし, まで, 確認, できかね, ？ …) and no quoted text. Natural Japanese refuses with
the same opening word as it approves (「承認いたしかねます」), so no prefix, keyword or negation
list can tell them apart; an exact sentence can.

Everything else that mentions an answer word (承認, 見送, 却下 …) on a quoted issue is :class:`Unclear`:
nothing moves, the customer is not answered, and staff get one note with the reply and the two commands
that record the answer for the customer (``/bot approve``, ``/bot decline``). Pure: text in, reading out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["AnswerGrammar", "Approval", "Decline", "Unclear", "canonical", "read_answer", "sentences"]


@dataclass(frozen=True)
class Approval:
    """The customer approved the quote with ``sentence`` (flow ⑥): its hours are consumed (H8)."""

    sentence: str


@dataclass(frozen=True)
class Decline:
    """The customer declined the quote (見送り) with ``sentence``: nothing is consumed."""

    sentence: str


@dataclass(frozen=True)
class Unclear:
    """A reply that speaks of the answer but is not one; ``reason`` says why, for staff."""

    reason: str


# Sentence ends: 。 and ！ close a sentence; a line break does too (customers often omit the 。).
_END = re.compile(r"(?<=[。!])|\n")
# Removed before comparing: blanks (NFKC turns the ideographic space into a space), commas and the
# sentence end itself, so 「承認します」「承認します。」「承認 します！」 are one sentence.
_NOISE = re.compile(r"[\s、,。!]+")
_QUOTE_BLOCK = re.compile(r"\{quote\}", re.IGNORECASE)


def fold(text: str) -> str:
    """NFKC: full-width ＡＢＣ and ？, half-width ｶﾅ and ｡ read as their usual forms."""
    return unicodedata.normalize("NFKC", text)


def canonical(sentence: str) -> str:
    """A sentence as compared: NFKC, without blanks, commas or its end mark, case folded."""
    return _NOISE.sub("", fold(sentence)).casefold()


def sentences(text: str) -> list[str]:
    """The non-blank sentences of ``text`` in order (after NFKC)."""
    return [s.strip() for s in _END.split(fold(text)) if s and s.strip()]


@dataclass(frozen=True)
class AnswerGrammar:
    """The allow-list (service.toml ``[workflow]``): what an answer is, and what makes one unclear.

    ``approvals`` / ``declines``: the exact first sentences; ``courtesies``: the sentences that may follow;
    ``markers``: anything that refuses, delays, asks or sets a condition, anywhere in the comment;
    ``mentions``: the words that make a non-answer worth a staff note.
    """

    approvals: tuple[str, ...]
    declines: tuple[str, ...]
    courtesies: tuple[str, ...]
    markers: tuple[str, ...]
    mentions: tuple[str, ...]

    def problems(self) -> list[str]:
        """What makes the grammar unusable (a configuration error): an answer sentence containing a
        marker would make every such reply unclear; one sentence both approving and declining."""
        out = []
        for group, items in (("approval_sentences", self.approvals), ("decline_sentences", self.declines),
                             ("courtesies", self.courtesies)):
            for item in items:
                hit = next((m for m in self.markers if fold(m).casefold() in fold(item).casefold()), None)
                if hit is not None:
                    out.append(f"{group}: 「{item}」 contains the marker 「{hit}」 (from not_an_answer)")
                if not canonical(item):
                    out.append(f"{group}: an empty sentence")
        both = {canonical(a) for a in self.approvals} & {canonical(d) for d in self.declines}
        out.extend(f"「{s}」 is both an approval and a decline sentence" for s in sorted(both))
        return out

    def mentioned(self, text: str) -> bool:
        """True when the comment speaks of an answer at all (承認, 見送, 却下 …); a word in Latin letters
        (``OK``) counts as a whole word only, so 「Tokyo」 does not mention it."""
        folded = fold(text).casefold()
        for m in (fold(m).casefold() for m in self.mentions):
            if m.isascii() and m.isalnum():
                if re.search(rf"(?<![a-z0-9]){re.escape(m)}(?![a-z0-9])", folded):
                    return True
            elif m in folded:
                return True
        return False


def _quoted(text: str) -> bool:
    """A ``>`` line (markdown and Backlog notation) or a ``{quote}`` block: the customer quotes someone."""
    return bool(_QUOTE_BLOCK.search(text)) or any(
        line.lstrip().startswith(">") for line in fold(text).splitlines()
    )


def read_answer(text: str, grammar: AnswerGrammar) -> Approval | Decline | Unclear | None:
    """Read one customer comment on a quoted issue (flow ⑥; issue 18 item 1).

    Approval or Decline only for an exact answer sentence first, courtesies after it, no marker and no
    quote anywhere. Unclear for any other comment that mentions an answer word or begins like an answer;
    None for a comment that does not speak of the answer at all (an ordinary question).
    """
    courtesies = {canonical(c) for c in grammar.courtesies}
    said = sentences(text)
    if not said:
        return None
    first = canonical(said[0])
    answer: Approval | Decline | None = None
    if first in {canonical(a) for a in grammar.approvals}:
        answer = Approval(said[0])
    elif first in {canonical(d) for d in grammar.declines}:
        answer = Decline(said[0])
    if answer is None:
        return Unclear("最初の文が、承認・見送りの定型文ではありません") if grammar.mentioned(text) else None
    folded = fold(text).casefold()
    marker = next((m for m in grammar.markers if fold(m).casefold() in folded), None)
    if marker is not None:
        return Unclear(f"「{fold(marker)}」を含むため、条件・保留・ご質問の可能性があります")
    if _quoted(text):
        return Unclear("引用を含むため、どの文がお客様のご回答か判断できません")
    extra = next((s for s in said[1:] if canonical(s) not in courtesies), None)
    if extra is not None:
        return Unclear(f"定型文のあとに「{extra[:40]}」と書かれています")
    return answer
