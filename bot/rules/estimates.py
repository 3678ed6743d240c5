"""Estimate checks: minimum hours per kind of work (E1-E11), the 12 h task cap (O7), 0.5 h steps (H10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.errors import UsageError
from bot.rules.findings import Finding


@dataclass(frozen=True)
class EstimateKind:
    """One row of the brochure's estimate table: an ID (``E1``), a Japanese label and the minimum."""

    id: str
    label: str
    minimum: Decimal


@dataclass(frozen=True)
class EstimateTable:
    """The estimate table with the task cap (O7) and the counting step (H10 Reading)."""

    kinds: tuple[EstimateKind, ...]
    max_task_hours: Decimal = Decimal(12)
    step: Decimal = Decimal("0.5")

    def kind(self, kind_id: str) -> EstimateKind:
        """The row ``kind_id``; UsageError naming the known IDs when there is none."""
        for k in self.kinds:
            if k.id == kind_id:
                return k
        known = ", ".join(k.id for k in self.kinds)
        msg = f"unknown estimate kind {kind_id!r} (known: {known})"
        raise UsageError(msg)

    def minimum_for(self, kind_id: str) -> Decimal:
        """E1-E11: the minimum hours of that kind of work (an estimate is at least this)."""
        return self.kind(kind_id).minimum

    def check_estimate(self, hours: Decimal, kind_id: str | None = None) -> tuple[Finding, ...]:
        """Everything wrong with an estimate: below its E minimum, over 12 h (O7), not a 0.5 h step (H10)."""
        found: list[Finding] = []
        if kind_id is not None:
            k = self.kind(kind_id)
            if hours < k.minimum:
                found.append(Finding(k.id, f"{k.label}の最低工数は{k.minimum}時間です（見積 {hours}時間）。"))
        if hours > self.max_task_hours:
            found.append(Finding("O7", f"1作業は{self.max_task_hours}時間までです（見積 {hours}時間）。"))
        if hours % self.step != 0:
            found.append(Finding("H10", f"工数は{self.step}時間単位で数えます（見積 {hours}時間）。"))
        return tuple(found)


def minimum_for(kind_id: str, table: EstimateTable) -> Decimal:
    """Module-level form of :meth:`EstimateTable.minimum_for`."""
    return table.minimum_for(kind_id)


def check_estimate(hours: Decimal, kind_id: str | None, table: EstimateTable) -> tuple[Finding, ...]:
    """Module-level form of :meth:`EstimateTable.check_estimate`."""
    return table.check_estimate(hours, kind_id)


def table_from(kinds: Sequence[EstimateKind], max_task_hours: Decimal, step: Decimal) -> EstimateTable:
    """Build a table from configuration rows."""
    return EstimateTable(tuple(kinds), max_task_hours, step)
