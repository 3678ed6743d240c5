"""Backlog calls per inquiry poll for 1, 10, 100 and 1,000 customer projects, and a busy hour (issues 5, 11).

Runs the workflow against the in-process emulator with a fixed clock and prints, for each size, the calls
of a poll with no news, of a poll with one new inquiry, of a poll with one customer comment on it (the
activity page and one issue read), and of one paced reconciliation step (budget 5).

Then a busy hour at 1,000 projects (issue 11: state is read from the issues, one ``GET /issues/:key`` per
touched inquiry per poll): ``--inquiries`` inquiries (default 300) opened in one hour in random projects,
each going through its whole life (staff answer, waiting status set alone, customer reply, 予定時間
entered in the field, approval, 完了), about seven activities each, polled every 20 s with a reconcile
step every 15 polls, as the worker does. It prints the read calls per minute (every GET but search:
the 600/min budget of reference §3) with and without the issue reads, so the baseline is in the same run.
Usage: ``.venv/bin/python benchmarks/poll_cost.py [--inquiries N] [--sizes 1,10]``
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.backlog.directory import Directory
from bot.backlog.transport import request_kind
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import JST, FixedClock
from bot.config.loader import BotConfig, load_config
from bot.inquiry.workflow import InquiryWorkflow
from bot.sandbox import BacklogEmulator
from bot.sandbox.seed import seed_for
from bot.state import StateStore

CONFIG = Path(__file__).resolve().parents[1] / "config"
SIZES = (1, 10, 100, 1000)
LIMITS = {"read": 10**6, "update": 10**6, "search": 10**6}
POLL = timedelta(seconds=20)
READ_BUDGET = 600  # per minute (reference §3, the documented example)


def config_for(n: int) -> BotConfig:
    base = load_config(CONFIG)
    acme = base.customer("ACME")
    extra = tuple(
        replace(acme, project=f"CUST{i:03d}" if i < 1000 else f"CUST{i}", name=f"顧客{i}",
                inquirers=(f"cust{i:03d}-user",), alert_senders=(), alert_keys=())
        for i in range(1, n + 1)
    )
    return replace(base, customers=extra)


def bot(emu: BacklogEmulator, clock: FixedClock, config: BotConfig) -> InquiryWorkflow:
    client = BacklogClient(emu.base_url, emu.api_key, sleep=lambda _s: None)
    store = StateStore.memory()
    directory = Directory(client)
    writer = BacklogWriter(client, store, directory, clock)
    return InquiryWorkflow(config, store, client, writer, directory, clock)


def measure(n: int) -> tuple[int, int, int, int, float]:
    """Calls of a quiet poll, a poll with one new inquiry, one with a customer comment, one reconcile."""
    clock = FixedClock(datetime(2026, 11, 30, 11, tzinfo=JST))
    with BacklogEmulator.start(seed_for(n), clock=lambda: clock().timestamp(), limits=LIMITS) as emu:
        config = config_for(n)
        wf = bot(emu, clock, config)
        wf.poll(clock())
        emu.clear_requests()
        started = time.perf_counter()
        wf.poll(clock())
        quiet_seconds = time.perf_counter() - started
        quiet = len(emu.requests)
        project, user = config.customers[-1].project, config.customers[-1].inquirers[0]
        key = str(emu.add_issue_as(user, project, "ログインできません")["issueKey"])
        emu.clear_requests()
        wf.poll(clock())
        inquiry = len(emu.requests)
        emu.add_comment_as(user, key, "画面の写真を添付します。")
        emu.clear_requests()
        wf.poll(clock())  # a customer comment on a known inquiry: the page, one issue read, no write
        comment = len(emu.requests)
        emu.clear_requests()
        wf.reconcile(clock(), budget=5)
        return quiet, inquiry, comment, len(emu.requests), quiet_seconds


def lifecycle(rng: random.Random, start: datetime) -> list[tuple[datetime, str]]:
    """One inquiry's steps, minutes apart, all inside the hour after ``start``."""
    opened = start + timedelta(seconds=rng.randrange(0, 40 * 60))
    steps = ["open", "answer", "wait", "reply", "estimate", "approve", "done"]
    at, out = opened, []
    for step in steps:
        out.append((at, step))
        at += timedelta(seconds=rng.randrange(30, 180))
    return out


def busy_hour(inquiries: int, projects: int = 1000, seed: int = 11) -> None:
    start = datetime(2026, 11, 30, 10, tzinfo=JST)
    clock = FixedClock(start)
    rng = random.Random(seed)
    with BacklogEmulator.start(seed_for(projects), clock=lambda: clock().timestamp(), limits=LIMITS) as emu:
        config = config_for(projects)
        wf = bot(emu, clock, config)
        wf.poll(clock())
        plan: list[tuple[datetime, int, str]] = []
        for n in range(inquiries):
            plan.extend((at, n, step) for at, step in lifecycle(rng, start))
        plan.sort()
        who = [config.customers[rng.randrange(projects)] for _ in range(inquiries)]
        keys: dict[int, str] = {}
        per_minute: Counter[int] = Counter()
        issue_reads: Counter[int] = Counter()
        searches, updates, polls, activities, i = 0, 0, 0, 0, 0
        emu.clear_requests()
        end = start + timedelta(hours=1, minutes=20)
        while clock() < end:
            now = clock() + POLL
            while i < len(plan) and plan[i][0] <= now:
                at, n, step = plan[i]
                clock.set(at)
                act(emu, step, n, who[n].project, who[n].inquirers[0], keys)
                activities, i = activities + 1, i + 1
            clock.set(now)
            result = wf.poll(now)
            polls += 1
            if polls % 15 == 0:
                wf.reconcile(now, budget=5)
            minute = int((now - start).total_seconds() // 60)
            for r in emu.requests:
                kind = request_kind(r.method, r.path.removeprefix("/api/v2/"))
                if kind == "read":
                    per_minute[minute] += 1
                searches += kind == "search"
                updates += kind == "update"
            issue_reads[minute] += result.issue_reads
            emu.clear_requests()
        reads = sum(per_minute.values())
        peak_minute = max(per_minute, key=lambda m: per_minute[m])
        without = Counter({m: per_minute[m] - issue_reads[m] for m in per_minute})
        print(f"\nbusy hour at {projects} projects: {inquiries} inquiries, {activities} customer and staff"
              f" activities, {polls} polls (every {POLL.seconds} s), reconcile every 15 polls")
        print(f"  read calls: {reads} in all, {sum(issue_reads.values())} of them issue reads"
              f" ({sum(issue_reads.values()) / max(1, activities):.2f} per activity); search {searches}, "
              f"update {updates}")
        print(f"  reads per minute: peak {per_minute[peak_minute]} (minute {peak_minute}), of which issue"
              f" reads {issue_reads[peak_minute]}; peak without issue reads {max(without.values())}; "
              f"mean {reads / max(1, len(per_minute)):.1f}; budget {READ_BUDGET}")


def act(emu: BacklogEmulator, step: str, n: int, project: str, customer: str, keys: dict[int, str]) -> None:
    """One step of inquiry ``n`` as the customer or staff would do it in Backlog."""
    if step == "open":
        summary = f"キャンペーン設定の代行をお願いします {n}"
        keys[n] = str(emu.add_issue_as(customer, project, summary)["issueKey"])
        return
    key = keys[n]
    statuses = {s.name: s.id for s in emu.state.project(project).statuses}
    if step == "answer":
        emu.add_comment_as("sato", key, "確認いたします。")
    elif step == "wait":
        emu.update_issue_as("sato", key, statusId=str(statuses["お客様確認待ち"]))
    elif step == "reply":
        emu.add_comment_as(customer, key, "設定内容はこちらです。")
    elif step == "estimate":
        emu.update_issue_as("sato", key, estimatedHours="1")
    elif step == "approve":
        emu.add_comment_as(customer, key, "承認します")
    else:
        emu.update_issue_as("sato", key, statusId=str(statuses["完了"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inquiries", type=int, default=300)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args()
    print(f"{'projects':>8}  {'no news':>8}  {'1 inquiry':>9}  {'1 comment':>9}  {'reconcile':>9}"
          f"  {'quiet poll ms':>13}")
    for n in (int(s) for s in args.sizes.split(",")):
        quiet, inquiry, comment, reconcile, seconds = measure(n)
        print(f"{n:>8}  {quiet:>8}  {inquiry:>9}  {comment:>9}  {reconcile:>9}  {seconds * 1000:>13.1f}")
    if args.inquiries:
        busy_hour(args.inquiries)


if __name__ == "__main__":
    main()
