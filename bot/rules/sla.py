"""SLA clocks of an inquiry (T2 first response, T3 daily update, T4 result): pure values and transitions."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

__all__ = [
    "Breach",
    "Calendar",
    "Clock",
    "ClockEvent",
    "ClockKind",
    "ClockRecord",
    "EventKind",
    "Remind",
    "apply",
    "due_actions",
    "elapsed",
    "in_business_hours",
    "meet",
    "pause",
    "record",
    "renew",
    "resume",
    "start",
]

_ZERO = Decimal(0)


class Calendar(Protocol):
    """What the clocks need of `bot.rules.calendar.BusinessCalendar` (T1)."""

    def clock_start(self, t: datetime) -> datetime: ...

    def add_business_hours(self, t: datetime, hours: Decimal) -> datetime: ...

    def business_hours_between(self, a: datetime, b: datetime) -> Decimal: ...

    @property
    def hours_per_day(self) -> Decimal: ...


@enum.unique
class ClockKind(enum.Enum):
    """The three clocks of an inquiry, with the rule each one enforces and its default length."""

    FIRST_RESPONSE = "first_response"  # T2: a person answers within 1 business day
    UPDATE = "update"  # T3: a status update every business day while work is in progress
    RESULT = "result"  # T4: the result is reported within 2 business days of the work

    @property
    def rule(self) -> str:
        """The SERVICE_RULES.md ID of this clock."""
        return {"first_response": "T2", "update": "T3", "result": "T4"}[self.value]

    @property
    def default_business_days(self) -> int:
        """The brochure's length of this clock in business days."""
        return 2 if self is ClockKind.RESULT else 1


@enum.unique
class EventKind(enum.Enum):
    """What happened to a clock; the history feeds the monthly report (R1, R2)."""

    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    REMINDED = "reminded"
    BREACHED = "breached"
    MET = "met"


@dataclass(frozen=True)
class ClockEvent:
    """One entry of a clock's history: what, when, and the due date in force at that moment."""

    kind: EventKind
    at: datetime
    due: datetime


@dataclass(frozen=True)
class Clock:
    """One running (or finished) SLA clock on one customer issue.

    ``budget`` is the clock's length in business hours (8 per business day, T2 reading); ``paused_total``
    is the business time spent paused so far, by which ``due`` has already been moved.
    """

    kind: ClockKind
    issue_key: str
    started: datetime
    due: datetime
    budget: Decimal
    paused_at: datetime | None = None
    paused_total: Decimal = _ZERO
    met_at: datetime | None = None
    breached_at: datetime | None = None
    reminded_at: datetime | None = None
    history: tuple[ClockEvent, ...] = ()

    @property
    def running(self) -> bool:
        """True while the clock counts: not met and not paused."""
        return self.met_at is None and self.paused_at is None

    def _log(self, kind: EventKind, at: datetime, **changes: object) -> Clock:
        new = replace(self, **changes)  # type: ignore[arg-type]
        return replace(new, history=(*self.history, ClockEvent(kind, at, new.due)))


@dataclass(frozen=True)
class Remind:
    """Tell staff a clock is close to its breach (default at 75 % of it); ``left`` is in business hours."""

    issue_key: str
    kind: ClockKind
    due: datetime
    left: Decimal
    at: datetime


@dataclass(frozen=True)
class Breach:
    """Tell staff a clock ran out at ``due`` without being met."""

    issue_key: str
    kind: ClockKind
    due: datetime
    at: datetime


@dataclass(frozen=True)
class ClockRecord:
    """A clock as the monthly report shows it: met on time, missed, or still open (R1, R2)."""

    issue_key: str
    kind: ClockKind
    started: datetime
    due: datetime
    met_at: datetime | None
    outcome: Literal["met", "missed", "open"]


def in_business_hours(t: datetime, cal: Calendar) -> bool:
    """T1: ``t`` lies inside business hours (18:00 sharp is already closed)."""
    return cal.clock_start(t) == t


def start(
    kind: ClockKind, issue: str, at: datetime, cal: Calendar, business_days: int | None = None
) -> Clock:
    """Start a clock at ``at``; outside business hours it counts from the next opening (T2 reading).

    Saturday 11:00 -> due Monday 18:00; Monday 15:00 -> due Tuesday 15:00 (one business day).
    """
    days = kind.default_business_days if business_days is None else business_days
    if days < 1:
        msg = f"an SLA clock lasts at least 1 business day (got {days})"
        raise ValueError(msg)
    budget = cal.hours_per_day * days
    due = cal.add_business_hours(cal.clock_start(at), budget)
    clock = Clock(kind=kind, issue_key=issue, started=at, due=due, budget=budget)
    return replace(clock, history=(ClockEvent(EventKind.STARTED, at, due),))


def pause(clock: Clock, at: datetime) -> Clock:
    """Stop the clock while the issue waits for the customer (status お客様確認待ち). Idempotent."""
    if not clock.running:
        return clock
    return clock._log(EventKind.PAUSED, at, paused_at=at)


def resume(clock: Clock, at: datetime, cal: Calendar) -> Clock:
    """Restart a paused clock when the customer writes: ``due`` moves by the business time spent paused.

    Half a business day paused (4 business hours) moves the due date 4 business hours later.
    """
    if clock.paused_at is None or clock.met_at is not None:
        return clock
    paused = cal.business_hours_between(clock.paused_at, at)
    due = cal.add_business_hours(clock.due, paused) if paused > 0 else clock.due
    return clock._log(
        EventKind.RESUMED, at, paused_at=None, paused_total=clock.paused_total + paused, due=due
    )


def meet(clock: Clock, at: datetime) -> Clock:
    """The clock is satisfied (a staff comment, an update, the result). Later calls change nothing."""
    if clock.met_at is not None:
        return clock
    return clock._log(EventKind.MET, at, met_at=at, paused_at=None)


def renew(clock: Clock, at: datetime, cal: Calendar) -> tuple[Clock, Clock]:
    """T3: an update was posted at ``at``; the old clock is met and the next day's clock starts."""
    days = max(1, int(clock.budget / cal.hours_per_day))
    return meet(clock, at), start(clock.kind, clock.issue_key, at, cal, days)


def elapsed(clock: Clock, now: datetime, cal: Calendar) -> Decimal:
    """Business hours the clock has counted by ``now``, paused time excluded."""
    end = clock.paused_at or clock.met_at or now
    end = min(end, now)
    return max(_ZERO, cal.business_hours_between(clock.started, end) - clock.paused_total)


def _overdue(clock: Clock, now: datetime) -> bool:
    # A clock paused after its due date was already breached: the pause cannot undo that.
    moment = clock.paused_at if clock.paused_at is not None else now
    return moment >= clock.due


def due_actions(
    clocks: Iterable[Clock], now: datetime, cal: Calendar, remind_fraction: Decimal = Decimal("0.75")
) -> tuple[Remind | Breach, ...]:
    """What to tell staff at ``now``: a reminder when ``remind_fraction`` of a clock has elapsed, and a
    breach when it ran out. Nothing outside business hours (T1): a reminder that falls due at night is
    sent at the next opening. Each clock is reminded once and breached once (``apply`` records it);
    a clock already breached is not reminded, and a met clock yields nothing.
    """
    if not in_business_hours(now, cal):
        return ()
    actions: list[Remind | Breach] = []
    for clock in clocks:
        if clock.met_at is not None or clock.breached_at is not None:
            continue
        if _overdue(clock, now):
            actions.append(Breach(clock.issue_key, clock.kind, clock.due, now))
        elif clock.reminded_at is None and clock.paused_at is None:
            spent = elapsed(clock, now, cal)
            if spent >= clock.budget * remind_fraction:
                actions.append(Remind(clock.issue_key, clock.kind, clock.due, clock.budget - spent, now))
    return tuple(actions)


def apply(clock: Clock, action: Remind | Breach) -> Clock:
    """Record that ``action`` was delivered, so ``due_actions`` never repeats it."""
    if action.issue_key != clock.issue_key or action.kind is not clock.kind:
        return clock
    if isinstance(action, Remind):
        return (
            clock if clock.reminded_at else clock._log(EventKind.REMINDED, action.at, reminded_at=action.at)
        )
    return clock if clock.breached_at else clock._log(EventKind.BREACHED, action.at, breached_at=action.at)


def record(clock: Clock) -> ClockRecord:
    """The clock for the monthly report: met (on time), missed (late or breached), or open."""
    if clock.met_at is not None:
        outcome: Literal["met", "missed", "open"] = "met" if clock.met_at <= clock.due else "missed"
    else:
        outcome = "missed" if clock.breached_at is not None else "open"
    return ClockRecord(clock.issue_key, clock.kind, clock.started, clock.due, clock.met_at, outcome)
