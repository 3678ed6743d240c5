"""``customers.toml`` and the rule tables (``estimates``, ``categories``, ``scope``): strict models and
the checks pydantic cannot see (unique keys, plan sizes, the contract chain H1-H3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from bot.config.fields import STRICT, PosNum, Text
from bot.config.service import ServiceConfig
from bot.config.users import UserEntry
from bot.errors import ConfigError
from bot.hour_tracker import Contract, Purchase
from bot.rules.categories import Category, Consumes
from bot.rules.contracts import PlanSizes, contract_problems
from bot.rules.estimates import EstimateKind
from bot.rules.scope import ScopeRule


class ContractModel(BaseModel):
    """``[[customer.contract]]``; plan sizes and the chain are checked against ``service.toml`` later."""

    model_config = STRICT
    kind: Literal["annual", "bridge"]
    start: date
    hours: PosNum
    months: int = Field(gt=0, le=120)
    price: int | None = Field(None, gt=0)


class PurchaseModel(BaseModel):
    """``[[customer.purchase]]``: H6 whole hours, more than zero."""

    model_config = STRICT
    date: date
    hours: PosNum

    @field_validator("hours")
    @classmethod
    def _whole(cls, v: PosNum) -> PosNum:
        if v != v.to_integral_value():
            msg = f"spot hours are bought in whole hours (rule H6), got {v}"
            raise ValueError(msg)
        return v


class CustomerModel(BaseModel):
    """``[[customer]]`` exactly as INTERFACE.md shows it."""

    model_config = STRICT
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: Text
    monitoring: bool = False
    alert_senders: tuple[Text, ...] = ()
    alert_keys: tuple[Text, ...] = ()
    inquirers: tuple[UserEntry, ...] = ()  # a login, a mail address or id:123 (issue 18)
    contract: tuple[ContractModel, ...] = Field(min_length=1)
    purchase: tuple[PurchaseModel, ...] = ()


class CustomersFile(BaseModel):
    """The whole ``customers.toml``."""

    model_config = STRICT
    customer: tuple[CustomerModel, ...] = Field(min_length=1)


class EstimateKindModel(BaseModel):
    """``[[kind]]`` of ``estimates.toml`` (E1-E11)."""

    model_config = STRICT
    id: str = Field(pattern=r"^E\d+$")
    label: Text
    minimum: PosNum


class EstimatesFile(BaseModel):
    """The whole ``estimates.toml``."""

    model_config = STRICT
    kind: tuple[EstimateKindModel, ...] = Field(min_length=1)

    def kinds(self) -> tuple[EstimateKind, ...]:
        """The rows as the rule's value objects."""
        return tuple(EstimateKind(k.id, k.label, k.minimum) for k in self.kind)


class CategoryModel(BaseModel):
    """``[[category]]`` of ``categories.toml`` (C1-C8)."""

    model_config = STRICT
    id: str = Field(pattern=r"^C\d+$")
    label: Text
    consumes: Consumes
    plain_support: bool
    patterns: tuple[Text, ...] = ()


class CategoriesFile(BaseModel):
    """The whole ``categories.toml``."""

    model_config = STRICT
    category: tuple[CategoryModel, ...] = Field(min_length=1)

    def categories(self) -> tuple[Category, ...]:
        """The rows as the rule's value objects."""
        return tuple(Category(c.id, c.label, c.consumes, c.plain_support, c.patterns) for c in self.category)


class ScopeRuleModel(BaseModel):
    """``[[rule]]`` of ``scope.toml`` (O1-O7)."""

    model_config = STRICT
    id: str = Field(pattern=r"^O\d+$")
    label: Text
    patterns: tuple[Text, ...] = Field(min_length=1)
    channel: Text
    explanation: Text


class ScopeFile(BaseModel):
    """The whole ``scope.toml``."""

    model_config = STRICT
    rule: tuple[ScopeRuleModel, ...] = Field(min_length=1)

    def rules(self) -> tuple[ScopeRule, ...]:
        """The rows as the rule's value objects."""
        return tuple(ScopeRule(r.id, r.label, r.patterns, r.channel, r.explanation) for r in self.rule)


def check_customers(path: Path, data: CustomersFile, service: ServiceConfig) -> None:
    """Cross-field rules pydantic cannot see: unique keys, plan sizes and the contract chain (H1-H3)."""
    plans = PlanSizes(
        annual=frozenset(p.hours for p in service.plans.annual),
        bridge=frozenset(p.hours for p in service.plans.bridge),
        custom_min_hours=service.plans.custom_min_hours,
        bridge_max_months=service.plans.bridge_max_months,
    )
    projects: dict[str, int] = {}
    keys: dict[str, int] = {}
    for i, c in enumerate(data.customer):
        if c.project in projects:
            msg = f"duplicate project key {c.project!r} (also customer[{projects[c.project]}])"
            raise ConfigError(str(path), f"customer[{i}].project", msg)
        if c.project == service.staff.project:
            msg = f"{c.project!r} is the staff project (service.toml staff.project), not a customer"
            raise ConfigError(str(path), f"customer[{i}].project", msg)
        projects[c.project] = i
        for j, key in enumerate(c.alert_keys):
            if key in keys and keys[key] != i:
                msg = f"alert key {key!r} also belongs to customer[{keys[key]}]"
                raise ConfigError(str(path), f"customer[{i}].alert_keys[{j}]", msg)
            keys[key] = i
        contracts = [Contract(k.kind, k.start, k.hours, k.months, k.price) for k in c.contract]
        purchases = [Purchase(p.date, p.hours) for p in c.purchase]
        problems = contract_problems(contracts, purchases, plans)
        if problems:
            raise ConfigError(str(path), f"customer[{i}].{problems[0].field}", problems[0].problem)
