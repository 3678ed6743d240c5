"""Business configuration: customers and the service (``$BOT_CONFIG_DIR/*.toml``), validated once.

The models live in ``bot/config/service.py`` (``service.toml``) and ``bot/config/customers.py``
(``customers.toml`` and the rule tables), their strict field types in ``bot/config/fields.py``. A value
of the wrong type, out of range or contradicting another is a ConfigError naming file and field (exit 2).
"""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.customers import CategoriesFile, CustomersFile, EstimatesFile, ScopeFile, check_customers
from bot.config.fields import clock, tuples
from bot.config.files import load_model, validate
from bot.config.monitoring import MonitoringConfig, check_monitoring, deprecations
from bot.config.service import ServiceConfig, service_problem
from bot.errors import ConfigError, UsageError
from bot.hour_tracker import Contract, Purchase
from bot.mail.generic import NAMES
from bot.rules.calendar import BusinessCalendar, OffHours
from bot.rules.estimates import EstimateTable
from bot.wording import Voice, Wording

__all__ = ["BotConfig", "Customer", "ServiceConfig", "load_config", "read"]

log = logging.getLogger(__name__)


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
    wording: Wording = field(default_factory=Wording.packaged)  # issue 15: templates/ or the defaults

    def voice(self, project: str | None = None) -> Voice:
        """The wording as ``project``'s customer reads it (their overrides, their name); staff: None."""
        if project is None:
            return self.wording.voice()
        name = next((c.name for c in self.customers if c.project == project), "")
        return self.wording.voice(project, name)

    def customer(self, project: str) -> Customer:
        """The customer whose Backlog project key is ``project``; UsageError if there is none."""
        for c in self.customers:
            if c.project == project:
                return c
        known = ", ".join(c.project for c in self.customers)
        msg = f"unknown customer {project!r} (known: {known})"
        raise UsageError(msg)

    def monitored(self) -> tuple[str, ...]:
        """The projects of the customers with the monitoring option (M1): only they need a mailbox."""
        return tuple(c.project for c in self.customers if c.monitoring)

    def calendar(self) -> BusinessCalendar:
        """The business calendar (T1-T4, T7) built from ``service.toml``."""
        s = self.service
        oh = s.off_hours
        return BusinessCalendar(
            company_holidays=frozenset(s.holidays.dates),
            opening=clock(s.business_hours.opening),
            closing=clock(s.business_hours.closing),
            tz=ZoneInfo(s.business_hours.timezone),
            verified_through=s.holidays.verified_through,
            hours_per_day=s.business_hours.hours_per_business_day,
            recurring_holidays=frozenset(
                (int(x[:2]), int(x[3:])) for x in s.holidays.recurring
            ),
            off_hours=OffHours(clock(oh.evening_end), oh.business, oh.evening, oh.night, oh.holiday),
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
    service = validate(sp, ServiceConfig, tuples(read(sp)))
    problem = service_problem(service)
    if problem is not None:
        raise ConfigError(str(sp), *problem)
    ep = config_dir / "estimates.toml"
    est = validate(ep, EstimatesFile, tuples(read(ep)))
    cp = config_dir / "categories.toml"
    cats = validate(cp, CategoriesFile, tuples(read(cp)))
    op = config_dir / "scope.toml"
    scope = validate(op, ScopeFile, tuples(read(op)))
    for i, kind in enumerate(est.kind):
        if kind.minimum > service.tasks.max_hours or kind.minimum % service.tasks.step:
            msg = (f"minimum {kind.minimum} h must be a {service.tasks.step} h step within the "
                   f"{service.tasks.max_hours} h task cap (H10, O7)")
            raise ConfigError(str(ep), f"kind[{i}].minimum", msg)
    service = service.model_copy(update={
        "estimates": EstimateTable(est.kinds(), service.tasks.max_hours, service.tasks.step),
        "categories": cats.categories(),
        "out_of_scope": scope.rules(),
    })
    up = config_dir / "customers.toml"
    customers = validate(up, CustomersFile, tuples(read(up)))
    check_customers(up, customers, service)
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
        wording=Wording.load(config_dir),
    )


def load_monitoring(path: Path, business: BotConfig | None = None, *, warn: bool = True) -> MonitoringConfig:
    """Read ``monitoring.toml``; any problem is a ConfigError naming the file and field. With the
    ``business`` configuration, what it names there is checked too (:func:`check_references`). A
    deprecated setting is one warning line (``warn``; ``check`` prints it among its results instead)."""
    config = load_model(path, MonitoringConfig)
    check_monitoring(str(path), config)
    if business is not None:
        check_references(path, config, business)
    if warn:
        staff = business.service.staff.project if business is not None else None
        for line in deprecations(str(path), config, staff):
            log.warning("%s", line)
    return config


def check_references(path: Path, monitoring: MonitoringConfig, business: BotConfig) -> None:
    """Issue 19 item 4, what one file names another must hold: each ``[[customer_rule]]`` customer is a
    project of customers.toml (else its rules are never tried), each ``[[sender]]`` adapter is an adapter
    the reading knows (an ``[[adapter]]`` or one the generic reading names), else its alerts carry a
    name no label, report line or grouping of the real adapter shares. A close name is offered."""
    projects = [c.project for c in business.customers]
    for i, rule in enumerate(monitoring.customer_rules):
        if rule.customer not in projects:
            msg = f"no customer in customers.toml has the project key {rule.customer!r}"
            raise ConfigError(str(path), f"customer_rule[{i}].customer", _close(msg, rule.customer, projects))
    adapters = list(dict.fromkeys([a.name for a in monitoring.adapters] + [name for name, _ in NAMES]))
    for i, sender in enumerate(monitoring.senders):
        if sender.adapter not in adapters:
            msg = f"no adapter is named {sender.adapter!r} (known: {', '.join(adapters)})"
            raise ConfigError(str(path), f"sender[{i}].adapter", _close(msg, sender.adapter, adapters))


def _close(msg: str, value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f"{msg}; did you mean {close[0]!r}?" if close else msg
