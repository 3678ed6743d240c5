"""The worker loop: failing jobs are backed off and recorded, the others go on."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.state import StateStore
from bot.worker import Job, Worker

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _boom(now: datetime) -> None:
    raise RuntimeError("mailbox unreachable")


class TestWorker:
    def test_a_job_that_always_raises_does_not_stop_the_others_and_shows_in_health(self) -> None:
        store = StateStore.memory()
        ran: list[datetime] = []
        mono = FakeMonotonic()
        worker = Worker(
            jobs=[Job("mail", 1, _boom), Job("backlog", 1, ran.append)],
            store=store, clock=FixedClock(NOW), monotonic=mono,
        )
        assert worker.run_once() is False
        mono.t += 10_000
        worker.run_once()
        assert ran == [NOW, NOW]
        health = {h.name: h for h in store.health()}
        assert health["mail"].failures == 2
        assert health["mail"].last_error == "RuntimeError: mailbox unreachable"
        assert health["backlog"].last_ok == NOW

    def test_a_failed_job_is_backed_off_exponentially(self) -> None:
        store = StateStore.memory()
        calls: list[float] = []
        mono = FakeMonotonic()

        def flaky(now: datetime) -> None:
            calls.append(mono.t)
            raise RuntimeError("down")

        worker = Worker(jobs=[Job("flaky", 1, flaky)], store=store, clock=FixedClock(NOW), monotonic=mono)
        worker.run_once()  # fails: next try after 5 s
        mono.t += 4
        worker.run_once()  # still backing off: not called
        mono.t += 2
        worker.run_once()  # fails again: next try after 10 s
        mono.t += 9
        worker.run_once()
        mono.t += 2
        worker.run_once()
        assert calls == [1000.0, 1006.0, 1017.0]

    def test_success_resets_the_backoff(self) -> None:
        store = StateStore.memory()
        mono = FakeMonotonic()
        outcomes = iter([RuntimeError("x"), None, RuntimeError("y")])
        calls: list[float] = []

        def job(now: datetime) -> None:
            calls.append(mono.t)
            exc = next(outcomes)
            if exc:
                raise exc

        worker = Worker(jobs=[Job("j", 1, job)], store=store, clock=FixedClock(NOW), monotonic=mono)
        worker.run_once()
        mono.t += 5
        worker.run_once()
        mono.t += 0.1
        worker.run_once()
        assert len(calls) == 3
        (h,) = store.health()
        assert h.failures == 1

    def test_run_forever_catches_up_at_once_and_stops_when_asked(self) -> None:
        store = StateStore.memory()
        stop = threading.Event()
        seen = threading.Event()

        def job(now: datetime) -> None:
            seen.set()
            stop.set()

        worker = Worker(jobs=[Job("j", 3600, job)], store=store, clock=FixedClock(NOW), stop=stop)
        t = threading.Thread(target=worker.run_forever, kwargs={"tick_seconds": 0.01})
        t.start()
        t.join(timeout=30)
        assert seen.is_set()
        assert not t.is_alive()
