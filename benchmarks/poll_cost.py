"""Backlog calls per inquiry poll for 1, 10, 100 and 1,000 customer projects (issue 5, step 1).

Runs the workflow against the in-process emulator with a fixed clock and prints, for each size, the calls
of a poll with no news, of a poll with one new inquiry, and of one paced reconciliation step (budget 5).
Usage: ``.venv/bin/python benchmarks/poll_cost.py``
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.backlog_client import BacklogClient
from bot.backlog_writer import BacklogWriter
from bot.clock import JST, FixedClock
from bot.config import BotConfig, load_config
from bot.directory import Directory
from bot.inquiry.workflow import InquiryWorkflow
from bot.sandbox import BacklogEmulator
from bot.sandbox.seed import seed_for
from bot.state import StateStore

CONFIG = Path(__file__).resolve().parents[1] / "config"
SIZES = (1, 10, 100, 1000)


def config_for(n: int) -> BotConfig:
    base = load_config(CONFIG)
    acme = base.customer("ACME")
    extra = tuple(
        replace(acme, project=f"CUST{i:03d}" if i < 1000 else f"CUST{i}", name=f"顧客{i}",
                inquirers=(f"cust{i:03d}-user",), alert_senders=(), alert_keys=())
        for i in range(1, n + 1)
    )
    return replace(base, customers=extra)


def measure(n: int) -> tuple[int, int, int, float]:
    clock = FixedClock(datetime(2026, 11, 30, 11, tzinfo=JST))
    limits = {"read": 10**6, "update": 10**6, "search": 10**6}
    with BacklogEmulator.start(seed_for(n), clock=lambda: clock().timestamp(), limits=limits) as emu:
        client = BacklogClient(emu.base_url, emu.api_key, sleep=lambda _s: None)
        store = StateStore.memory()
        directory = Directory(client)
        config = config_for(n)
        writer = BacklogWriter(client, store, directory, clock)
        wf = InquiryWorkflow(config, store, client, writer, directory, clock)
        wf.poll(clock())
        emu.clear_requests()
        started = time.perf_counter()
        wf.poll(clock())
        quiet_seconds = time.perf_counter() - started
        quiet = len(emu.requests)
        project = config.customers[-1].project
        emu.add_issue_as(config.customers[-1].inquirers[0], project, "ログインできません")
        emu.clear_requests()
        wf.poll(clock())
        news = len(emu.requests)
        emu.clear_requests()
        wf.reconcile(clock(), budget=5)
        return quiet, news, len(emu.requests), quiet_seconds


def main() -> None:
    print(f"{'projects':>8}  {'no news':>8}  {'1 inquiry':>9}  {'reconcile':>9}  {'quiet poll ms':>13}")
    for n in SIZES:
        quiet, news, reconcile, seconds = measure(n)
        print(f"{n:>8}  {quiet:>8}  {news:>9}  {reconcile:>9}  {seconds * 1000:>13.1f}")


if __name__ == "__main__":
    main()
