"""Which category of work (C1-C8) an inquiry looks like, and whether that category consumes hours."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Consumes = Literal["yes", "no", "c1", "fix-only"]


@dataclass(frozen=True)
class Category:
    """A category of the service table. ``consumes``: ``yes``/``no``; ``c1`` = only if maintenance is
    asked to answer (flat 0.5 h, C1); ``fix-only`` = triage free, the fix consumes (C8, M3).
    """

    id: str
    label: str
    consumes: Consumes
    plain_support: bool
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suspicion:
    """A category the text suggests, with the words that matched (for staff, never a decision)."""

    category: Category
    matched: tuple[str, ...]


def normalise(text: str) -> str:
    """NFKC and lower case, so that full-width ``ＳＭＰ`` and half-width ｶﾀｶﾅ match the patterns."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(normalise(pattern))


def matches(text: str, patterns: Sequence[str]) -> tuple[str, ...]:
    """The matched fragments of ``text`` (normalised) for each pattern that matches, in pattern order."""
    norm = normalise(text)
    found: list[str] = []
    for p in patterns:
        m = _compiled(p).search(norm)
        if m is not None:
            found.append(m.group(0))
    return tuple(found)


def suspect_categories(text: str, categories: Sequence[Category]) -> tuple[Suspicion, ...]:
    """Categories whose keyword patterns match ``text``, most matches first (ties: table order)."""
    hits = [Suspicion(c, m) for c in categories if (m := matches(text, c.patterns))]
    return tuple(sorted(hits, key=lambda s: -len(s.matched)))


def consumes_hours(category: Category, *, maintenance_answers: bool = False, is_fix: bool = False) -> bool:
    """The "consumes hours" column: C2 and C7 never; C1 only when the customer wants maintenance to
    answer (0.5 h); C8 triage never, the fix yes (M3).
    """
    if category.consumes == "c1":
        return maintenance_answers
    if category.consumes == "fix-only":
        return is_fix
    return category.consumes == "yes"
