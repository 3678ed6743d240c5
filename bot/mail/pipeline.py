"""One mail from bytes to its understood alert: parse, recognise, route, classify, fingerprint (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.backlog.text import fit_summary, untrusted
from bot.config.monitoring import MonitoringConfig
from bot.mail.adapters import adapter_label, parse_alert
from bot.mail.decode import parse_message
from bot.mail.digest import Entries, split
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
class Entry:
    """One error of a digest (``bot.mail.digest``), numbered from 1 in mail order; ``alert`` is None for
    an entry that could not be read (it goes to staff)."""

    index: int
    text: str
    alert: Alert | None
    info: ErrorInfo | None = None
    fingerprint: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Understood:
    """Everything the bot concludes from one mail; ``alert``/``info`` are None for non-alerts.

    For a digest, ``entries`` holds every listed error and ``alert`` is its first readable one (what
    routing and the staff texts read); the use case acts on each entry (issue 21 item 6).
    """

    mail: ParsedMail
    alert: Alert | None
    route: Route
    info: ErrorInfo | None
    fingerprint: str | None
    summary: str | None
    label: str | None
    entries: tuple[Entry, ...] = ()

    def entry(self, e: Entry) -> Understood:
        """One readable digest entry as an Understood of its own (same mail, route and label)."""
        return replace(self, alert=e.alert, info=e.info, fingerprint=e.fingerprint, summary=e.summary,
                       entries=())

    @property
    def unreadable(self) -> tuple[Entry, ...]:
        """The digest entries without an error code."""
        return tuple(e for e in self.entries if e.alert is None)


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
    listed = split(mail.normalised)
    if listed is not None:
        return _digest(mail, listed, config, customers, senders_of, keys)
    alert = parse_alert(mail, config, senders_of, keys)
    r = route(mail, alert, customers, config.bot_addresses)
    if alert is None or isinstance(r, Ignore):
        return Understood(mail, None, r, None, None, None, None)
    project = r.project if isinstance(r, Customer | NoMonitoring) else None
    label = adapter_label(config, alert.adapter)
    fp = fingerprint(alert, project, config.grouping.fields)
    return Understood(mail, alert, r, classify(alert.error_code, alert.message), fp, summary(label, alert),
                      label)


def _digest(mail: ParsedMail, listed: Entries, config: MonitoringConfig, customers: Sequence[RouteTarget],
            senders_of: Sequence[str], keys: Sequence[str]) -> Understood:
    """A digest: each entry read on its own (its text as the body, the mail's subject naming the adapter
    but never an entry's job), the tenant of the whole mail where an entry names none."""
    whole = parse_alert(mail, config, senders_of, keys, from_subject=False)
    read = []
    for i, text in enumerate(listed.texts, start=1):
        alert = parse_alert(replace(mail, text=text, normalised=text), config, senders_of, keys,
                            from_subject=False)
        if alert is not None and alert.tenant_key is None and whole is not None and whole.tenant_key:
            alert = replace(alert, tenant_key=whole.tenant_key,
                            sources=tuple(sorted({**dict(alert.sources), "tenant_key": "key"}.items())))
        read.append((i, text, alert))
    first = next((a for _, _, a in read if a is not None), None)
    r = route(mail, first, customers, config.bot_addresses)
    if first is None or isinstance(r, Ignore):
        return Understood(mail, None, r, None, None, None, None)
    project = r.project if isinstance(r, Customer | NoMonitoring) else None
    label = adapter_label(config, first.adapter)
    entries = tuple(
        Entry(i, text, a, classify(a.error_code, a.message), fingerprint(a, project, config.grouping.fields),
              summary(adapter_label(config, a.adapter), a)) if a is not None else Entry(i, text, None)
        for i, text, a in read if a is not None or not listed.framed
    )
    e = entries[0] if entries[0].alert is not None else next(x for x in entries if x.alert is not None)
    return Understood(mail, e.alert, r, e.info, e.fingerprint, e.summary, label, entries)


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
