"""Ownership of the store by lease, with fencing (issue 22; docs/decisions/2026-12-04-lease.md).

One row, ``hoshu_lease (owner, proof, epoch, expires_at)``, in the store itself (SQLite and PostgreSQL
alike). The owner renews it every ``seconds / 6``; a contender takes it only when it has expired by the
**database's** clock (``expires_at`` and every comparison are computed by the database, so the workers'
clocks never meet) or when the holder is proven dead on this very machine (same host and boot, its pid
gone): then it increments ``epoch``. Every commit of the owner re-checks (and extends) the lease with the
epoch it was given, in the same transaction, so a worker that wakes up after its lease was taken over
commits nothing. Nothing lives in the session (no advisory lock, no ``SET``): a transaction pooler such
as PgBouncer in transaction mode may hand each transaction to another server connection.

The owner also knows, by its own monotonic clock, until when its lease surely holds: the database set
``expires_at = now + seconds`` after the renewal was sent, so the lease lasts at least until
``sent + seconds``. Backlog writes are refused locally once less than a third of the lease is left
(:meth:`Lease.guard`), so a write is never sent near the moment a standby may take over.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import LeaseLostError
from bot.state.db import Tx

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30.0
POLL_SECONDS = 0.5  # how often a standby looks at the lease (takeover within lease + one poll)
TABLE = ("CREATE TABLE IF NOT EXISTS hoshu_lease (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL,"
         " proof TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)")
SEED = ("INSERT INTO hoshu_lease (id, owner, proof, epoch, expires_at) VALUES (1, '', '', 0, 0)"
        " ON CONFLICT DO NOTHING")
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def holder_line() -> str:
    """Who owns a store, for people: ``pid N on HOST since TIME``."""
    since = datetime.now(UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()} on {socket.gethostname()} since {since}"


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _boot_id() -> str:
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def proof() -> str:
    """What lets a contender on the same machine prove this process dead: host, boot, pid, start time."""
    pid = os.getpid()
    return "|".join((socket.gethostname(), _boot_id(), str(pid), _start_ticks(pid) or ""))


def proven_dead(text: str) -> bool:
    """True only when the holder ran on this host in this boot and its process is gone (its pid is free
    or now belongs to a process started later). Anything else (another machine, no /proc): not proven,
    and the contender waits for the lease to expire."""
    parts = text.split("|")
    if len(parts) != 4 or not parts[1] or not parts[3] or not parts[2].isdigit():
        return False
    host, boot, pid, ticks = parts
    if host != socket.gethostname() or boot != _boot_id():
        return False
    return _start_ticks(int(pid)) != ticks


@dataclass(frozen=True)
class Seen:
    """The lease row as a contender reads it; ``remaining`` in seconds by the database's clock."""

    owner: str
    proof: str
    epoch: int
    remaining: float


def read(conn: Tx, now_sql: str) -> Seen | None:
    row = conn.execute(
        f"SELECT owner, proof, epoch, expires_at - {now_sql} FROM hoshu_lease WHERE id = 1").fetchone()
    return None if row is None else Seen(str(row[0]), str(row[1]), int(row[2]), float(row[3]))


def take(conn: Tx, now_sql: str, seconds: float, seen: Seen, *, dead: bool) -> int | None:
    """Compare-and-set inside the caller's transaction: the new epoch, or None when another contender
    won or the holder renewed in between (the lease is then someone else's; nothing changed)."""
    cur = conn.execute(
        f"UPDATE hoshu_lease SET owner = ?, proof = ?, epoch = epoch + 1, expires_at = {now_sql} + ?"
        f" WHERE id = 1 AND epoch = ? AND (expires_at <= {now_sql} OR ? = 1)",
        (holder_line(), proof(), seconds, seen.epoch, int(dead)),
    )
    return seen.epoch + 1 if cur.rowcount == 1 else None


def renew_sql(now_sql: str) -> str:
    """The renewal: the lease is extended only while its epoch is still ours (``rowcount`` 1)."""
    return f"UPDATE hoshu_lease SET expires_at = {now_sql} + ? WHERE id = 1 AND epoch = ?"


def release_sql() -> str:
    """A clean stop hands the lease on at once (a standby need not wait for it to expire)."""
    return "UPDATE hoshu_lease SET expires_at = 0 WHERE id = 1 AND epoch = ?"


class Lease:
    """The lease this process holds: its epoch, until when it surely holds, and whether it was lost."""

    def __init__(self, seconds: float, epoch: int, sent: float, lost: threading.Event) -> None:
        self.seconds = seconds
        self.epoch = epoch
        self.valid_until = sent + seconds
        self.lost = lost
        self.reason = ""

    @property
    def renew_every(self) -> float:
        return max(0.1, self.seconds / 6)

    def confirmed(self, sent: float) -> None:
        """The database extended the lease after ``sent`` (a monotonic time taken before sending)."""
        self.valid_until = max(self.valid_until, sent + self.seconds)

    def lose(self, why: str) -> LeaseLostError:
        """Mark the lease lost (the first reason is kept) and return the error to raise."""
        if not self.reason:
            self.reason = why
        self.lost.set()
        return LeaseLostError(f"lease lost (epoch {self.epoch}): {self.reason}")

    def guard(self) -> None:
        """Before a Backlog write leaves this process: refuse it unless a third of the lease is left.

        A worker frozen between recording its intent and sending finds, when it wakes, that its lease may
        have been taken over, and sends nothing.
        """
        if self.lost.is_set():
            raise self.lose(self.reason)
        if time.monotonic() + self.seconds / 3 >= self.valid_until:
            raise self.lose("the lease was not renewed in time (the worker was frozen or cut off)")


class Keeper:
    """A thread renewing the lease on its own connection; it stops at ``close`` or when the lease is lost.

    ``renew`` returns False when the epoch moved on (taken over); an error (the database unreachable)
    is retried at the next tick, while the lease runs out by itself.
    """

    def __init__(self, lease: Lease, renew: Callable[[], bool], release: Callable[[], None],
                 close: Callable[[], None]) -> None:
        self.lease = lease
        self._renew = renew
        self._release = release
        self._close = close
        self._handing_on = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.lease.renew_every):
                if self.lease.lost.is_set():  # the store stopped acting (connection lost): renew no more
                    break
                sent = time.monotonic()
                try:
                    ok = self._renew()
                except Exception as exc:  # the next tick tries again; the lease runs out meanwhile
                    log.debug("lease renewal failed: %s: %s", type(exc).__name__, exc)
                    continue
                if not ok:
                    self.lease.lose("another worker took over the lease")
                    break
                self.lease.confirmed(sent)
            self._stop.wait()
        finally:
            with contextlib.suppress(Exception):
                if self._handing_on:  # on the keeper's own connection: it works when the main one broke
                    self._release()
            with contextlib.suppress(Exception):
                self._close()

    def stop(self, *, release: bool) -> None:
        """End the thread; ``release``: hand the lease on at once (``WHERE epoch = ours``: a no-op once
        another worker holds it)."""
        self._handing_on = release
        self._stop.set()
        self._thread.join(timeout=10)
