"""200 customers on the emulator's default limits (issue 6): no 429, a bounded number of calls each."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import BotConfig, Customer
from bot.hour_tracker import Contract
from bot.reports.publish import ReportPublisher, cursor_name
from bot.sandbox import BacklogEmulator
from bot.sandbox.seed import seed_for
from bot.state import StateStore
from tests.reports.conftest import NOW, FakeEpoch

CUSTOMERS = 200


def test_two_hundred_customers_get_their_reports_without_a_single_429(config: BotConfig) -> None:
    keys = [f"CUST{n:03d}" for n in range(1, CUSTOMERS + 1)]
    contract = Contract("annual", date(2026, 4, 1), Decimal(24), 12)
    many = dataclasses.replace(config, customers=tuple(
        Customer(k, f"顧客{k}", False, (), (), (), (contract,), ()) for k in keys))
    store = StateStore.memory()
    for k in [*keys, "STAFF"]:
        store.set_cursor(cursor_name(k), "2026-10", NOW)
    epoch = FakeEpoch()
    with BacklogEmulator.start(seed_for(CUSTOMERS), clock=epoch) as emu:
        client = BacklogClient(emu.base_url, emu.api_key, sleep=epoch.sleep, clock=epoch)
        writer = BacklogWriter(client, store, Directory(client), FixedClock(NOW))
        publisher = ReportPublisher(many, store, writer)
        out = publisher.publish_due_reports(NOW)
        first = emu.requests
        for k in [*keys, "STAFF"]:
            store.set_cursor(cursor_name(k), "2026-10", NOW)
        emu.clear_requests()
        publisher.publish_due_reports(NOW)
        rerun = emu.requests
        client.close()
    assert len(out) == CUSTOMERS + 1
    assert not [r for r in first + rerun if r.status == 429]
    # Cold: 4 metadata reads per project, then at most 2 searches and 1 write per report.
    assert len(first) <= 7 * (CUSTOMERS + 1) + 3
    # A rerun with nothing changed reads each report once (its page, or its issue without a wiki).
    assert len(rerun) == len(out) and all(r.method == "GET" for r in rerun)
