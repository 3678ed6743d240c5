"""Inquiry records in the state store: the bot's mirror of customer issues and their SLA clocks.

The mirror (issue key, summary, status, category, staff issue, workflow data) lets the monthly report
and ``status`` run without reading Backlog (R1, R2). Clocks are stored whole, history included (T2-T4).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.rules.sla import Clock, ClockEvent, ClockKind, EventKind
from bot.state.db import Tx, upsert
from bot.state.store import StateStore


@dataclass(frozen=True)
class InquiryRow:
    """One customer issue as the bot knows it. ``data`` holds the workflow's own small state (JSON)."""

    issue_key: str
    customer: str
    issue_id: int
    summary: str
    created_user: str
    created: datetime
    status: str
    updated: datetime
    category: str | None = None
    staff_issue_key: str | None = None
    paused: bool = False
    closed: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def but(self, **changes: object) -> InquiryRow:
        return replace(self, **changes)  # type: ignore[arg-type]


_COLS = (
    "issue_key, customer, issue_id, summary, created_user, created, status, updated, category,"
    " staff_issue_key, paused, closed, data"
)


_SAVE_INQUIRY = upsert("inquiries", [c.strip() for c in _COLS.split(",")], ("issue_key",))
_SAVE_CLOCK = upsert("sla_clocks", ("issue_key", "kind", "seq", "customer", "data", "open"),
                     ("issue_key", "kind", "seq"))


def _inquiry(r: Sequence[Any]) -> InquiryRow:
    return InquiryRow(
        issue_key=r[0],
        customer=r[1],
        issue_id=int(r[2]),
        summary=r[3],
        created_user=r[4],
        created=datetime.fromisoformat(r[5]),
        status=r[6],
        updated=datetime.fromisoformat(r[7]),
        category=r[8],
        staff_issue_key=r[9],
        paused=bool(r[10]),
        closed=None if r[11] is None else datetime.fromisoformat(r[11]),
        data=json.loads(r[12]),
    )


def clock_to_json(c: Clock) -> str:
    def t(v: datetime | None) -> str | None:
        return None if v is None else v.isoformat()

    return json.dumps(
        {
            "kind": c.kind.value,
            "issue_key": c.issue_key,
            "started": t(c.started),
            "due": t(c.due),
            "budget": str(c.budget),
            "paused_at": t(c.paused_at),
            "paused_total": str(c.paused_total),
            "met_at": t(c.met_at),
            "breached_at": t(c.breached_at),
            "reminded_at": t(c.reminded_at),
            "history": [[e.kind.value, e.at.isoformat(), e.due.isoformat()] for e in c.history],
        }
    )


def clock_from_json(text: str) -> Clock:
    d = json.loads(text)

    def t(v: str | None) -> datetime | None:
        return None if v is None else datetime.fromisoformat(v)

    return Clock(
        kind=ClockKind(d["kind"]),
        issue_key=d["issue_key"],
        started=datetime.fromisoformat(d["started"]),
        due=datetime.fromisoformat(d["due"]),
        budget=Decimal(d["budget"]),
        paused_at=t(d["paused_at"]),
        paused_total=Decimal(d["paused_total"]),
        met_at=t(d["met_at"]),
        breached_at=t(d["breached_at"]),
        reminded_at=t(d["reminded_at"]),
        history=tuple(
            ClockEvent(EventKind(k), datetime.fromisoformat(a), datetime.fromisoformat(u))
            for k, a, u in d["history"]
        ),
    )


_STARTED = '"started": "'


def _started_in(data: str, low: str, high: str) -> bool:
    """The clock's start, as ``clock_to_json`` wrote it, is in ``[low, high)``; True when not found."""
    at = data.find(_STARTED)
    if at < 0:
        return True
    started = data[at + len(_STARTED):data.find('"', at + len(_STARTED))]
    return low <= started < high


@dataclass(frozen=True)
class StoredClock:
    customer: str
    seq: int
    clock: Clock


class InquiryRecords:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    # ---- the mirror ------------------------------------------------------------------------------
    def get(self, issue_key: str) -> InquiryRow | None:
        r = self.store.conn.execute(
            f"SELECT {_COLS} FROM inquiries WHERE issue_key = ?", (issue_key,)
        ).fetchone()
        return None if r is None else _inquiry(r)

    def by_staff_issue(self, staff_issue_key: str) -> InquiryRow | None:
        r = self.store.conn.execute(
            f"SELECT {_COLS} FROM inquiries WHERE staff_issue_key = ?", (staff_issue_key,)
        ).fetchone()
        return None if r is None else _inquiry(r)

    def for_customer(self, customer: str) -> list[InquiryRow]:
        rows = self.store.conn.execute(
            f"SELECT {_COLS} FROM inquiries WHERE customer = ? ORDER BY created", (customer,)
        )
        return [_inquiry(r) for r in rows]

    def for_month(self, customer: str, since: datetime, until: datetime) -> list[InquiryRow]:
        """The customer's issues a month's report lists (R1, R2; issue 22 item 4): created before
        ``until`` and not closed before ``since``, by the index on (customer, created). The bounds compare
        as stored ISO text (one day wider than the month, the caller keeps the exact instants)."""
        rows = self.store.conn.execute(
            f"SELECT {_COLS} FROM inquiries WHERE customer = ? AND created < ?"
            " AND (closed IS NULL OR closed >= ?) ORDER BY created",
            (customer, until.isoformat(), since.isoformat()),
        )
        return [_inquiry(r) for r in rows]

    def quoted(self, customer: str) -> list[InquiryRow]:
        """The customer's issues whose workflow data holds a quote, whatever their state or age (what
        pending quotes reserve, issue 15): the text test only narrows, callers read the quote itself."""
        rows = self.store.conn.execute(
            f"SELECT {_COLS} FROM inquiries WHERE customer = ? AND data LIKE ? ORDER BY created",
            (customer, '%"quote"%'),
        )
        return [_inquiry(r) for r in rows]

    def all(self) -> list[InquiryRow]:
        return [
            _inquiry(r) for r in self.store.conn.execute(f"SELECT {_COLS} FROM inquiries ORDER BY created")
        ]

    @staticmethod
    def save(conn: Tx, q: InquiryRow) -> None:
        conn.execute(
            _SAVE_INQUIRY,
            (
                q.issue_key,
                q.customer,
                q.issue_id,
                q.summary,
                q.created_user,
                q.created.isoformat(),
                q.status,
                q.updated.isoformat(),
                q.category,
                q.staff_issue_key,
                int(q.paused),
                None if q.closed is None else q.closed.isoformat(),
                json.dumps(q.data, ensure_ascii=False),
            ),
        )

    # ---- SLA clocks (T2-T4) ----------------------------------------------------------------------
    def clocks(self, issue_key: str | None = None, *, open_only: bool = False) -> list[StoredClock]:
        sql, args = "SELECT customer, seq, data FROM sla_clocks WHERE 1=1", list[object]()
        if issue_key is not None:
            sql, args = sql + " AND issue_key = ?", [*args, issue_key]
        if open_only:
            sql += " AND open = 1"
        rows = self.store.conn.execute(sql + " ORDER BY issue_key, kind, seq", args)
        return [StoredClock(str(r[0]), int(r[1]), clock_from_json(r[2])) for r in rows]

    def customer_clocks(
        self, customer: str, since: datetime | None = None, until: datetime | None = None,
    ) -> list[StoredClock]:
        """The customer's clocks; with ``since`` and ``until`` only those started in that range as stored
        ISO text (a month's report, R1; issue 22 item 4; callers widen it by a day). The table has no
        index by start, so the customer's rows are read, but only the clocks in range are decoded: the
        start is read off the stored text first (``clock_to_json`` writes it; not found: decoded anyway)."""
        rows = self.store.conn.execute(
            "SELECT customer, seq, data FROM sla_clocks WHERE customer = ? ORDER BY issue_key, kind, seq",
            (customer,),
        )
        low = "" if since is None else since.isoformat()
        high = "\uffff" if until is None else until.isoformat()  # after every ISO text
        return [StoredClock(str(r[0]), int(r[1]), clock_from_json(r[2])) for r in rows
                if _started_in(str(r[2]), low, high)]

    @staticmethod
    def save_clock(conn: Tx, customer: str, seq: int, clock: Clock) -> None:
        is_open = clock.met_at is None
        conn.execute(
            _SAVE_CLOCK,
            (clock.issue_key, clock.kind.value, seq, customer, clock_to_json(clock), int(is_open)),
        )
