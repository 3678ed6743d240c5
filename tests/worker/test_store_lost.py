"""A worker whose PostgreSQL connection is lost stops instead of backing off (issue 14): the owner lock
went with the connection, so a standby may be active already and must not be doubled."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.errors import StoreLostError
from bot.state import StateStore
from bot.worker import Job, Worker

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_a_lost_store_stops_the_worker_and_no_later_job_runs() -> None:
    store = StateStore.memory()
    ran: list[str] = []

    def lost(now: datetime) -> None:
        raise StoreLostError("lost the connection to the state store; its owner lock went with it")

    worker = Worker(jobs=[Job("poll", 1, lost), Job("sla", 1, lambda now: ran.append("sla"))], store=store,
                    clock=FixedClock(NOW), stop=threading.Event())
    assert worker.run_once() is False
    assert worker.stop.is_set()
    assert ran == []  # the rest of the pass is skipped: this worker no longer owns the store
    assert store.health() == []  # not recorded as a job failure to retry


def test_the_loop_ends_when_the_store_reports_the_loss() -> None:
    store = StateStore.memory()
    worker = Worker(jobs=[], store=store, clock=FixedClock(NOW), stop=threading.Event())
    store.lost.set()
    done = threading.Thread(target=worker.run_forever, kwargs={"tick_seconds": 0.01})
    done.start()
    done.join(timeout=5)
    assert not done.is_alive()
    assert worker.stop.is_set()
