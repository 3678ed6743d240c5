"""Property (H4-H8, step 6): across random estimates, approvals, purchases and commands, no quarter ever
consumes more than its allotment plus its purchases, and every ledger entry has exactly one confirmation.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.backlog.refs import find_reference
from bot.clock import FixedClock
from bot.hour_tracker import balance
from bot.inquiry.quotes import confirm_ref, ledger_entries
from bot.sandbox import BacklogEmulator
from tests.inquiry_flow.harness import Flow, jst

half_hours = st.integers(min_value=1, max_value=24).map(lambda n: Decimal(n) / 2)
ops = st.one_of(
    st.tuples(st.just("estimate"), half_hours),
    st.tuples(st.just("approve"), st.none()),
    st.tuples(st.just("reject"), st.none()),
    st.tuples(st.just("purchase"), st.integers(min_value=1, max_value=4).map(Decimal)),
    st.tuples(st.just("consume"), half_hours),
    st.tuples(st.just("customer-consume"), half_hours),
    st.tuples(st.just("later"), st.integers(min_value=1, max_value=15)),  # stays within the contract
)


def run(flow: Flow, key: str, op: str, value: Decimal | int | None) -> None:
    if op == "estimate":
        flow.staff_says(key, f"/bot estimate {value}h")
    elif op == "approve":
        flow.say("yamada", key, "承認します")
    elif op == "reject":
        flow.say("yamada", key, "見送ります。")
    elif op == "purchase":
        flow.staff_says(key, f"/bot purchase {value}h")
    elif op == "consume":
        flow.say("sato", key, f"/bot consume {value}h 対応")
    elif op == "customer-consume":
        flow.say("yamada", key, f"/bot consume {value}h")
    else:
        flow.clock.advance(timedelta(days=int(value or 0)))
    flow.poll()


class TestLedgerProperty:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(sequence=st.lists(ops, min_size=1, max_size=8))
    def test_no_quarter_exceeds_its_hours_and_every_entry_is_confirmed_once(
        self, emu: BacklogEmulator, clock: FixedClock, sequence: list[tuple[str, Decimal | int | None]]
    ) -> None:
        clock.set(jst(2026, 11, 30, 11))
        flow = Flow(emu, clock)
        key = flow.ask("キャンペーン設定の代行をお願いします")
        flow.poll()
        for op, value in sequence:
            run(flow, key, op, value)
        acme = flow.config.customer("ACME")
        entries = ledger_entries(flow.store, "ACME")
        for entry in entries:
            assert balance(acme.contracts, acme.purchases, entries, entry.at).remaining >= 0
        # The one reference line of each comment, without the data it carries (issue 15).
        refs = [find_reference(text) for text in flow.comments(key)]
        for stored in flow.store.ledger("ACME"):
            assert refs.count(confirm_ref(stored.ref)) == 1, stored.ref
        assert all(e.who != "yamada" or e.why.startswith("お見積り") for e in flow.store.ledger("ACME"))
