"""What every inquiry handler shares: collaborators, the inquiry mirror, clocks, and ledger-then-confirm."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.backlog.directory import Directory
from bot.backlog.refs import reference_line
from bot.backlog.text import Doc, render
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.config.loader import BotConfig, Customer
from bot.errors import UsageError
from bot.inquiry.people import People
from bot.inquiry.quotes import confirm_ref, customer_balance, data_ref, ledger_data, ledger_record
from bot.inquiry.texts import Hours
from bot.rules.calendar import BusinessCalendar
from bot.rules.sla import Clock, ClockKind
from bot.state.inquiries import InquiryRecords, InquiryRow
from bot.state.store import StateStore
from bot.wording import Voice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ctx:
    """The collaborators of the inquiry use case (built once by ``InquiryWorkflow``)."""

    config: BotConfig
    store: StateStore
    records: InquiryRecords
    client: BacklogClient
    writer: BacklogWriter
    directory: Directory
    cal: BusinessCalendar
    people: People

    # ---- who is who (P3, P4), by a user's handle: the login, or ``id:123`` (issue 18) ------------
    def is_staff(self, user: str) -> bool:
        return self.people.is_staff(user)

    def is_bot(self, user: str) -> bool:
        return self.people.is_bot(user)

    def is_inquirer(self, customer: Customer, user: str) -> bool:
        """P3: ``user`` is one of the customer's registered inquirers (by numeric id once resolved)."""
        return self.people.is_inquirer(customer.project, user)

    def customer_of(self, project: str) -> Customer | None:
        try:
            return self.config.customer(project)
        except UsageError:
            return None

    def issue_url(self, key: str) -> str:
        return f"{self.client.transport.base_url}/view/{key}"

    # ---- the mirror and its clocks (T2-T4) -------------------------------------------------------
    def latest_clocks(self, issue_key: str) -> dict[ClockKind, tuple[int, Clock]]:
        """The newest clock of each kind on the issue, with its sequence number."""
        latest: dict[ClockKind, tuple[int, Clock]] = {}
        for sc in self.records.clocks(issue_key):
            if sc.clock.kind not in latest or sc.seq > latest[sc.clock.kind][0]:
                latest[sc.clock.kind] = (sc.seq, sc.clock)
        return latest

    def save(self, row: InquiryRow, clocks: Iterable[tuple[int, Clock]] = ()) -> None:
        """The row and its changed clocks, atomically (one transaction)."""
        with self.store.transaction() as conn:
            InquiryRecords.save(conn, row)
            for seq, clock in clocks:
                InquiryRecords.save_clock(conn, row.customer, seq, clock)

    # ---- writes -----------------------------------------------------------------------------------
    def to_staff(self, row: InquiryRow, ref: str, body: Doc | str) -> None:
        """Everything meant for staff goes to the inquiry's staff issue (Backlog has no private comments)."""
        if row.staff_issue_key is None:
            log.warning("no staff issue for %s; staff note %s not written", row.issue_key, ref)
            return
        self.writer.comment(self.config.service.staff.project, row.staff_issue_key, ref, body)

    def to_customer(
        self, row: InquiryRow, ref: str, body: Doc, *, data: Mapping[str, str] | None = None,
        record: Doc | None = None,
    ) -> None:
        """A comment on the customer issue, which ends with its document number only (INTERFACE,
        2026-12-03). ``data`` (what ``rebuild-state`` needs: hours, multiplier, who) goes first to the
        staff issue, as ``record`` with the machine line ``<ref kind>-data`` (:func:`data_ref`)."""
        if data:
            self.to_staff(row, data_ref(ref), self._with_data(row, data_ref(ref), record or Doc(()), data))
        self.writer.comment(row.customer, row.issue_key, ref, body)

    def _with_data(self, row: InquiryRow, ref: str, record: Doc, data: Mapping[str, str]) -> str:
        rule = self.directory.project(self.config.service.staff.project).rule
        return f"{render(record, rule)}\n\n{reference_line(ref, **data)}".lstrip()  # type: ignore[arg-type]

    def hours(self, customer: Customer, at: datetime, *, except_issue: str | None = None) -> Hours:
        """T5/R3: used and left in the quarter of ``at``, and what pending quotes reserve (issue 15)."""
        return Hours.from_balance(customer_balance(self.store, customer, at),
                                  self.reserved(customer.project, except_issue))

    def reserved(self, project: str, except_issue: str | None = None) -> Decimal:
        """Hours of the customer's quotes still waiting for an answer (shown, never consumed: H8)."""
        total = Decimal(0)
        for row in self.records.for_customer(project):
            q = row.data.get("quote")
            waiting = isinstance(q, dict) and q.get("state") in ("pending", "held")
            if row.issue_key != except_issue and waiting and isinstance(q, dict):
                total += Decimal(str(q.get("requested", "0")))
        return total

    def voice(self, project: str) -> Voice:
        """The wording as ``project``'s customer reads it (templates, overrides; issue 15)."""
        return self.config.voice(project)

    def record(
        self, row: InquiryRow, *, ledger_ref: str, kind: str, hours: Decimal, at: datetime, who: str,
        why: str, now: datetime, multiplier: Decimal = Decimal(1),
    ) -> bool:
        """Write one ledger entry and mirror the issue's actual hours; True when the entry is new.

        Idempotent (issue 5 step 6): the ledger refuses a known ``ledger_ref`` and the mirror is marked
        done by its own reference, so a crash anywhere here is finished, not repeated, by the next pass.
        The caller then posts the entry's one confirming comment with :meth:`confirm`.
        """
        new = self.store.append_ledger(
            customer=row.customer, kind=kind, hours=hours, at=at, issue_key=row.issue_key, who=who,
            why=why, ref=ledger_ref, now=now, title=row.summary, category=row.category or "",
            multiplier=multiplier,
        )
        if new:
            log.info("ledger %s: %s %s h on %s", ledger_ref, kind, hours, row.issue_key)
        if kind == "consume" and not self.store.has_ref(f"{ledger_ref}:mirror"):
            self._mirror_actual_hours(row, now)
            self.store.record_ref(f"{ledger_ref}:mirror", "mirror", row.customer, row.issue_key, now)
        return new

    def confirm(self, row: InquiryRow, ledger_ref: str, body: Doc) -> None:
        """The one customer comment confirming a ledger entry (reference from :func:`confirm_ref`).

        The entry's hours, multiplier, instant and author (``ledger_data``) go to the staff issue first,
        so ``rebuild-state`` can restore the ledger from Backlog alone (issue 7, issue 15, issue 20).
        """
        entry = next((e for e in self.store.ledger(row.customer) if e.ref == ledger_ref), None)
        self.to_customer(row, confirm_ref(ledger_ref), body,
                         data=None if entry is None else ledger_data(entry),
                         record=None if entry is None else ledger_record(self.voice(row.customer), entry))

    def _mirror_actual_hours(self, row: InquiryRow, now: datetime) -> None:
        """The issue's actual hours = everything consumed on it (the ledger is the truth; H8)."""
        total = sum(
            (e.hours for e in self.store.ledger(row.customer)
             if e.issue_key == row.issue_key and e.kind == "consume"),
            Decimal(0),
        )
        if self.writer.dry_run:
            log.info("dry-run: would set actual hours of %s to %s", row.issue_key, total)
            return
        self.client.update_issue(row.issue_key, actual_hours=total)
        log.info("actual hours of %s set to %s", row.issue_key, total)


class Work:
    """One inquiry being changed by one event: its row (with a private copy of ``data``) and clocks.

    Handlers mutate ``data`` and put clocks; ``Ctx.commit`` saves them together at the end.
    """

    def __init__(self, ctx: Ctx, row: InquiryRow) -> None:
        self.row = row.but(data=dict(row.data))
        self.clocks = ctx.latest_clocks(row.issue_key)
        self.dirty: dict[tuple[ClockKind, int], Clock] = {}

    @property
    def data(self) -> dict[str, object]:
        return self.row.data

    def put(self, seq: int, clock: Clock) -> None:
        """Record a changed (or new) clock; the newest sequence of a kind becomes its current clock."""
        self.dirty[(clock.kind, seq)] = clock
        current = self.clocks.get(clock.kind)
        if current is None or seq >= current[0]:
            self.clocks[clock.kind] = (seq, clock)

    def commit(self, ctx: Ctx) -> None:
        ctx.save(self.row, [(seq, clock) for (_, seq), clock in self.dirty.items()])
        self.dirty.clear()
