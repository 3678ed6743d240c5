"""Business configuration: customers and the service (``$BOT_CONFIG_DIR/*.toml``), validated once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.configfile import validate
from bot.errors import ConfigError, UsageError
from bot.hour_tracker import Contract, Purchase, QuotePolicy
from bot.rules.calendar import BusinessCalendar, OffHours
from bot.rules.categories import Category
from bot.rules.contracts import PlanSizes, contract_problems
from bot.rules.estimates import EstimateKind, EstimateTable
from bot.rules.scope import ScopeRule

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _clock(v: str) -> time:
    if not re.fullmatch(r"\d{2}:\d{2}", v):
        msg = f"must be HH:MM, got {v!r}"
        raise ValueError(msg)
    return time.fromisoformat(v)


class BusinessHours(BaseModel):
    """T1/T2: opening hours and the length of a business day."""

    model_config = _FROZEN
    timezone: str = "Asia/Tokyo"
    opening: str = "10:00"
    closing: str = "18:00"
    hours_per_business_day: Decimal = Decimal(8)

    @field_validator("opening", "closing")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        _clock(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {v!r}"
            raise ValueError(msg) from None
        return v


class Holidays(BaseModel):
    """T1: company holidays (recurring ``MM-DD`` and explicit dates) and the verified holiday range."""

    model_config = _FROZEN
    recurring: tuple[str, ...] = ("12-29", "12-30", "12-31", "01-01", "01-02", "01-03")
    dates: tuple[date, ...] = ()
    verified_through: int = 2027

    @field_validator("recurring")
    @classmethod
    def _mmdd(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            try:
                date.fromisoformat(f"2000-{item}")  # a leap year, so 02-29 is allowed
            except ValueError:
                msg = f"{item!r} is not a MM-DD day"
                raise ValueError(msg) from None
        return v


class Sla(BaseModel):
    """T2-T4 clocks and when staff are reminded."""

    model_config = _FROZEN
    first_response_business_days: int = Field(1, ge=1)
    update_every_business_days: int = Field(1, ge=1)
    result_within_business_days: int = Field(2, ge=1)
    reminder_at: Decimal = Field(Decimal("0.75"), gt=0, lt=1)


class OffHoursModel(BaseModel):
    """T7 bands and multipliers."""

    model_config = _FROZEN
    evening_end: str = "22:00"
    business: Decimal = Decimal(1)
    evening: Decimal = Decimal("1.5")
    night: Decimal = Decimal(2)
    holiday: Decimal = Decimal(3)

    @field_validator("evening_end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        _clock(v)
        return v


class PlanPrice(BaseModel):
    """One row of a price table (H1, H2)."""

    model_config = _FROZEN
    hours: Decimal = Field(gt=0)
    price: int = Field(gt=0)


class Plans(BaseModel):
    """H1 annual and H2 bridge price tables."""

    model_config = _FROZEN
    annual: tuple[PlanPrice, ...]
    bridge: tuple[PlanPrice, ...]
    custom_min_hours: Decimal = Decimal(100)
    bridge_max_months: int = 6


class Spot(BaseModel):
    """H6/H7 spot purchases."""

    model_config = _FROZEN
    price_per_hour: int = Field(15_000, gt=0)
    unit_hours: Decimal = Field(Decimal(1), gt=0)


class Tasks(BaseModel):
    """O7 cap and H10 step."""

    model_config = _FROZEN
    max_hours: Decimal = Field(Decimal(12), gt=0)
    step: Decimal = Field(Decimal("0.5"), gt=0)


class LeadTimes(BaseModel):
    """T6, T7 and H6 lead times, in calendar days."""

    model_config = _FROZEN
    recommended_days: int = 14
    refuse_days: int = 7
    off_hours_notice_days: int = 14
    purchase_paperwork_days: int = 7
    purchase_finish_before_days: tuple[int, int] = (7, 14)


class QuarterEnd(BaseModel):
    """Quarter-end notices (H4) and usage thresholds in percent."""

    model_config = _FROZEN
    notice_business_days: int = 10
    usage_thresholds: tuple[int, ...] = (80, 100)


class Reports(BaseModel):
    """R1: when the monthly reports are published on the first business day of the month."""

    model_config = _FROZEN
    publish_at: str = "10:00"

    @field_validator("publish_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        _clock(v)
        return v


class Staff(BaseModel):
    """The staff project, staff users and the bot's own Backlog user."""

    model_config = _FROZEN
    project: str = "HOSHU"
    users: tuple[str, ...] = ("sato", "suzuki")
    bot_user: str = "hoshu-bot"


class Workflow(BaseModel):
    """Words and statuses the bot reads in Backlog comments and issues."""

    model_config = _FROZEN
    approval_words: tuple[str, ...] = ("承認",)
    rejection_words: tuple[str, ...] = ("却下",)
    waiting_status_names: tuple[str, ...] = ("お客様確認待ち",)


class ServiceConfig(BaseModel):
    """Everything about the service except customers (``service.toml`` plus the rule tables)."""

    model_config = _FROZEN
    business_hours: BusinessHours = BusinessHours()
    holidays: Holidays = Holidays()
    sla: Sla = Sla()
    off_hours: OffHoursModel = OffHoursModel()
    plans: Plans
    spot: Spot = Spot()
    tasks: Tasks = Tasks()
    lead_times: LeadTimes = LeadTimes()
    quarter_end: QuarterEnd = QuarterEnd()
    reports: Reports = Reports()
    staff: Staff = Staff()
    workflow: Workflow = Workflow()
    estimates: EstimateTable = EstimateTable(())
    categories: tuple[Category, ...] = ()
    out_of_scope: tuple[ScopeRule, ...] = ()

    def quote_policy(self) -> QuotePolicy:
        """The numbers ``hour_tracker.quote`` needs."""
        lt = self.lead_times
        return QuotePolicy(
            max_task_hours=self.tasks.max_hours,
            spot_price=self.spot.price_per_hour,
            purchase_unit=self.spot.unit_hours,
            step=self.tasks.step,
            refuse_days=lt.refuse_days,
            recommended_days=lt.recommended_days,
            off_hours_notice_days=lt.off_hours_notice_days,
            paperwork_days=lt.purchase_paperwork_days,
        )


class ContractModel(BaseModel):
    """``[[customer.contract]]``; plan sizes and the chain are checked against ``service.toml`` later."""

    model_config = _FROZEN
    kind: Literal["annual", "bridge"]
    start: date
    hours: Decimal = Field(gt=0)
    months: int = Field(gt=0)
    price: int | None = Field(None, gt=0)


class PurchaseModel(BaseModel):
    """``[[customer.purchase]]``: H6 whole hours, more than zero."""

    model_config = _FROZEN
    date: date
    hours: Decimal = Field(gt=0)

    @field_validator("hours")
    @classmethod
    def _whole(cls, v: Decimal) -> Decimal:
        if v != v.to_integral_value():
            msg = f"spot hours are bought in whole hours (rule H6), got {v}"
            raise ValueError(msg)
        return v


class CustomerModel(BaseModel):
    """``[[customer]]`` exactly as INTERFACE.md shows it."""

    model_config = _FROZEN
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    monitoring: bool = False
    alert_senders: tuple[str, ...] = ()
    alert_keys: tuple[str, ...] = ()
    inquirers: tuple[str, ...] = ()
    contract: tuple[ContractModel, ...] = Field(min_length=1)
    purchase: tuple[PurchaseModel, ...] = ()


class CustomersFile(BaseModel):
    """The whole ``customers.toml``."""

    model_config = _FROZEN
    customer: tuple[CustomerModel, ...] = Field(min_length=1)


class EstimatesFile(BaseModel):
    """The whole ``estimates.toml``."""

    model_config = _FROZEN
    kind: tuple[EstimateKind, ...] = Field(min_length=1)


class CategoriesFile(BaseModel):
    """The whole ``categories.toml``."""

    model_config = _FROZEN
    category: tuple[Category, ...] = Field(min_length=1)


class ScopeFile(BaseModel):
    """The whole ``scope.toml``."""

    model_config = _FROZEN
    rule: tuple[ScopeRule, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Customer:
    """One customer: its Backlog project, alert routing, inquirers (P3), contracts and purchases."""

    project: str
    name: str
    monitoring: bool
    alert_senders: tuple[str, ...]
    alert_keys: tuple[str, ...]
    inquirers: tuple[str, ...]
    contracts: tuple[Contract, ...]
    purchases: tuple[Purchase, ...]


@dataclass(frozen=True)
class BotConfig:
    """The validated business configuration."""

    customers: tuple[Customer, ...]
    service: ServiceConfig

    def customer(self, project: str) -> Customer:
        """The customer whose Backlog project key is ``project``; UsageError if there is none."""
        for c in self.customers:
            if c.project == project:
                return c
        known = ", ".join(c.project for c in self.customers)
        msg = f"unknown customer {project!r} (known: {known})"
        raise UsageError(msg)

    def calendar(self) -> BusinessCalendar:
        """The business calendar (T1-T4, T7) built from ``service.toml``."""
        s = self.service
        oh = s.off_hours
        return BusinessCalendar(
            company_holidays=frozenset(s.holidays.dates),
            opening=_clock(s.business_hours.opening),
            closing=_clock(s.business_hours.closing),
            tz=ZoneInfo(s.business_hours.timezone),
            verified_through=s.holidays.verified_through,
            hours_per_day=s.business_hours.hours_per_business_day,
            recurring_holidays=frozenset(
                (int(x[:2]), int(x[3:])) for x in s.holidays.recurring
            ),
            off_hours=OffHours(_clock(oh.evening_end), oh.business, oh.evening, oh.night, oh.holiday),
        )


def read(path: Path) -> dict[str, Any]:
    """Read one TOML file; a syntax error names the line and its key rather than ``-``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "-", "file not found") from None
    except UnicodeDecodeError as exc:  # binary junk in place of the file: one line, exit 2, no traceback
        raise ConfigError(str(path), "-", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:  # a directory in its place, no permission
        raise ConfigError(str(path), "-", f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = "-"
        if m is not None:
            line = text.splitlines()[int(m.group(1)) - 1] if int(m.group(1)) <= len(text.splitlines()) else ""
            key = line.split("=", 1)[0].strip() if "=" in line else ""
            where = f"line {m.group(1)}" + (f" ({key})" if key else "")
        raise ConfigError(str(path), where, f"not valid TOML: {exc}") from None


def load_config(config_dir: Path) -> BotConfig:
    """Load and check ``service.toml``, ``estimates.toml``, ``categories.toml``, ``scope.toml`` and
    ``customers.toml``; the first problem is a ConfigError(file, field, problem).
    """
    sp = config_dir / "service.toml"
    service = validate(sp, ServiceConfig, read(sp))
    ep = config_dir / "estimates.toml"
    est = validate(ep, EstimatesFile, read(ep))
    cp = config_dir / "categories.toml"
    cats = validate(cp, CategoriesFile, read(cp))
    op = config_dir / "scope.toml"
    scope = validate(op, ScopeFile, read(op))
    service = service.model_copy(update={
        "estimates": EstimateTable(est.kind, service.tasks.max_hours, service.tasks.step),
        "categories": cats.category,
        "out_of_scope": scope.rule,
    })
    up = config_dir / "customers.toml"
    customers = validate(up, CustomersFile, read(up))
    _check_customers(up, customers, service)
    return BotConfig(
        customers=tuple(
            Customer(
                project=c.project,
                name=c.name,
                monitoring=c.monitoring,
                alert_senders=c.alert_senders,
                alert_keys=c.alert_keys,
                inquirers=c.inquirers,
                contracts=tuple(Contract(k.kind, k.start, k.hours, k.months, k.price) for k in c.contract),
                purchases=tuple(Purchase(p.date, p.hours) for p in c.purchase),
            )
            for c in customers.customer
        ),
        service=service,
    )


def _check_customers(path: Path, data: CustomersFile, service: ServiceConfig) -> None:
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
