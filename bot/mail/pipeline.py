"""One mail from bytes to its understood alert: parse, recognise, route, classify, fingerprint (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.backlog.text import fit_summary, untrusted
from bot.config.monitoring import MonitoringConfig
from bot.mail.adapters import adapter_label, parse_alert
from bot.mail.decode import parse_message
from bot.mail.error_table import ErrorInfo, classify
from bot.mail.grouping import fingerprint
from bot.mail.message import Alert, ParsedMail
from bot.mail.routing import Customer, Ignore, NoMonitoring, Route, RouteTarget, Staff, route


class CustomerLike(Protocol):
    """What routing reads from ``bot.config.loader.Customer``."""

    @property
    def project(self) -> str: ...
    @property
    def monitoring(self) -> bool: ...
    @property
    def alert_senders(self) -> tuple[str, ...]: ...
    @property
    def alert_keys(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Understood:
    """Everything the bot concludes from one mail; ``alert``/``info`` are None for non-alerts."""

    mail: ParsedMail
    alert: Alert | None
    route: Route
    info: ErrorInfo | None
    fingerprint: str | None
    summary: str | None
    label: str | None


def summary(label: str, alert: Alert) -> str:
    """``[監視] kintone 受注連携: CB_VA01`` (adapter label, job, code), fitted to Backlog's 255 limit."""
    job = f" {' '.join(alert.shown_job.split())}" if alert.shown_job else ""
    return fit_summary(untrusted(f"[監視] {label}{job}: {alert.error_code}"))


def targets(customers: Sequence[CustomerLike]) -> tuple[RouteTarget, ...]:
    """Routing views of configured customers."""
    return tuple(RouteTarget(c.project, c.monitoring, tuple(c.alert_senders), tuple(c.alert_keys))
                 for c in customers)


def understand(raw: bytes, config: MonitoringConfig, customers: Sequence[RouteTarget]) -> Understood:
    """Parse and judge one raw mail; never raises on bad bytes (defects are on ``mail``)."""
    mail = parse_message(raw)
    senders_of = tuple(c.project for c in customers if mail.from_addr in {s.lower() for s in c.alert_senders})
    # The sender's own customers' keys first: the tenant the generic reading reports is theirs if present.
    ordered = sorted(customers, key=lambda c: c.project not in senders_of)
    keys = tuple(k for c in ordered for k in c.alert_keys)
    alert = parse_alert(mail, config, senders_of, keys)
    r = route(mail, alert, customers, config.bot_addresses)
    if alert is None or isinstance(r, Ignore):
        return Understood(mail, None, r, None, None, None, None)
    project = r.project if isinstance(r, Customer | NoMonitoring) else None
    label = adapter_label(config, alert.adapter)
    fp = fingerprint(alert, project, config.grouping.fields)
    return Understood(mail, alert, r, classify(alert.error_code, alert.message), fp, summary(label, alert),
                      label)


def route_json(r: Route) -> dict[str, str]:
    """A route as JSON-ready data."""
    match r:
        case Customer(project):
            return {"kind": "customer", "project": project}
        case NoMonitoring(project):
            return {"kind": "no_monitoring", "project": project}
        case Staff(reason, kind, _):
            return {"kind": "staff", "reason": reason, "staff_kind": kind}
        case Ignore(reason):
            return {"kind": "ignore", "reason": reason}
    msg = f"unknown route {r!r}"
    raise TypeError(msg)
