"""A finding: one rule that applies to a case, with the reason in words a person can read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A rule (ID from SERVICE_RULES.md, e.g. ``O7``) that applies, why, and optional extra detail."""

    rule: str
    reason: str
    detail: str | None = None
