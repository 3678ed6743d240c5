"""Quarter-end and usage notices (H4, R3): pure decisions as a table, then once-only delivery."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.backlog.text import render
from bot.config.loader import BotConfig
from bot.hour_tracker import Balance, Contract, quarters
from bot.reports.content import build_report
from bot.reports.notices import Notice, due_notices, notice_doc, send_due_notices
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from bot.wording import Wording
from tests.refs import refers_to
from tests.reports.conftest import World
from tests.reports.history import JST, consume, jst

ACME = Contract("annual", date(2026, 4, 1), Decimal(24), 12)
Q3 = quarters(ACME)[2]  # 2026-10-01 .. 2026-12-31
QE = "hoshu-bot:notice-quarter-end"


def bal(consumed: str, bought: str = "0") -> Balance:
    return Balance(Q3, Q3.allotment, Decimal(bought), Decimal(consumed))


def kinds(notices: list[Notice]) -> list[str]:
    return [n.ref.split(":")[1] for n in notices]


class TestDueNotices:
    @pytest.mark.parametrize(("now", "consumed", "sent", "expected"), [
        # 10 business days before 2027-01-01 (12-29..31 are company holidays): Tuesday 2026-12-15.
        (datetime(2026, 12, 14, 11, 0, tzinfo=JST), "3", (), []),
        (datetime(2026, 12, 15, 11, 0, tzinfo=JST), "3", (), ["notice-quarter-end"]),
        (datetime(2026, 12, 15, 11, 0, tzinfo=JST), "3", (f"{QE}:ACME:2026-10-01",), []),
        (datetime(2026, 12, 15, 11, 0, tzinfo=JST), "6", (), ["notice-usage-100"]),
        (datetime(2026, 12, 15, 9, 0, tzinfo=JST), "3", (), []),
        (datetime(2026, 11, 2, 11, 0, tzinfo=JST), "5", (), ["notice-usage-80"]),
        (datetime(2026, 11, 2, 11, 0, tzinfo=JST), "4.5", (), []),
        (datetime(2026, 11, 2, 11, 0, tzinfo=JST), "6.5", ("hoshu-bot:notice-usage-80:ACME:2026-10-01",),
         ["notice-usage-100"]),
        (datetime(2026, 11, 2, 11, 0, tzinfo=JST), "5", ("hoshu-bot:notice-usage-100:ACME:2026-10-01",), []),
    ], ids=["day-before-window", "first-day-of-window", "already-sent", "nothing-left-only-usage",
            "before-opening", "usage-80", "under-80", "then-100", "lower-never-after-higher"])
    def test_notices_follow_the_rules_h4_r3(
        self, cal: BusinessCalendar, now: datetime, consumed: str, sent: tuple[str, ...], expected: list[str]
    ) -> None:
        got = due_notices("ACME", bal(consumed), now, cal, notice_days=10, thresholds=(80, 100),
                          sent=set(sent))
        assert kinds(got) == expected

    def test_the_quarter_end_notice_says_how_many_hours_lapse_and_when(self, cal: BusinessCalendar) -> None:
        [n] = due_notices("ACME", bal("3.5"), datetime(2026, 12, 15, 11, 0, tzinfo=JST), cal,
                          notice_days=10, thresholds=(80, 100), sent=set())
        text = render(notice_doc(Wording.packaged().voice("ACME", "株式会社アクメ"), n), "backlog")
        assert "2.5 時間" in text and "2026年12月31日(木)" in text and "ます。" in text


class TestSendDueNotices:
    def test_each_notice_is_posted_once_as_a_comment_on_the_quarter_notice_issue(
        self, world: World, config: BotConfig
    ) -> None:
        now = datetime(2026, 12, 15, 11, 0, tzinfo=JST)
        sent = send_due_notices(config, world.store, world.writer, now)
        assert {n.customer for n in sent} == {"ACME"}  # BETA's quarter ends 2027-01-31: not yet
        with world.emu.state.lock:
            issues = [i for i in world.emu.state.issues.values()
                      if refers_to(i.description, "hoshu-bot:notice:ACME")]
            assert len(issues) == 1
            comments = [c.content for c in world.emu.state.comments.values()
                        if refers_to(c.content, "hoshu-bot:notice-quarter-end:ACME")]
        assert len(comments) == 1 and "失効" in comments[0]
        # what the customer reads: a notice number, no machine line (issue 20 item 2)
        assert issues[0].description.splitlines()[-1] == "お知らせ番号：ACME-2026-10-01"
        assert comments[0].splitlines()[-1] == "お知らせ番号：ACME-2026-10-01（四半期末のお知らせ）"
        world.emu.clear_requests()
        assert send_due_notices(config, world.store, world.writer, now) == []
        assert world.emu.requests == []

    def test_usage_notice_when_the_quarter_passes_80_percent(self, world: World, config: BotConfig) -> None:
        consume(world.store, "BETA", "BETA-3", "5.5", jst(12, 1, 11), "大きな作業")  # 7.5 of 9 h = 83 %
        sent = send_due_notices(config, world.store, world.writer, jst(12, 2, 11))
        assert sorted(n.ref for n in sent) == [
            "hoshu-bot:notice-usage-80:ACME:2026-10-01",  # ACME: 6.5 of 8 h with December's hour
            "hoshu-bot:notice-usage-80:BETA:2026-11-01",
        ]


@given(
    entries=st.lists(st.tuples(st.integers(0, 90), st.integers(1, 8), st.booleans()), max_size=12),
    month=st.sampled_from([date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]),
)
def test_consumed_plus_left_is_allotment_plus_bought_for_any_ledger(
    entries: list[tuple[int, int, bool]], month: date
) -> None:
    """H4/H5 property: whatever the ledger, the report's quarter figures add up."""
    store = StateStore.memory()
    for i, (day, halves, buy) in enumerate(entries):
        at = datetime(2026, 10, 1, 12, 0, tzinfo=JST) + (date(2026, 10, 2) - date(2026, 10, 1)) * day
        store.append_ledger(customer="ACME", kind="purchase" if buy else "consume", hours=Decimal(halves) / 2,
                            at=at, issue_key=f"ACME-{i}", who="sato", why="w", ref=f"r{i}", now=at)
    r = build_report(customer="ACME", customer_name="株式会社アクメ", month=month, contracts=(ACME,),
                     purchases=(), ledger=store.ledger("ACME"))
    h = r.hours
    assert h.consumed_quarter + h.left == h.allotment + h.bought
    assert h.consumed_month == sum((c.hours for c in r.consumptions), Decimal(0))
    assert r.forecast.lapse >= 0
