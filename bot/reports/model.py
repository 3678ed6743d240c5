"""The monthly report's values (R1): what the customer's page shows, as frozen data built by
``bot.reports.content.build_report`` and laid out by the ``customer/report`` template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.hour_tracker import Contract, Quarter
from bot.reports.trend import QuarterLine

DEFAULT_REMARKS = "特記事項はありません。"

IssueState = Literal["opened", "in_progress", "closed"]


def month_key(month: date) -> str:
    """``2026-11``: the month as the report's key (page name, reference)."""
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class Consumption:
    """One consumption of the month (H8): hours after the T7 multiplier, and the multiplier itself."""

    issue_key: str
    title: str
    category: str
    hours: Decimal
    multiplier: Decimal
    day: date


@dataclass(frozen=True)
class PurchaseLine:
    """Spot hours bought in the quarter (H6), with the price in yen excluding tax."""

    day: date
    hours: Decimal
    price: int


@dataclass(frozen=True)
class IssueLine:
    """One customer issue of the month and where it stood at the cut-off (R1, R2)."""

    issue_key: str
    summary: str
    created: date
    closed: date | None
    state: IssueState
    status: str = ""  # the issue's Backlog status as the bot last read it (未対応, 処理中, 処理済み …)
    alert: bool = False  # an issue the bot opened for an alert (monitoring), listed apart (review 15)


@dataclass(frozen=True)
class SlaLine:
    """One SLA clock started in the month (T2-T4): met on time, missed, or still open."""

    issue_key: str
    kind: str
    started: datetime
    due: datetime
    met_at: datetime | None
    outcome: str


@dataclass(frozen=True)
class AlertLine:
    """Monitoring alerts of the month (M2) for one adapter and error class."""

    adapter: str
    error_class: str
    count: int
    open: int
    closed: int


@dataclass(frozen=True)
class PendingQuote:
    """A quote still open when the report is written (review 2026-12-03 item 5): waiting for the
    customer's answer, or approved and held until a purchase is recorded (H7)."""

    number: str  # the お見積り番号 the customer was given: ACME-12-1
    issue_key: str
    summary: str
    hours: Decimal  # what the approval consumes (after the T7 multipliers)
    held: bool


@dataclass(frozen=True)
class Hours:
    """The quarter's figures at the cut-off; ``consumed + left == allotment + bought`` always (H4, H5)."""

    allotment: Decimal
    bought: Decimal
    bought_month: Decimal
    consumed_month: Decimal
    consumed_quarter: Decimal
    expires: date  # the quarter's last day: what is left lapses after it (H4)

    @property
    def left(self) -> Decimal:
        return self.allotment + self.bought - self.consumed_quarter

    @property
    def used_percent(self) -> int:
        total = self.allotment + self.bought
        if total <= 0:
            return 0
        return int((self.consumed_quarter * 100 / total).to_integral_value(ROUND_HALF_UP))


@dataclass(frozen=True)
class Forecast:
    """Hours that will lapse at quarter end if the quarter's pace so far goes on (H4), in 0.5 h steps."""

    days_elapsed: int
    days_total: int
    projected_use: Decimal
    lapse: Decimal


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the customer's page for one month shows (R1), as values."""

    customer: str
    customer_name: str
    month: date
    contract: Contract
    quarter: Quarter
    hours: Hours
    lapsed: Decimal  # hours that lapsed at a quarter end inside this month (H4); staff summary
    consumptions: tuple[Consumption, ...]
    purchases: tuple[PurchaseLine, ...]
    issues: tuple[IssueLine, ...]
    sla: tuple[SlaLine, ...]
    monitoring: bool
    alerts: tuple[AlertLine, ...]
    forecast: Forecast
    remarks: str = DEFAULT_REMARKS
    as_of: datetime | None = None  # a month still in progress: the instant the figures stand at
    reserved: Decimal = Decimal(0)  # hours of quotes waiting for an answer (in-progress months only)
    quarters: tuple[QuarterLine, ...] = ()  # the last three quarters, oldest first (the trend)
    pending: tuple[PendingQuote, ...] = ()  # quotes open when the report is written, oldest first

    @property
    def key(self) -> str:
        return month_key(self.month)

    def count(self, state: IssueState) -> int:
        """Customer inquiries in ``state`` (the bot's own alert issues are counted apart)."""
        return sum(1 for i in self.issues if i.state == state and not i.alert)

    @property
    def sla_met(self) -> int:
        return sum(1 for s in self.sla if s.outcome == "met")

    @property
    def sla_missed(self) -> int:
        return sum(1 for s in self.sla if s.outcome == "missed")
