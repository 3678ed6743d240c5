"""``service.toml`` (T1-T7, H1-H10, O7, R1): the models and the checks across fields (issue 13 item 2).

Each section is a strict model (``bot.config.fields``); ``service_problem`` then refuses what cannot be
right although every value has its type: closing before opening, a multiplier below 1 or out of the
brochure's order (business <= evening <= night <= holiday, T7), bands that overlap, thresholds out of
range, lead times out of order.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from bot.config.fields import STRICT, Clock, Multiplier, PosNum, Text, clock
from bot.config.users import UserEntry
from bot.config.workflow import Workflow
from bot.hour_tracker import QuotePolicy
from bot.rules.categories import Category
from bot.rules.estimates import EstimateTable
from bot.rules.scope import ScopeRule


class BusinessHours(BaseModel):
    """T1/T2: opening hours and the length of a business day."""

    model_config = STRICT
    timezone: Text = "Asia/Tokyo"
    opening: Clock = "10:00"
    closing: Clock = "18:00"
    hours_per_business_day: PosNum = Decimal(8)

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

    model_config = STRICT
    recurring: tuple[Text, ...] = ("12-29", "12-30", "12-31", "01-01", "01-02", "01-03")
    dates: tuple[date, ...] = ()
    verified_through: int = Field(2027, ge=2000, le=2100)

    @field_validator("recurring")
    @classmethod
    def _mmdd(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            try:
                if len(item) != 5:
                    raise ValueError
                datetime.strptime(f"2000-{item}", "%Y-%m-%d")  # noqa: DTZ007 - a leap year: 02-29 exists
            except ValueError:
                msg = f"{item!r} is not a MM-DD day"
                raise ValueError(msg) from None
        return v


class Sla(BaseModel):
    """T2-T4 clocks and when staff are reminded."""

    model_config = STRICT
    first_response_business_days: int = Field(1, ge=1, le=30)
    update_every_business_days: int = Field(1, ge=1, le=30)
    result_within_business_days: int = Field(2, ge=1, le=60)
    reminder_at: PosNum = Field(Decimal("0.75"), lt=1)


class OffHoursModel(BaseModel):
    """T7 bands and multipliers."""

    model_config = STRICT
    evening_end: Clock = "22:00"
    business: Multiplier = Decimal(1)
    evening: Multiplier = Decimal("1.5")
    night: Multiplier = Decimal(2)
    holiday: Multiplier = Decimal(3)


class PlanPrice(BaseModel):
    """One row of a price table (H1, H2)."""

    model_config = STRICT
    hours: PosNum
    price: int = Field(gt=0)


class Plans(BaseModel):
    """H1 annual and H2 bridge price tables."""

    model_config = STRICT
    annual: tuple[PlanPrice, ...] = Field(min_length=1)
    bridge: tuple[PlanPrice, ...] = Field(min_length=1)
    custom_min_hours: PosNum = Decimal(100)
    bridge_max_months: int = Field(6, ge=3, le=12)


class Spot(BaseModel):
    """H6/H7 spot purchases."""

    model_config = STRICT
    price_per_hour: int = Field(15_000, gt=0)
    unit_hours: PosNum = Decimal(1)


class Tasks(BaseModel):
    """O7 cap and H10 step."""

    model_config = STRICT
    max_hours: PosNum = Decimal(12)
    step: PosNum = Decimal("0.5")


class LeadTimes(BaseModel):
    """T6, T7 and H6 lead times, in calendar days."""

    model_config = STRICT
    recommended_days: int = Field(21, ge=0, le=365)  # T6: 8-20 days get the 2-3 weeks advice
    refuse_days: int = Field(7, ge=0, le=365)
    off_hours_notice_days: int = Field(14, ge=0, le=365)
    purchase_paperwork_days: int = Field(7, ge=0, le=365)
    purchase_finish_before_days: tuple[int, int] = (7, 14)


class QuarterEnd(BaseModel):
    """Quarter-end notices (H4) and usage thresholds in percent."""

    model_config = STRICT
    notice_business_days: int = Field(10, ge=1, le=60)
    usage_thresholds: tuple[int, ...] = (80, 100)


class Reports(BaseModel):
    """R1: when the monthly reports are published on the first business day of the month."""

    model_config = STRICT
    publish_at: Clock = "10:00"


class Staff(BaseModel):
    """The staff project, staff users and the bot's own Backlog user; a user is named by login, mail
    address or ``id:123`` (issue 18: spaces on the new plan have no login), checked when the file is read."""

    model_config = STRICT
    project: str = Field("HOSHU", pattern=r"^[A-Z][A-Z0-9_]*$")
    users: tuple[UserEntry, ...] = Field(("sato", "suzuki"), min_length=1)
    bot_user: UserEntry = "hoshu-bot"


class Backfill(BaseModel):
    """First start and after downtime (issue 13): how far back open, unanswered inquiries are adopted."""

    model_config = STRICT
    business_days: int = Field(3, ge=0, le=20)  # 0: no backfill


class ServiceConfig(BaseModel):
    """Everything about the service except customers (``service.toml`` plus the rule tables)."""

    model_config = STRICT
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
    backfill: Backfill = Backfill()
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


def _hours_between(start: str, end: str) -> Decimal:
    a, b = clock(start), clock(end)
    span = timedelta(hours=b.hour - a.hour, minutes=b.minute - a.minute)
    return Decimal(int(span.total_seconds())) / 3600


Problem = tuple[str, str] | None


def _hours_problem(s: ServiceConfig) -> Problem:
    """T1/T2: the day opens before it closes and is long enough for a business day's hours."""
    bh = s.business_hours
    if clock(bh.closing) <= clock(bh.opening):
        return "business_hours.closing", f"closing {bh.closing} must be after opening {bh.opening} (T1)"
    if bh.hours_per_business_day > _hours_between(bh.opening, bh.closing):
        return ("business_hours.hours_per_business_day", f"{bh.hours_per_business_day} h is longer than "
                f"the business day {bh.opening}-{bh.closing} (T2)")
    if s.sla.result_within_business_days < s.sla.first_response_business_days:
        return ("sla.result_within_business_days",
                "the result cannot be due before the first response (T2, T4)")
    return None


def _band_problem(s: ServiceConfig) -> Problem:
    """T7: business (opening-closing), evening (closing-evening_end), night (evening_end-opening) do not
    overlap; multipliers are at least 1 and ordered business = 1 <= evening <= night <= holiday."""
    bh, oh = s.business_hours, s.off_hours
    if not clock(bh.closing) < clock(oh.evening_end):
        return "off_hours.evening_end", (f"the evening band must end after closing {bh.closing}, "
                                         f"got {oh.evening_end} (bands would overlap, T7)")
    if oh.business != 1:
        return "off_hours.business", f"business hours count as they are (x1), got x{oh.business} (T7)"
    order = [("business", oh.business), ("evening", oh.evening), ("night", oh.night), ("holiday", oh.holiday)]
    for (low_name, low), (name, value) in itertools.pairwise(order):
        if value < low:
            return f"off_hours.{name}", (f"{name} x{value} is below {low_name} x{low}: the brochure orders "
                                         "business <= evening <= night <= holiday (T7)")
    return None


def _table_problem(s: ServiceConfig) -> Problem:
    """H1/H2 plan sizes listed once; the O7 cap a whole number of H10 steps."""
    for section, rows in (("annual", s.plans.annual), ("bridge", s.plans.bridge)):
        seen: set[Decimal] = set()
        for i, row in enumerate(rows):
            if row.hours in seen:
                return f"plans.{section}[{i}].hours", f"{row.hours} h is listed twice"
            seen.add(row.hours)
    if s.tasks.step > s.tasks.max_hours or s.tasks.max_hours % s.tasks.step != 0:
        return "tasks.max_hours", f"{s.tasks.max_hours} h is not a whole number of {s.tasks.step} h steps"
    return None


def _lead_problem(s: ServiceConfig) -> Problem:
    """T6/H6 lead times in order; usage thresholds percents in rising order."""
    lt = s.lead_times
    if lt.refuse_days > lt.recommended_days:
        return "lead_times.refuse_days", (f"{lt.refuse_days} days is more than the recommended "
                                          f"{lt.recommended_days} days (T6)")
    low, high = lt.purchase_finish_before_days
    if not 0 <= low <= high <= 365:
        return ("lead_times.purchase_finish_before_days",
                f"must be [low, high] days, 0 <= low <= high, got {low}, {high}")
    th = s.quarter_end.usage_thresholds
    for i, t in enumerate(th):
        if not 1 <= t <= 100 or (i and t <= th[i - 1]):
            return f"quarter_end.usage_thresholds[{i}]", f"percents 1-100 in rising order, got {t}"
    return None


def service_problem(s: ServiceConfig) -> Problem:
    """The first cross-field problem as (field, problem), or None when the service can be right."""
    for check in (_hours_problem, _band_problem, _table_problem, _lead_problem):
        found = check(s)
        if found is not None:
            return found
    return None
