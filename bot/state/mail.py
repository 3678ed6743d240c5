"""The processed-mail record: every mail the bot has dealt with, by a key that survives re-delivery.

The key is the Message-ID plus a hash of the body, so the same mail fetched again (restart, UIDVALIDITY
change, a crash between the Backlog write and the MOVE) is recognised and never acted on twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.state.db import Tx, memo, upsert, write
from bot.state.store import StateStore


@dataclass(frozen=True)
class MailSeen:
    mail_key: str
    outcome: str  # "issue", "grouped", "waiting", "no-monitoring", "ignored", "staff", "quarantined"
    customer: str | None
    fingerprint: str | None
    detail: str
    seen_at: datetime


_SEEN = "mail_key, outcome, customer, fingerprint, detail, seen_at"
_CHUNK = 500  # keys per look-up: well under SQLite's 999 and any statement size limit


def _seen(r: tuple[str, str, str | None, str | None, str, str]) -> MailSeen:
    return MailSeen(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]))


_PUT = upsert("mail_seen", ("mail_key", "outcome", "customer", "fingerprint", "detail", "seen_at"),
              ("mail_key",))


class MailRecords:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    def get(self, mail_key: str) -> MailSeen | None:
        known = memo(self.store.conn)
        if known is not None and ("mail", mail_key) in known:
            return known["mail", mail_key]  # type: ignore[no-any-return]
        r = self.store.conn.execute(
            f"SELECT {_SEEN} FROM mail_seen WHERE mail_key = ?", (mail_key,),
        ).fetchone()
        seen = None if r is None else _seen(r)
        if known is not None:
            known["mail", mail_key] = seen
        return seen

    def prefetch(self, mail_keys: Iterable[str]) -> None:
        """Inside a batch: look up the records of ``mail_keys`` at once (one statement per 500 keys, by
        the primary key), so that ``get`` of each answers from the batch's memo (issue 22 item 3)."""
        known = memo(self.store.conn)
        wanted = list(dict.fromkeys(k for k in mail_keys if known is not None and ("mail", k) not in known))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            found = {r[0]: _seen(r) for r in self.store.conn.execute(
                f"SELECT {_SEEN} FROM mail_seen WHERE mail_key IN ({marks})", chunk)}
            if known is not None:  # a rollback in between only empties it
                known.update((("mail", k), found.get(k)) for k in chunk)

    @staticmethod
    def put(conn: Tx, seen: MailSeen) -> None:
        known = memo(conn)
        if known is not None:
            known["mail", seen.mail_key] = seen
        write(
            conn,
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
