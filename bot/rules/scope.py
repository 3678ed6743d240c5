"""Out-of-scope suspicion (O1-O7): which rule, which words, the right channel and a polite answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.rules.categories import matches


@dataclass(frozen=True)
class ScopeRule:
    """One out-of-scope rule with its keyword regexes, the right channel and a ready-to-send text."""

    id: str
    label: str
    patterns: tuple[str, ...]
    channel: str
    explanation: str


@dataclass(frozen=True)
class ScopeFinding:
    """A suspected out-of-scope request: staff confirm before anything is sent to the customer."""

    rule: str
    reason: str
    channel: str
    explanation: str
    matched: tuple[str, ...]


def suspect_out_of_scope(text: str, rules: Sequence[ScopeRule]) -> tuple[ScopeFinding, ...]:
    """O1-O7: every rule whose patterns match ``text`` (NFKC-normalised), in rule order."""
    found: list[ScopeFinding] = []
    for r in rules:
        hit = matches(text, r.patterns)
        if hit:
            reason = f"{r.label}: 「{'」「'.join(hit)}」"
            found.append(ScopeFinding(r.id, reason, r.channel, r.explanation, hit))
    return tuple(found)
