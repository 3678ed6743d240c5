"""A finding: one rule that applies to a case, with the reason in words a person can read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A rule (ID from SERVICE_RULES.md, e.g. ``O7``) that applies, why, and optional extra detail.

    ``case`` names which wording of the rule applies (``T6`` has two) and ``values`` carry its figures, so a
    customer text can word the finding in its own template (issue 15); ``reason`` is the staff/CLI wording.
    """

    rule: str
    reason: str
    detail: str | None = None
    case: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def words(self) -> dict[str, str]:
        """What a template needs: ``rule``, ``case``, ``reason`` and every value by its name."""
        return {"rule": self.rule, "case": self.case, "reason": self.reason, **dict(self.values)}
