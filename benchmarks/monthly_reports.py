"""The monthly run over N customers (default 200) on the emulator's default rate limits (R1, issue 6).

Run: ``.venv/bin/python benchmarks/monthly_reports.py [customers]``. Prints the Backlog calls by budget
kind, the number of 429 answers, wall time and Backlog time for three runs: the first (new pages), a rerun
with nothing changed (reads only), and a rerun after new consumption for every customer. The emulator and
the client share a simulated clock, so the client's pacing waits cost simulated seconds, not real ones;
"backlog time" is what the run would take against Backlog. Asserts nothing about speed.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import Customer, load_config
from bot.hour_tracker import Contract
from bot.reports.publish import ReportPublisher
from bot.sandbox import BacklogEmulator
from bot.sandbox.ratelimit import kind_of
from bot.sandbox.seed import seed_for
from bot.state import StateStore

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=JST)
CONFIG = Path(__file__).resolve().parents[1] / "config"


class SimClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 1, 30, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _fill(store: StateStore, keys: list[str], day: int) -> None:
    for n, key in enumerate(keys):
        for i in range(1 + n % 3):
            at = datetime(2026, 11, day, 11 + i, 0, tzinfo=JST)
            store.append_ledger(customer=key, kind="consume", hours=Decimal("0.5") * (i + 1), at=at,
                                issue_key=f"{key}-{i + 1}", who="sato", why="見積承認",
                                ref=f"hoshu-bot:consume:{key}-{i + 1}:{day}", now=at, title=f"作業{i + 1}",
                                category="C5")


def _run(label: str, emu: BacklogEmulator, clock: SimClock, publisher: ReportPublisher) -> None:
    emu.clear_requests()
    sim0, wall0 = clock(), time.perf_counter()
    out = publisher.publish_due_reports(NOW)
    wall, sim = time.perf_counter() - wall0, clock() - sim0
    reqs = emu.requests
    kinds = Counter(kind_of(r.method, r.path) for r in reqs)
    limited = sum(1 for r in reqs if r.status == 429)
    changed = sum(1 for p in out if p.changed)
    print(f"{label:<26} published {len(out):4d} (written {changed:4d})  calls {len(reqs):5d} "
          f"read {kinds['read']:4d} search {kinds['search']:4d} update {kinds['update']:4d}  "
          f"429s {limited}  wall {wall:6.2f}s  backlog {sim:6.1f}s")


def main(customers: int = 200) -> None:
    base = load_config(CONFIG)
    keys = [f"CUST{n:03d}" for n in range(1, customers + 1)]
    contract = Contract("annual", date(2026, 4, 1), Decimal(24), 12)
    config = dataclasses.replace(base, customers=tuple(
        Customer(k, f"顧客{k[4:]}株式会社", n % 2 == 0, (), (), (), (contract,), ())
        for n, k in enumerate(keys)
    ))
    store = StateStore.memory()
    for k in keys:
        store.set_cursor(f"report:{k}", "2026-10", NOW)
    store.set_cursor("report:STAFF", "2026-10", NOW)
    _fill(store, keys, 5)
    clock = SimClock()
    with BacklogEmulator.start(seed_for(customers), clock=clock) as emu:
        client = BacklogClient(emu.base_url, emu.api_key, sleep=clock.sleep, clock=clock)
        writer = BacklogWriter(client, store, Directory(client), FixedClock(NOW))
        publisher = ReportPublisher(config, store, writer)
        print(f"{customers} customers, emulator default limits, one month due")
        _run("first run (cold)", emu, clock, publisher)
        for k in keys:
            store.set_cursor(f"report:{k}", "2026-10", NOW)
        store.set_cursor("report:STAFF", "2026-10", NOW)
        _run("rerun, nothing changed", emu, clock, publisher)
        _fill(store, keys, 20)
        for k in keys:
            store.set_cursor(f"report:{k}", "2026-10", NOW)
        store.set_cursor("report:STAFF", "2026-10", NOW)
        _run("rerun, every one changed", emu, clock, publisher)
        client.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
