"""Taking, keeping and handing on the lease (issue 22): the algorithm both stores share.

Split out of bot/state/store.py (module size); each store gives its database's clock (``_NOW``), its
fenced commit, a connection for the keeper and the check for a worker of an earlier version.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.errors import StoreLockedError
from bot.state import lease
from bot.state.db import Tx
from bot.state.lease import Keeper, Lease, Seen
from bot.state.transactions import TransactionalStore

log = logging.getLogger(__name__)


class OwnedStore(TransactionalStore):
    """A store that one process owns at a time, by lease."""

    _NOW = ""  # the database's clock, as SQL (seconds since the epoch)

    def __init__(self, conn: Tx, path: str) -> None:
        super().__init__(conn, path)
        self.lost = threading.Event()  # set when the connection or the lease is gone: stop acting
        self._keeper: Keeper | None = None

    # ---- what each store provides -----------------------------------------------------------------
    def _legacy_holder(self, tx: Tx) -> str | None:
        """A worker of an earlier version (lock file, advisory lock) that still owns the store."""
        return None

    def _side_connection(self) -> tuple[Tx, Callable[[], None]]:  # pragma: no cover - per store
        raise NotImplementedError

    # ---- taking it ----------------------------------------------------------------------------------
    def _bootstrap_lease(self, tx: Tx) -> None:
        tx.execute(lease.TABLE)
        tx.execute(lease.SEED)

    def holder(self) -> str:
        seen = lease.read(self.conn, self._NOW)
        return seen.owner if seen is not None and seen.owner else "unknown process"

    def _acquire(self, seconds: float, standby: threading.Event | None) -> None:
        """Own the store: take the lease if it expired (or its holder is proven dead here); otherwise
        refuse (StoreLockedError naming the holder) or, as a standby, look again every poll."""
        announced = False
        while True:
            seen = lease.read(self.conn, self._NOW)
            holder = "unknown process" if seen is None else seen.owner
            if seen is not None:
                dead = seen.remaining > 0 and lease.proven_dead(seen.proof)
                if seen.remaining <= 0 or dead:
                    sent = time.monotonic()
                    epoch, legacy = self._take(seen, seconds, dead=dead)
                    if epoch is not None:
                        self._own(Lease(seconds, epoch, sent, self.lost))
                        return
                    holder = legacy or holder
            if standby is None or standby.is_set():
                raise StoreLockedError(self.path, holder)
            if not announced:
                log.info("standby: waiting for the state store %s (held by %s)", self.describe(), holder)
                announced = True
            standby.wait(lease.POLL_SECONDS)

    def _take(self, seen: Seen, seconds: float, *, dead: bool) -> tuple[int | None, str | None]:
        with self.transaction() as tx:
            legacy = self._legacy_holder(tx)
            if legacy is not None:
                return None, legacy
            epoch = lease.take(tx, self._NOW, seconds, seen, dead=dead)
        if epoch is not None:
            log.info("state store %s: this worker holds the lease (epoch %d, %.0f s)%s", self.describe(),
                     epoch, seconds, "; its previous holder is dead" if dead else "")
        return epoch, None

    def _own(self, held: Lease) -> None:
        self.lease = held
        conn, close = self._side_connection()
        renew = lease.renew_sql(self._NOW)

        def once() -> bool:
            # A read first: it never waits for a lock (SQLite WAL, PostgreSQL MVCC), so a worker whose
            # lease was taken over learns it at once even while the new owner keeps the store busy.
            row = conn.execute("SELECT epoch FROM hoshu_lease WHERE id = 1").fetchone()
            if row is None or int(row[0]) != held.epoch:
                return False
            return bool(conn.execute(renew, (held.seconds, held.epoch)).rowcount == 1)

        def release() -> None:
            conn.execute(lease.release_sql(), (held.epoch,))

        self._keeper = Keeper(held, once, release, close)

    def confirm_lease(self) -> None:
        """Before a Backlog write: the lease is confirmed by the transaction that recorded the intent.

        Outside a transaction (or in a batch, after ``checkpoint``) that commit was fenced already; inside
        a longer transaction the epoch is checked now, and again at its commit.
        """
        held = self.lease
        if held is None or self._depth == 0 or (self._batch and self._depth == 1):
            return
        sent = time.monotonic()
        cur = self.conn.execute(
            f"SELECT 1 FROM hoshu_lease WHERE id = 1 AND epoch = ? AND expires_at > {self._NOW}",
            (held.epoch,))
        if cur.fetchone() is None:
            raise held.lose("another worker took over the lease")
        held.confirmed(sent - held.seconds / 2)  # only checked, not extended: count half of it

    def _carry_lease(self) -> None:
        """A new file under the owner: the lease row again, with the same epoch, before anything else."""
        held = self.lease
        with self.transaction() as tx:
            self._bootstrap_lease(tx)
            if held is not None:
                tx.execute(f"UPDATE hoshu_lease SET owner = ?, proof = ?, epoch = ?, expires_at = {self._NOW}"
                           " + ? WHERE id = 1",
                           (lease.holder_line(), lease.proof(), held.epoch, held.seconds))

    def guard(self) -> None:
        """Before a Backlog write leaves the process (bot/backlog/fence.py): LeaseLostError unless this
        store's lease surely holds for a while yet. A store opened without the lease guards nothing."""
        if self.lease is not None:
            self.lease.guard()

    def lease_lost(self) -> str | None:
        """Why this store's lease was lost, or None (held, never held, or only the connection lost)."""
        return self.lease.reason or None if self.lease is not None else None

    # ---- handing it on --------------------------------------------------------------------------------
    def release(self) -> None:
        """Stop renewing and hand the lease on at once (a clean stop, or the connection lost)."""
        keeper, self._keeper = self._keeper, None
        self.lease = None
        if keeper is not None:
            keeper.stop(release=True)
