"""Contract-chain checks: plan sizes (H1, H2), months per kind, no gap or overlap, bridges (H2)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.errors import UsageError
from bot.hour_tracker import Contract, Purchase, quarter_at
from bot.rules.figures import hours_figure


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: ``field`` is relative to the customer (``contract[1].start``)."""

    field: str
    problem: str


@dataclass(frozen=True)
class PlanSizes:
    """The plan sizes the price tables allow (H1, H2)."""

    annual: Collection[Decimal]
    bridge: Collection[Decimal]
    custom_min_hours: Decimal = Decimal(100)
    bridge_max_months: int = 6


def _sizes(values: Collection[Decimal]) -> str:
    return "/".join(hours_figure(v) for v in sorted(values))


def contract_problems(
    contracts: Sequence[Contract], purchases: Sequence[Purchase], plans: PlanSizes
) -> tuple[Problem, ...]:
    """Every problem of one customer's contracts and purchases, in file order.

    H1: annual hours are a table size or at least ``custom_min_hours`` (a price only for those), 12
    months. H2: bridge hours are a table size, 3 or 6 months, at most 6 months in all, only before the
    first annual contract and followed by one. H3: each contract starts exactly where the previous
    one ends. H6: a purchase lies within a contract.
    """
    found: list[Problem] = []
    bridge_months = 0
    seen_annual = False
    for i, c in enumerate(contracts):
        at = f"contract[{i}]"
        if c.kind == "annual":
            seen_annual = True
            found.extend(_annual(at, c, plans))
        else:
            bridge_months += c.months
            found.extend(_bridge(at, c, plans, seen_annual=seen_annual, months_so_far=bridge_months))
            if i == len(contracts) - 1:
                msg = "a bridge plan must be followed by an annual contract (rule H2)"
                found.append(Problem(f"{at}.kind", msg))
        if i > 0:
            prev = contracts[i - 1]
            if c.start != prev.end:
                what = "a gap" if c.start > prev.end else "an overlap"
                found.append(Problem(f"{at}.start", (
                    f"must start on {prev.end.isoformat()} where contract[{i - 1}] ends ({what}, rule H3)"
                )))
    for j, p in enumerate(purchases):
        try:
            quarter_at(contracts, p.date)
        except UsageError:
            found.append(Problem(f"purchase[{j}].date", f"{p.date.isoformat()} is not within any contract"))
    return tuple(found)


def _annual(at: str, c: Contract, plans: PlanSizes) -> list[Problem]:
    """H1: a table size or a custom plan (>= custom_min_hours, may carry a price); 12 months."""
    found: list[Problem] = []
    custom = c.hours >= plans.custom_min_hours
    if c.hours not in plans.annual and not custom:
        found.append(Problem(f"{at}.hours", (
            f"unknown annual plan {c.hours} h (rule H1: {_sizes(plans.annual)}, "
            f"or {plans.custom_min_hours} h and more)"
        )))
    if c.months != 12:
        found.append(Problem(f"{at}.months", f"an annual contract lasts 12 months, got {c.months}"))
    if c.price is not None and not custom:
        found.append(Problem(f"{at}.price", "a price is set only for custom plans (rule H1)"))
    return found


def _bridge(
    at: str, c: Contract, plans: PlanSizes, *, seen_annual: bool, months_so_far: int
) -> list[Problem]:
    """H2: a table size, 3 or 6 months, first year only, at most ``bridge_max_months`` in all."""
    found: list[Problem] = []
    if c.hours not in plans.bridge:
        found.append(Problem(f"{at}.hours", (
            f"unknown bridge plan {c.hours} h per 3 months (rule H2: {_sizes(plans.bridge)})"
        )))
    if c.months not in (3, 6):
        found.append(Problem(f"{at}.months", f"a bridge contract lasts 3 or 6 months, got {c.months}"))
    if seen_annual:
        found.append(Problem(f"{at}.kind", "a bridge plan is only for the first year (rule H2)"))
    if months_so_far > plans.bridge_max_months:
        found.append(Problem(f"{at}.months", (
            f"bridge plans last at most {plans.bridge_max_months} months in all (rule H2)"
        )))
    return found
