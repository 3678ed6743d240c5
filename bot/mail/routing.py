"""Which customer an alert belongs to, and whether to trust it (rules M2, P2; never a guessed customer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.mail.autoreply import ignore_reason
from bot.mail.keys import has_key
from bot.mail.message import Alert, ParsedMail, normalise

StaffKind = Literal["unreadable", "unroutable", "suspicious"]


@dataclass(frozen=True)
class RouteTarget:
    """What routing needs to know about one customer (a view of ``bot.config.loader.Customer``)."""

    project: str
    monitoring: bool
    alert_senders: tuple[str, ...]
    alert_keys: tuple[str, ...]


@dataclass(frozen=True)
class Customer:
    """A trusted alert of a monitored customer: triage it in that customer's project (M2)."""

    project: str


@dataclass(frozen=True)
class Staff:
    """Cannot be attributed safely: staff look at it in the staff project.

    ``reason`` is the log/JSON form; ``kind`` groups staff issues (unreadable, unroutable, suspicious);
    ``text`` is the reason as the staff issue states it (Japanese).
    """

    reason: str
    kind: StaffKind = "unroutable"
    text: str = ""

    @property
    def shown(self) -> str:
        return self.text or self.reason


@dataclass(frozen=True)
class NoMonitoring:
    """A trusted alert of a customer without the monitoring option (M2): counted and logged, no issue."""

    project: str


@dataclass(frozen=True)
class Ignore:
    """Auto-replies, bounces and the bot's own mail: never an issue, never answered."""

    reason: str


Route = Customer | Staff | NoMonitoring | Ignore


def route(mail: ParsedMail, alert: Alert | None, customers: Sequence[RouteTarget],
          bot_addresses: Iterable[str] = ()) -> Route:
    """Route one mail.

    A customer is chosen only when the sender is on that customer's ``alert_senders`` AND the mail
    carries one of its ``alert_keys``. A right key from a wrong sender (possible spoof), keys of two
    customers, no key, an unknown sender or an unrecognised format all go to staff.
    """
    reason = ignore_reason(mail, bot_addresses)
    if reason is not None:
        return Ignore(reason)
    sender = mail.from_addr.lower()
    texts = (mail.normalised_subject, mail.normalised,
             (alert.tenant_key or "") if alert else "", (alert.job or "") if alert else "")
    keyed = [c for c in customers if any(has_key(normalise(k), *texts) for k in c.alert_keys if k)]
    senders_of = [c for c in customers if sender in {s.lower() for s in c.alert_senders}]
    if len(keyed) > 1:
        names = ", ".join(sorted(c.project for c in keyed))
        return Staff(f"keys of several customers: {names}", "suspicious",
                     f"複数のお客様（{'、'.join(sorted(c.project for c in keyed))}）のキーが含まれています")
    if not keyed:
        if senders_of:
            return Staff("known sender but no tenant key", "unroutable",
                         "登録済みの差出人ですが、お客様を示すキーが見つかりません")
        return Staff("unknown sender and no tenant key", "unroutable",
                     "未登録の差出人で、お客様を示すキーも見つかりません")
    return _trusted(keyed[0], senders_of, alert)


def _trusted(target: RouteTarget, senders_of: list[RouteTarget], alert: Alert | None) -> Route:
    """The one customer whose key the mail carries: trusted only from one of its own senders."""
    if target not in senders_of:
        if senders_of:
            other = senders_of[0].project
            return Staff(f"key of {target.project} from a sender of {other} (possible spoof)", "suspicious",
                         f"{other} の差出人から {target.project} のキーが届きました（なりすましの疑い）")
        return Staff(f"key of {target.project} from an unregistered sender (possible spoof)", "suspicious",
                     f"未登録の差出人から {target.project} のキーが届きました（なりすましの疑い）")
    if not target.monitoring:
        return NoMonitoring(target.project)
    if alert is None:
        return Staff(f"mail of {target.project} carries no recognisable error code", "unreadable",
                     f"{target.project} のメールですが、エラーコードを読み取れません")
    return Customer(target.project)
