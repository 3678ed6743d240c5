"""Monitoring records in the state store: alert groups (one open issue per fingerprint) and occurrences."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.state.db import Tx, memo, upsert, write
from bot.state.store import StateStore


@dataclass(frozen=True)
class AlertGroupRow:
    """One fingerprint's group (rule M2 triage): its issue, how often it came, when, and comment pacing.

    ``generation`` counts the issues opened for this fingerprint: after an issue is closed, the next
    occurrence opens generation + 1, which links the old issue.
    """

    fingerprint: str
    generation: int
    customer: str
    adapter: str
    job: str
    error_code: str
    error_class: str
    issue_key: str | None
    status: str  # "waiting" (transient below threshold), "open", "closed"
    count: int
    first_seen: datetime
    last_seen: datetime
    last_comment_at: datetime | None = None
    since_comment: int = 0
    recent: tuple[datetime, ...] = ()

    def but(self, **changes: object) -> AlertGroupRow:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AlertEventRow:
    mail_key: str
    fingerprint: str
    customer: str
    adapter: str
    error_class: str
    occurred_at: datetime


_COLS = (
    "fingerprint, generation, customer, adapter, job, error_code, error_class, issue_key, status, count,"
    " first_seen, last_seen, last_comment_at, since_comment, recent"
)


_SAVE_GROUP = upsert("alert_groups", [c.strip() for c in _COLS.split(",")], ("fingerprint", "generation"))


def _dt(v: str | None) -> datetime | None:
    return None if v is None else datetime.fromisoformat(v)


def _row(r: tuple[object, ...]) -> AlertGroupRow:
    return AlertGroupRow(
        fingerprint=str(r[0]),
        generation=int(str(r[1])),
        customer=str(r[2]),
        adapter=str(r[3]),
        job=str(r[4]),
        error_code=str(r[5]),
        error_class=str(r[6]),
        issue_key=None if r[7] is None else str(r[7]),
        status=str(r[8]),
        count=int(str(r[9])),
        first_seen=datetime.fromisoformat(str(r[10])),
        last_seen=datetime.fromisoformat(str(r[11])),
        last_comment_at=_dt(None if r[12] is None else str(r[12])),
        since_comment=int(str(r[13])),
        recent=tuple(datetime.fromisoformat(x) for x in json.loads(str(r[14]))),
    )


class AlertRecords:
    """Reads and writes alert groups and events; writes take the caller's transaction connection."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def latest(self, fingerprint: str) -> AlertGroupRow | None:
        """The newest generation of a fingerprint's group, open or closed; inside a batch read once and
        then kept in the batch's memo, which this batch's saves keep current."""
        known = memo(self.store.conn)
        if known is not None and ("group", fingerprint) in known:
            return known["group", fingerprint]  # type: ignore[no-any-return]
        r = self.store.conn.execute(
            f"SELECT {_COLS} FROM alert_groups WHERE fingerprint = ? ORDER BY generation DESC LIMIT 1",
            (fingerprint,),
        ).fetchone()
        row = None if r is None else _row(r)
        if known is not None:
            known["group", fingerprint] = row
        return row

    def prefetch(self, fingerprints: Iterable[str]) -> None:
        """Inside a batch: the newest group of each of ``fingerprints`` at once (one statement per 500,
        by the primary key), so that ``latest`` answers from the batch's memo (issue 22 item 3)."""
        known = memo(self.store.conn)
        if known is None:
            return
        wanted = list(dict.fromkeys(f for f in fingerprints if ("group", f) not in known))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            newest: dict[str, AlertGroupRow] = {}
            rows = self.store.conn.execute(
                f"SELECT {_COLS} FROM alert_groups WHERE fingerprint IN ({', '.join('?' * len(chunk))})"
                " ORDER BY fingerprint, generation", chunk)
            for r in rows:
                row = _row(r)
                newest[row.fingerprint] = row  # ordered by generation: the last one is the newest
            known.update((("group", f), newest.get(f)) for f in chunk)

    def issue_of(self, fingerprint: str, generation: int) -> str | None:
        """The issue opened for one generation of a fingerprint's group (None: none, or still waiting)."""
        r = self.store.conn.execute(
            "SELECT issue_key FROM alert_groups WHERE fingerprint = ? AND generation = ?",
            (fingerprint, generation),
        ).fetchone()
        return None if r is None or r[0] is None else str(r[0])

    def groups(self, customer: str | None = None, status: str | None = None) -> list[AlertGroupRow]:
        sql, args = f"SELECT {_COLS} FROM alert_groups WHERE 1=1", list[str]()
        if customer is not None:
            sql, args = sql + " AND customer = ?", [*args, customer]
        if status is not None:
            sql, args = sql + " AND status = ?", [*args, status]
        return [_row(r) for r in self.store.conn.execute(sql + " ORDER BY first_seen", args)]

    def groups_with_events(self, customer: str, since: datetime, until: datetime) -> list[AlertGroupRow]:
        """Every generation of the customer's groups that had an event in ``[since, until)`` (stored ISO
        text, as ``events``): the groups a month's report counts as open or closed (M2, issue 22 item 4),
        by the index on the events' (customer, occurred_at) and the groups' key, not all the groups."""
        rows = self.store.conn.execute(
            f"SELECT {_COLS} FROM alert_groups WHERE customer = ? AND fingerprint IN"
            " (SELECT fingerprint FROM alert_events WHERE customer = ? AND occurred_at >= ?"
            " AND occurred_at < ?) ORDER BY first_seen",
            (customer, customer, since.isoformat(), until.isoformat()),
        )
        return [_row(r) for r in rows]

    def by_issue(self, issue_key: str) -> AlertGroupRow | None:
        r = self.store.conn.execute(
            f"SELECT {_COLS} FROM alert_groups WHERE issue_key = ?", (issue_key,)
        ).fetchone()
        return None if r is None else _row(r)

    @staticmethod
    def save(conn: Tx, g: AlertGroupRow) -> None:
        known = memo(conn)
        if known is not None:
            key = ("group", g.fingerprint)
            held = known.get(key)
            if key in known and (held is None or held.generation <= g.generation):  # only the newest
                known[key] = g
        write(
            conn,
            _SAVE_GROUP,
            (
                g.fingerprint,
                g.generation,
                g.customer,
                g.adapter,
                g.job,
                g.error_code,
                g.error_class,
                g.issue_key,
                g.status,
                g.count,
                g.first_seen.isoformat(),
                g.last_seen.isoformat(),
                None if g.last_comment_at is None else g.last_comment_at.isoformat(),
                g.since_comment,
                json.dumps([t.isoformat() for t in g.recent]),
            ),
        )

    @staticmethod
    def add_event(conn: Tx, e: AlertEventRow) -> bool:
        """Record one occurrence; True when it was new (or, queued in a mail batch, not known yet)."""
        changed = write(
            conn,
            "INSERT INTO alert_events (mail_key, fingerprint, customer, adapter, error_class,"
            " occurred_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (e.mail_key, e.fingerprint, e.customer, e.adapter, e.error_class, e.occurred_at.isoformat()),
        )
        return changed is None or changed == 1

    def events(self, customer: str, since: datetime, until: datetime) -> list[AlertEventRow]:
        rows = self.store.conn.execute(
            "SELECT mail_key, fingerprint, customer, adapter, error_class, occurred_at FROM alert_events"
            " WHERE customer = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at",
            (customer, since.isoformat(), until.isoformat()),
        )
        return [
            AlertEventRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), datetime.fromisoformat(r[5]))
            for r in rows
        ]

    def occurred_times(self, fingerprint: str, seen_since: datetime) -> list[datetime]:
        """The adapter's error times of a fingerprint's events whose mail the bot handled at or after
        ``seen_since`` (one generation's occurrences; issue 12: times per occurrence, first and last)."""
        # Each event's mail record by its key (a correlated look-up, not a join): the cost follows the
        # group's events, never the whole of mail_seen, whatever plan the statistics would choose (at
        # 30,000 mails PostgreSQL hash-joined a full scan of mail_seen, 5 ms per call; issue 22).
        rows = self.store.conn.execute(
            "SELECT e.occurred_at, (SELECT m.seen_at FROM mail_seen m WHERE m.mail_key = e.mail_key)"
            " FROM alert_events e WHERE e.fingerprint = ?",
            (fingerprint,),
        )
        pairs = [(datetime.fromisoformat(str(r[0])), datetime.fromisoformat(str(r[1])))
                 for r in rows if r[1] is not None]  # an event without its mail record: as the join did
        # An event without the adapter's time was stored at the instant the mail was handled (the monitoring
        # service's fallback, for the monthly report): it is not an adapter time, so it is left out here.
        return sorted(occurred for occurred, seen in pairs if seen >= seen_since and occurred != seen)
