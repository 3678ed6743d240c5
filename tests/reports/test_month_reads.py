"""The monthly report reads only its month and quarters (issue 22 item 4), and says exactly what a report
built from the whole store says: every month of the contracts, ended or in progress, on both stores.

The history has what a narrow read could miss: instants written in UTC beside the month's and the
quarters' bounds (the store compares ISO text), issues opened long before the month and still open or
closed in it, a quote pending on an old closed issue (what an in-progress month reserves), a clock on an
issue with no mirror row, alert groups of several generations and events just outside the month.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config.loader import BotConfig
from bot.hour_tracker import add_months
from bot.reports.content import build_report
from bot.reports.model import MonthlyReport
from bot.reports.publish import ReportPublisher
from bot.rules import sla
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from bot.state.alerts import AlertEventRow, AlertGroupRow, AlertRecords
from bot.state.inquiries import InquiryRecords
from bot.state.reader import open_reader, snapshot
from tests.reports.history import consume, fill_acme, fill_beta, issue, jst, purchase
from tests.support.postgres import database_url, pg_cluster

__all__ = ["database_url", "pg_cluster"]

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
MONTHS = [add_months(date(2026, 4, 1), n) for n in range(10)]  # 2026-04 .. 2027-01


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def fill_edges(store: StateStore, cal: BusinessCalendar) -> None:
    """Rows at the edges of months and quarters, several written in UTC (``+00:00``)."""
    consume(store, "ACME", "ACME-20", "0.5", utc(10, 31, 15, 30), "11/1 00:30 JST")  # November
    consume(store, "ACME", "ACME-21", "0.5", utc(10, 31, 14, 30), "10/31 23:30 JST")  # October
    consume(store, "ACME", "ACME-22", "1", utc(9, 30, 15), "10/1 00:00 JST: the quarter's first instant")
    consume(store, "ACME", "ACME-23", "1", utc(9, 30, 14, 59), "9/30 23:59 JST: the quarter before")
    consume(store, "ACME", "ACME-24", "0.5", utc(11, 30, 15), "12/1 00:00 JST: December")
    consume(store, "ACME", "ACME-25", "2", jst(4, 20, 10), "April")
    consume(store, "ACME", "ACME-26", "1", jst(6, 30, 23, 30), "the end of the first quarter")
    purchase(store, "ACME", "1", utc(6, 30, 16))  # 7/1 01:00 JST
    purchase(store, "BETA", "3", jst(7, 10, 10))
    consume(store, "BETA", "BETA-9", "1", utc(10, 31, 14), "bridge quarter's last hour")
    rows = [
        issue("ACME-20", jst(5, 7, 10), None, "5月から処理中"),
        issue("ACME-21", jst(4, 3, 10), jst(4, 30, 10), "4月に完了"),
        issue("ACME-22", utc(10, 31, 15), utc(11, 30, 14, 59), "11/1 00:00 JST に起票、11/30 23:59 完了"),
        issue("ACME-23", utc(10, 31, 14, 59), utc(10, 31, 14, 59), "10/31 23:59 JST に起票・完了"),
        issue("ACME-24", utc(11, 30, 15), None, "12/1 00:00 JST に起票"),
        issue("ACME-25", jst(3, 2, 10), utc(10, 31, 15, 1), "11/1 00:01 JST に完了"),
        issue("BETA-7", jst(6, 1, 10), None, "6月から処理中", "BETA"),
    ]
    quoted = issue("ACME-26", jst(5, 1, 10), jst(5, 2, 10), "見積のまま完了")
    quoted = quoted.but(data={"quote": {"state": "pending", "requested": "1.5"}})
    held = issue("ACME-27", jst(11, 3, 10), None, "購入待ち").but(
        data={"quote": {"state": "held", "requested": "2"}})
    answered = issue("ACME-28", jst(11, 4, 10), None, "承認済み").but(
        data={"quote": {"state": "approved", "requested": "4"}})
    t2 = sla.ClockKind.FIRST_RESPONSE
    clocks = [("ACME-22", sla.start(t2, "ACME-22", utc(10, 31, 15), cal)),
              ("ACME-23", sla.meet(sla.start(t2, "ACME-23", utc(10, 31, 14, 59), cal), utc(11, 2, 1))),
              ("ACME-24", sla.start(t2, "ACME-24", utc(11, 30, 15), cal)),
              ("ACME-90", sla.meet(sla.start(t2, "ACME-90", jst(11, 9, 10), cal), jst(11, 9, 10))),  # no row
              ("ACME-20", sla.start(sla.ClockKind.UPDATE, "ACME-20", jst(5, 8, 10), cal))]
    alerts = AlertRecords(store)
    with store.transaction() as c:
        for r in [*rows, quoted, held, answered]:
            InquiryRecords.save(c, r)
        for seq, (_, clock) in enumerate(clocks, start=10):
            InquiryRecords.save_clock(c, "ACME", seq, clock)
        for generation, status in ((0, "closed"), (1, "open"), (2, "closed")):
            alerts.save(c, AlertGroupRow(
                fingerprint="fp-gen", generation=generation, customer="ACME", adapter="kintone", job="j",
                error_code="E2", error_class="input", issue_key=f"ACME-{40 + generation}", status=status,
                count=1, first_seen=jst(5 + generation, 1), last_seen=jst(5 + generation, 2),
            ))
        alerts.save(c, AlertGroupRow(
            fingerprint="fp-old", generation=0, customer="ACME", adapter="kintone", job="j", error_code="E3",
            error_class="input", issue_key=None, status="open", count=1, first_seen=jst(4, 1),
            last_seen=jst(4, 1),
        ))
        events = [("e1", "fp-gen", utc(10, 31, 15)), ("e2", "fp-gen", utc(10, 31, 14, 59)),
                  ("e3", "fp-gen", utc(11, 30, 14, 59)), ("e4", "fp-gen", utc(11, 30, 15)),
                  ("e5", "fp-old", jst(4, 1, 9)), ("e6", "fp-gen", jst(7, 7, 7))]
        for key, fp, at in events:
            alerts.add_event(c, AlertEventRow(key, fp, "ACME", "kintone", "input", at))


def whole_store(config: BotConfig, store: StateStore, customer: str, month: date,
                now: datetime | None) -> MonthlyReport:
    """The report as it was built before issue 22: from every row of the customer."""
    c = config.customer(customer)
    inquiries, alerts = InquiryRecords(store), AlertRecords(store)
    return build_report(
        customer=c.project, customer_name=c.name, month=month, contracts=c.contracts,
        purchases=c.purchases, ledger=store.ledger(c.project), inquiries=inquiries.for_customer(c.project),
        clocks=[sla.record(s.clock) for s in inquiries.customer_clocks(c.project)],
        monitoring=c.monitoring, alert_events=alerts.events(c.project, *EVER),
        alert_groups=alerts.groups(c.project), spot_price=config.service.spot.price_per_hour,
        tz=config.calendar().tz, now=now,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path: Path, cal: BusinessCalendar) -> Iterator[str]:
    """The golden history and the edges, in a SQLite file or a PostgreSQL database; its location."""
    location = (str(tmp_path / "state.db") if request.param == "sqlite"
                else str(request.getfixturevalue("database_url")))
    store = StateStore.open(location)
    fill_acme(store, cal)
    fill_beta(store)
    fill_edges(store, cal)
    store.close()
    yield location


class TestMonthReads:
    @pytest.mark.parametrize("customer", ["ACME", "BETA"])
    def test_every_month_reads_the_same_report_as_the_whole_store(
        self, filled: str, config: BotConfig, customer: str
    ) -> None:
        """Ended months, and each month "as of" its 15th (pending quotes reserved), are equal."""
        store = open_reader(filled)
        try:
            publisher = ReportPublisher(config, store)
            seen = 0
            for month in MONTHS:
                if not publisher.covered(customer, month):
                    continue
                for now in (None, datetime(month.year, month.month, 15, 12, tzinfo=config.calendar().tz)):
                    with snapshot(store):
                        narrow = publisher.build(customer, month, now=now)
                    assert narrow == whole_store(config, store, customer, month, now), (month, now)
                    seen += 1
        finally:
            store.close()
        assert seen >= 12  # the contracts cover most of the ten months: the loop did compare

    def test_the_edges_land_in_their_month(self, filled: str, config: BotConfig) -> None:
        """The UTC-written rows count where their instant falls (a read that missed them would not)."""
        store = open_reader(filled)
        try:
            publisher = ReportPublisher(config, store)
            nov = publisher.build("ACME", date(2026, 11, 1))
            oct_ = publisher.build("ACME", date(2026, 10, 1))
            mid_nov = publisher.build("ACME", date(2026, 11, 1), now=jst(11, 15, 12))
        finally:
            store.close()
        assert "ACME-20" in {c.issue_key for c in nov.consumptions}
        assert "ACME-21" in {c.issue_key for c in oct_.consumptions}
        assert {"ACME-22", "ACME-25", "ACME-20"} <= {i.issue_key for i in nov.issues}
        assert not {"ACME-23", "ACME-24", "ACME-21"} & {i.issue_key for i in nov.issues}
        assert {s.issue_key for s in nov.sla} >= {"ACME-22", "ACME-90"}
        assert sum(a.count for a in nov.alerts) == 4 + 2  # the golden four, e1 and e3
        assert mid_nov.reserved == Decimal("3.5")  # ACME-26 (closed in May, still pending) and ACME-27
        assert nov.quarters[0].start == date(2026, 4, 1)  # the trend reads back two quarters
        assert [q.used for q in nov.quarters[:2]] == [Decimal(3), Decimal(1)]  # 4/20 + 6/30 23:30; 9/30 23:59
        assert nov.quarters[1].held == Decimal(6 + 1)  # the 7/1 01:00 JST purchase, written in UTC

    def test_the_report_of_a_month_does_not_read_other_months_rows(
        self, filled: str, config: BotConfig
    ) -> None:
        """Rows far from the month and its quarters are not read at all (the cost stays flat)."""
        store = StateStore.open(filled)
        try:
            calls: list[tuple[str, tuple[object, ...]]] = []
            execute = store.conn.execute

            def spy(sql: str, parameters: tuple[object, ...] = ()) -> object:
                calls.append((sql, tuple(parameters)))
                return execute(sql, parameters)

            store.conn.execute = spy  # type: ignore[method-assign, assignment]
            ReportPublisher(config, store).build("ACME", date(2026, 11, 1))
        finally:
            store.conn.execute = execute  # type: ignore[method-assign]
            store.close()
        assert calls, "the spy saw the reads"
        for sql, _ in calls:
            assert " WHERE " in sql and "customer = ?" in sql, sql  # no whole-table read
        ranged = [args for sql, args in calls if "ledger" in sql or "alert_events" in sql]
        assert ranged and all(len(args) >= 3 for args in ranged)  # customer and a range each
