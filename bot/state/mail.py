"""The processed-mail record: every mail the bot has dealt with, by a key that survives re-delivery.

The key is the Message-ID plus a hash of the body, so the same mail fetched again (restart, UIDVALIDITY
change, a crash between the Backlog write and the MOVE) is recognised and never acted on twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.state.db import Tx, upsert
from bot.state.store import StateStore


@dataclass(frozen=True)
class MailSeen:
    mail_key: str
    outcome: str  # "issue", "grouped", "waiting", "no-monitoring", "ignored", "staff", "quarantined"
    customer: str | None
    fingerprint: str | None
    detail: str
    seen_at: datetime


_PUT = upsert("mail_seen", ("mail_key", "outcome", "customer", "fingerprint", "detail", "seen_at"),
              ("mail_key",))


class MailRecords:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    def get(self, mail_key: str) -> MailSeen | None:
        r = self.store.conn.execute(
            "SELECT mail_key, outcome, customer, fingerprint, detail, seen_at FROM mail_seen"
            " WHERE mail_key = ?",
            (mail_key,),
        ).fetchone()
        if r is None:
            return None
        return MailSeen(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]))

    @staticmethod
    def put(conn: Tx, seen: MailSeen) -> None:
        conn.execute(
            _PUT,
            (
                seen.mail_key,
                seen.outcome,
                seen.customer,
                seen.fingerprint,
                seen.detail,
                seen.seen_at.isoformat(),
            ),
        )

    def counts(self) -> dict[str, int]:
        rows = self.store.conn.execute("SELECT outcome, count(*) FROM mail_seen GROUP BY outcome")
        return {str(o): int(n) for o, n in rows}
