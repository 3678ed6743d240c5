"""The business calendar: business days and hours, SLA deadlines and off-hours bands (rules T1-T4, T7)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays

log = logging.getLogger(__name__)

_HOUR = Decimal(3600)
_MICRO = Decimal(1_000_000)


def hours_to_timedelta(hours: Decimal) -> timedelta:
    """Exact conversion of decimal hours to a timedelta (microsecond resolution, no floats, H10)."""
    return timedelta(microseconds=int((hours * _HOUR * _MICRO).to_integral_value()))


def timedelta_to_hours(delta: timedelta) -> Decimal:
    """Exact conversion of a timedelta to decimal hours, normalised (``Decimal("1.5")``, not ``1.500000``)."""
    micro = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    value = Decimal(micro) / (_HOUR * _MICRO)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class Deadline:
    """An SLA clock (T2): when the inquiry arrived, when the clock started, when the answer is due."""

    received: datetime
    clock_start: datetime
    deadline: datetime


@dataclass(frozen=True)
class Band:
    """An off-hours band of rule T7 and its multiplier (``business`` x1.0 ... ``holiday`` x3.0)."""

    name: str
    multiplier: Decimal


@dataclass(frozen=True)
class BandPart:
    """One piece of a work span that lies inside a single band (T7 splits spans that cross bands)."""

    start: datetime
    end: datetime
    hours: Decimal
    multiplier: Decimal
    band: str

    @property
    def weighted(self) -> Decimal:
        """The hours consumed for this piece: worked hours x the band's multiplier (T7)."""
        return self.hours * self.multiplier


@dataclass(frozen=True)
class OffHours:
    """The T7 bands. **Reading:** "after 22:00" lasts until the next opening (10:00)."""

    evening_end: time = time(22, 0)
    business: Decimal = Decimal(1)
    evening: Decimal = Decimal("1.5")
    night: Decimal = Decimal(2)
    holiday: Decimal = Decimal(3)


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days and hours (T1): weekdays ``opening``-``closing`` in ``tz``, minus national and
    company holidays (explicit dates plus recurring ``(month, day)`` such as 12/29-1/3). National
    holidays come from the ``holidays`` package, cached per year; a year after
    ``verified_through`` is answered but logged as a WARNING (equinox days are provisional).
    """

    company_holidays: frozenset[date]
    opening: time
    closing: time
    tz: ZoneInfo
    verified_through: int
    hours_per_day: Decimal = Decimal(8)
    recurring_holidays: frozenset[tuple[int, int]] = frozenset()
    off_hours: OffHours = OffHours()
    _years: dict[int, dict[date, str]] = field(default_factory=dict, compare=False, repr=False)

    # --- days -----------------------------------------------------------------------------------
    def national_holidays(self, year: int) -> dict[date, str]:
        """Japanese national holidays of ``year`` (including 振替休日 and 国民の休日), Japanese names."""
        cached = self._years.get(year)
        if cached is None:
            if self.stale_years(date(year, 1, 1)):
                log.warning(
                    "holiday data for %d is past holidays_verified_through=%d; dates may be provisional",
                    year,
                    self.verified_through,
                )
            table = holidays.country_holidays("JP", years=year, language="ja")
            cached = {d: str(name) for d, name in sorted(table.items()) if d.year == year}
            self._years[year] = cached
        return cached

    def stale_years(self, d: date) -> bool:
        """True when ``d`` lies in a year whose holidays were not verified (after ``verified_through``)."""
        return d.year > self.verified_through

    def holiday_name(self, d: date) -> str | None:
        """The name of the national or company holiday on ``d``, or None on an ordinary day."""
        name = self.national_holidays(d.year).get(d)
        if name is not None:
            return name
        closed = d in self.company_holidays or (d.month, d.day) in self.recurring_holidays
        return "会社休業日" if closed else None

    def is_business_day(self, d: date) -> bool:
        """T1: a weekday that is neither a national nor a company holiday."""
        return d.weekday() < 5 and self.holiday_name(d) is None

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def add_business_days(self, d: date, n: int) -> date:
        """``d`` moved forward by ``n`` business days (n = 0 gives ``d`` itself)."""
        for _ in range(n):
            d = self.next_business_day(d)
        return d

    def first_business_day_of_month(self, year: int, month: int) -> date:
        """The first business day of a month (monthly reports, R1)."""
        d = date(year, month, 1)
        return d if self.is_business_day(d) else self.next_business_day(d)

    def business_days_before(self, end: date, n: int) -> date:
        """The business day ``n`` business days before ``end`` (quarter-end notices)."""
        d = end
        for _ in range(n):
            d -= timedelta(days=1)
            while not self.is_business_day(d):
                d -= timedelta(days=1)
        return d

    # --- hours ----------------------------------------------------------------------------------
    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def clock_start(self, t: datetime) -> datetime:
        """T2: ``t`` itself when inside business hours, else the next opening (18:00 sharp is outside)."""
        t = t.astimezone(self.tz)
        d = t.date()
        if self.is_business_day(d):
            if t.timetz().replace(tzinfo=None) < self.opening:
                return self._at(d, self.opening)
            if t.timetz().replace(tzinfo=None) < self.closing:
                return t
        return self._at(self.next_business_day(d), self.opening)

    def add_business_hours(self, t: datetime, hours: Decimal) -> datetime:
        """``t`` plus ``hours`` of business time (T2).

        Landing exactly on closing stays at 18:00 that day; adding more from 18:00 continues at the next
        opening, so ``add(add(t, a), b) == add(t, a + b)`` for positive ``a`` and ``b``. Zero hours
        return ``t`` unchanged.
        """
        if hours < 0:
            msg = f"cannot add negative business hours ({hours})"
            raise ValueError(msg)
        if hours == 0:
            return t.astimezone(self.tz)
        left = hours_to_timedelta(hours)
        cur = self.clock_start(t)
        while True:
            close = self._at(cur.date(), self.closing)
            if left <= close - cur:
                return cur + left
            left -= close - cur
            cur = self._at(self.next_business_day(cur.date()), self.opening)

    def business_hours_between(self, a: datetime, b: datetime) -> Decimal:
        """Business hours from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = timedelta(0)
        d = a.date()
        while d <= b.date():
            if self.is_business_day(d):
                lo = max(a, self._at(d, self.opening))
                hi = min(b, self._at(d, self.closing))
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return timedelta_to_hours(total)

    def deadline(self, received: datetime, business_days: int = 1) -> Deadline:
        """T2 (and T3/T4 with more days). **Reading:** 1 business day = ``hours_per_day`` business hours
        from the clock start. Mon 15:00 -> Tue 15:00; Fri 17:00 -> Mon 17:00; Sat 11:00 -> Mon 18:00.
        """
        if business_days < 1:
            msg = f"business_days must be at least 1 (got {business_days})"
            raise ValueError(msg)
        received = received.astimezone(self.tz)
        start = self.clock_start(received)
        due = self.add_business_hours(start, self.hours_per_day * business_days)
        return Deadline(received=received, clock_start=start, deadline=due)

    # --- off-hours bands (T7) -------------------------------------------------------------------
    def band(self, t: datetime) -> Band:
        """T7: the band of the instant ``t``. A non-business day is x3.0 for the whole calendar day;
        on a business day 10-18 x1.0, 18-22 x1.5, 22-24 and 0-10 x2.0.
        """
        t = t.astimezone(self.tz)
        oh = self.off_hours
        if not self.is_business_day(t.date()):
            return Band("holiday", oh.holiday)
        clock = t.timetz().replace(tzinfo=None)
        if self.opening <= clock < self.closing:
            return Band("business", oh.business)
        if self.closing <= clock < oh.evening_end:
            return Band("evening", oh.evening)
        return Band("night", oh.night)

    def _boundaries(self, d: date) -> list[datetime]:
        times = (time(0), self.opening, self.closing, self.off_hours.evening_end)
        return sorted({self._at(d, x) for x in times} | {self._at(d + timedelta(days=1), time(0))})

    def split(self, start: datetime, end: datetime) -> tuple[BandPart, ...]:
        """T7: ``start``-``end`` cut at band changes; adjacent pieces of the same band are merged."""
        start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        parts: list[BandPart] = []
        cur = start
        while cur < end:
            nxt = min([x for x in self._boundaries(cur.date()) if x > cur] + [end])
            band = self.band(cur)
            if parts and parts[-1].band == band.name and parts[-1].end == cur:
                prev = parts.pop()
                cur_start = prev.start
            else:
                cur_start = cur
            hours = timedelta_to_hours(nxt - cur_start)
            parts.append(BandPart(cur_start, nxt, hours, band.multiplier, band.name))
            cur = nxt
        return tuple(parts)

    def weighted_hours(self, start: datetime, end: datetime) -> Decimal:
        """T7: the hours a span consumes, each piece multiplied by its band."""
        return sum((p.weighted for p in self.split(start, end)), Decimal(0))
