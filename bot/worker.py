"""The long-running worker: ticks its jobs with a private ``schedule.Scheduler`` and survives failures.

A lost connection to a PostgreSQL store, or a lost lease (issue 22), ends the loop (StoreLostError): a
standby may own the store by now.
The scheduler only ticks. Each job decides from ``now`` what is due, so work missed while the worker was
down is caught up on the first tick after start. A job that raises is logged with its cause, recorded in
the state store (``status`` shows it) and backed off exponentially; the other jobs go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import schedule

from bot.clock import Clock
from bot.errors import LeaseLostError, StoreLostError
from bot.state import StateStore

log = logging.getLogger(__name__)

JobFn = Callable[[datetime], None]


@dataclass(frozen=True)
class Job:
    """A named, idempotent piece of work run every ``every_seconds``."""

    name: str
    every_seconds: int
    fn: JobFn


@dataclass
class _Backoff:
    failures: int = 0
    until: float = 0.0


@dataclass
class Worker:
    """Runs jobs until ``stop`` is set; ``run_once`` runs each job once (``run --once``)."""

    jobs: list[Job]
    store: StateStore
    clock: Clock
    stop: threading.Event = field(default_factory=threading.Event)
    monotonic: Callable[[], float] = time.monotonic
    base_backoff: float = 5.0
    max_backoff: float = 900.0
    # The store is shared with the mail thread: health writes take the same lock as the jobs (bot/app.py).
    lock: threading.RLock = field(default_factory=threading.RLock)
    _backoff: dict[str, _Backoff] = field(default_factory=dict)

    def run_once(self) -> bool:
        """One pass of every job; True when all of them succeeded."""
        return all([self.run_job(job) for job in self.jobs])

    def run_forever(self, tick_seconds: float = 0.5) -> None:
        scheduler = schedule.Scheduler()
        for job in self.jobs:
            scheduler.every(job.every_seconds).seconds.do(self.run_job, job)
        # Catch up at once on start: jobs decide from `now` what was missed while the worker was down.
        self.run_once()
        while not self.stop.is_set():
            if self.store.lost.is_set():  # the connection or the lease is gone: stop acting
                self.stop.set()
                break
            scheduler.run_pending()
            self.stop.wait(tick_seconds)
        log.info("worker stopped")

    def run_job(self, job: Job) -> bool:
        if self.stop.is_set():
            return True
        state = self._backoff.setdefault(job.name, _Backoff())
        if self.monotonic() < state.until:
            return False
        now = self.clock()
        try:
            job.fn(now)
        except StoreLostError as exc:
            # Not a job failure to back off from: this worker no longer owns the store (a standby may).
            if not isinstance(exc, LeaseLostError):  # a lost lease: ``run`` says it once
                log.error("job %s: %s; the worker stops", job.name, exc)
            self.stop.set()
            return False
        except Exception as exc:  # the one place that catches everything: one job must not stop the rest
            failures = self._record_failure(job.name, exc, now)
            state.failures = failures
            delay = min(self.base_backoff * 2 ** (failures - 1), self.max_backoff)
            state.until = self.monotonic() + delay
            log.error(
                "job %s failed (%d in a row), retrying in %.0f s: %s: %s",
                job.name, failures, delay, type(exc).__name__, exc,
            )
            return False
        state.failures, state.until = 0, 0.0
        try:
            with self.lock:
                self.store.mark_ok(job.name, now)
        except StoreLostError:  # the lease went while the job ran: its success is not this worker's to record
            self.stop.set()
            return False
        return True

    def _record_failure(self, name: str, exc: Exception, now: datetime) -> int:
        try:
            with self.lock:
                return self.store.mark_failed(name, f"{type(exc).__name__}: {exc}", now)
        except Exception:  # the store itself may be the failure (disk refuses writes)
            log.exception("could not record the failure of job %s", name)
            return self._backoff.get(name, _Backoff()).failures + 1
