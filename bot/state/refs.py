"""The reference index: every issue, comment and wiki page the bot wrote, by its reference (INTERFACE.md).

Split out of bot/state/store.py (module size); :class:`~bot.state.store.StateStore` inherits it. A
pending mark (target ``""``) is the intent of a Backlog write, recorded and made durable before the call.
"""

from __future__ import annotations

from datetime import datetime

from bot.state.db import Tx
from bot.state.ownership import OwnedStore


class ReferenceIndex(OwnedStore):
    """The ``refs`` table: reference -> where it landed in Backlog (or pending)."""

    # ---- references written to Backlog -----------------------------------------------------------
    def has_ref(self, ref: str) -> bool:
        return self.conn.execute("SELECT 1 FROM refs WHERE ref = ?", (ref,)).fetchone() is not None

    def ref_target(self, ref: str) -> str | None:
        row = self.conn.execute("SELECT target FROM refs WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else str(row[0])

    def ref_written_at(self, ref: str) -> datetime | None:
        """When ``ref`` was first recorded (for a pending mark: when its write was first attempted)."""
        row = self.conn.execute("SELECT written_at FROM refs WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else datetime.fromisoformat(str(row[0]))

    def record_ref(self, ref: str, kind: str, project: str, target: str, now: datetime) -> None:
        """Record a reference; durable when this returns, even inside a batch.

        The writer records a write's pending mark here before the Backlog call it guards, so a crash
        after that call must find the mark: inside a ``batch()`` the batch is committed so far and goes
        on (``checkpoint``). That is one commit per Backlog write, not per mail. The same commit confirms
        the owner's lease (issue 22): a worker whose lease was taken over gets LeaseLostError here and
        the Backlog call is never made.
        """
        with self.transaction() as c:
            c.execute(
                "INSERT INTO refs (ref, kind, project, target, written_at, marked_at) VALUES (?, ?, ?, ?, ?,"
                f" {self._NOW}) ON CONFLICT DO NOTHING", (ref, kind, project, target, now.isoformat()),
            )
        self.checkpoint()
        self.confirm_lease()

    def pending_marks(self, within: float) -> dict[str, float]:
        """Pending marks made less than ``within`` seconds ago (by the database's clock): ref -> age.

        A new owner holds these (bot/backlog/writer.py ``hold_pending``): its predecessor, killed or
        frozen in the middle of the write, may have sent it, and it may still land (issue 22)."""
        rows = self.conn.execute(
            f"SELECT ref, {self._NOW} - marked_at FROM refs WHERE target = '' AND marked_at > {self._NOW}"
            " - ?", (within,))
        return {str(r): max(0.0, float(a)) for r, a in rows}

    @staticmethod
    def record_ref_in(
        c: Tx, ref: str, kind: str, project: str, target: str, now: datetime
    ) -> None:
        c.execute(
            "INSERT INTO refs (ref, kind, project, target, written_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (ref, kind, project, target, now.isoformat()),
        )

    def set_ref(self, ref: str, kind: str, project: str, target: str, now: datetime) -> None:
        """Record where ``ref`` landed, replacing a pending mark (``record_ref`` never replaces)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO refs (ref, kind, project, target, written_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (ref) DO UPDATE SET target = excluded.target",
                (ref, kind, project, target, now.isoformat()),
            )

    def refs_by_kind(self, kind: str) -> dict[str, str]:
        rows = self.conn.execute("SELECT ref, target FROM refs WHERE kind = ?", (kind,))
        return {str(r): str(t) for r, t in rows}
