"""Estimate checks: minimum hours per kind of work (E1-E11), the 12 h task cap (O7), 0.5 h steps (H10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from bot.errors import UsageError
from bot.rules.figures import hours_figure
from bot.rules.findings import Finding


def split_task(hours: Decimal, max_hours: Decimal, step: Decimal = Decimal("0.5")) -> tuple[Decimal, ...]:
    """O7: a request over ``max_hours`` as the fewest jobs of at most ``max_hours`` each, as even as the
    ``step`` allows (12.5 h -> 6.5 + 6; 25 h -> 8.5 + 8.5 + 8), larger parts first."""
    if hours <= max_hours:
        return (hours,)
    count = int((hours / max_hours).to_integral_value(rounding=ROUND_CEILING))
    steps = int((hours / step).to_integral_value(rounding=ROUND_CEILING))
    base, extra = divmod(steps, count)
    return tuple((base + (1 if i < extra else 0)) * step for i in range(count))


def task_cap_finding(hours: Decimal, max_hours: Decimal, step: Decimal = Decimal("0.5")) -> Finding:
    """O7 ("1作業12時間以内でお受けいたします"): the request is not one job; the finding proposes a split."""
    parts = split_task(hours, max_hours, step)
    plan = " + ".join(f"{hours_figure(p)}時間" for p in parts)
    return Finding(
        "O7",
        f"1作業は{hours_figure(max_hours)}時間以内でお受けしています（{hours_figure(hours)}時間）。"
        f"{len(parts)}つの作業（{plan}）に分けてのお見積りをご提案します。",
        case="task_cap",
        values=(("max_hours", hours_figure(max_hours)), ("hours", hours_figure(hours)),
                ("jobs", str(len(parts))), ("plan", plan)),
    )


def consumed_cap_finding(worked: Decimal, consumed: Decimal, max_hours: Decimal,
                         step: Decimal = Decimal("0.5")) -> Finding:
    """O7 as decided on 2026-12-03: the cap is on the hours *consumed*, after the T7 multipliers (the
    brochure states it under the table of consumed hours). A 5 h Saturday job consumes 15 h and is over
    the 12 h cap although 5 h of work is not: the finding proposes a split of the consumed hours, or the
    same work on a weekday within business hours, where it consumes what it takes."""
    parts = split_task(consumed, max_hours, step)
    plan = " + ".join(f"{hours_figure(p)}時間" for p in parts)
    cap, work, used = hours_figure(max_hours), hours_figure(worked), hours_figure(consumed)
    return Finding(
        "O7",
        f"1作業は割増後の消化時間で{cap}時間以内でお受けしています（作業{work}時間、割増後{used}時間）。"
        f"{len(parts)}つの作業（消化 {plan}）に分けるか、平日の営業時間内の作業（消化{work}時間）を"
        "ご提案します。",
        case="task_cap_consumed",
        values=(("max_hours", cap), ("hours", used), ("worked", work), ("jobs", str(len(parts))),
                ("plan", plan)),
    )


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
                minimum, asked = hours_figure(k.minimum), hours_figure(hours)
                found.append(Finding(
                    k.id, f"{k.label}の最低工数は{minimum}時間です（見積 {asked}時間）。",
                    case="below_minimum", values=(("label", k.label), ("minimum", minimum), ("hours", asked)),
                ))
        if hours > self.max_task_hours:
            found.append(task_cap_finding(hours, self.max_task_hours, self.step))
        if hours % self.step != 0:
            step, asked = hours_figure(self.step), hours_figure(hours)
            found.append(Finding(
                "H10", f"工数は{step}時間単位で数えます（見積 {asked}時間）。",
                case="step", values=(("step", step), ("hours", asked)),
            ))
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
