"""Step 1's safety net: reconciliation catches what the activity feed missed, paced and paged to the end.

Issue 11: a pass lists the updated issues of a project with ``offset`` until a short page (it used to read
one page of 100 and then move its cursor past the rest), continues across calls when its budget runs out,
and takes each issue's state from the listed issue itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.inquiry.watcher import CURSOR
from bot.rules.sla import ClockKind
from tests.inquiry_flow.harness import Flow, jst, newest_activity, start_emulator


@pytest.fixture
def fresh(clock: FixedClock) -> Iterator[Flow]:
    """A bot on an emulator of its own: no issues left over from other scenarios."""
    clock.set(jst(2026, 11, 30, 11))
    with start_emulator(clock) as emulator:
        yield Flow(emulator, clock)


def lose_the_feed(flow: Flow) -> None:
    """The activity feed "lost" everything so far: the cursor jumps past it."""
    flow.store.set_cursor(CURSOR, str(newest_activity(flow.emu)), flow.clock())


def reconcile_until_done(flow: Flow, budget: int, limit: int = 100) -> tuple[int, int]:
    """Reconcile ACME's pass to its end; (calls to reconcile, items recovered)."""
    steps, recovered = 0, 0
    while steps < limit:
        steps += 1
        result = flow.wf.reconcile(flow.clock(), budget=budget)
        recovered += result.recovered
        if "ACME" in result.projects:
            return steps, recovered
    raise AssertionError(f"ACME's pass did not finish in {limit} steps")


def only_acme(flow: Flow) -> None:
    flow.wf.ctx.store.set_cursor("backlog:reconcile:next", "0", flow.clock())


class TestReconciliation:
    def test_an_issue_the_activity_feed_missed_is_acknowledged_by_reconcile(self, fresh: Flow) -> None:
        key = fresh.ask("ログインできません")
        lose_the_feed(fresh)
        fresh.poll()
        assert fresh.records.get(key) is None
        result = fresh.wf.reconcile(fresh.clock(), budget=10)
        assert result.recovered >= 1
        assert len(fresh.bot_comments_with(key, "hoshu-bot:ack:")) == 1

    def test_reconcile_is_paced_round_robin_within_its_budget(self, fresh: Flow) -> None:
        first = fresh.wf.reconcile(fresh.clock(), budget=1)
        second = fresh.wf.reconcile(fresh.clock(), budget=1)
        third = fresh.wf.reconcile(fresh.clock(), budget=1)
        assert (len(first.projects), len(second.projects)) == (1, 1)
        assert {*first.projects, *second.projects} == {"ACME", "BETA"}
        assert first.calls <= 2 and second.calls <= 2  # the search plus a one-time project id lookup
        assert (third.projects, third.calls) == (first.projects, 1)

    def test_a_status_change_the_feed_missed_is_read_from_the_listed_issue(self, fresh: Flow) -> None:
        key = fresh.ask("ログインできません")
        fresh.poll()
        fresh.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId="5")
        lose_the_feed(fresh)
        only_acme(fresh)
        reconcile_until_done(fresh, budget=10)
        assert fresh.row(key).paused
        # the status change left an (empty) comment with a changeLog: the pause is applied at its time
        assert fresh.clock_of(key, ClockKind.FIRST_RESPONSE).paused_at == jst(2026, 11, 30, 12)

    def test_a_waiting_status_then_a_customer_answer_the_feed_missed_leave_the_clock_running(
        self, fresh: Flow
    ) -> None:
        key = fresh.ask("ログインできません")
        fresh.poll()
        fresh.at(jst(2026, 11, 30, 12)).emu.update_issue_as("sato", key, statusId="5")
        fresh.at(jst(2026, 11, 30, 16)).say("yamada", key, "お待たせしました。画面はこちらです。")
        sato = str(fresh.emu.state.user("sato").id)
        fresh.at(jst(2026, 11, 30, 16, 30)).emu.update_issue_as("sato", key, assigneeId=sato)
        lose_the_feed(fresh)
        only_acme(fresh)
        reconcile_until_done(fresh, budget=10)
        clock = fresh.clock_of(key, ClockKind.FIRST_RESPONSE)
        assert [(e.kind.value, e.at) for e in clock.history] == [
            ("started", jst(2026, 11, 30, 11)), ("paused", jst(2026, 11, 30, 12)),
            ("resumed", jst(2026, 11, 30, 16)),
        ]

    def test_a_bulk_update_the_feed_missed_stops_both_clocks(self, fresh: Flow) -> None:
        first, second = fresh.ask("ログインできません"), fresh.ask("画面が表示されません")
        fresh.poll()
        fresh.at(jst(2026, 11, 30, 14)).emu.bulk_update_as("sato", [first, second], statusId="4")
        lose_the_feed(fresh)
        only_acme(fresh)
        reconcile_until_done(fresh, budget=10)
        for key in (first, second):
            assert fresh.records.clocks(key, open_only=True) == []
            assert fresh.clock_of(key, ClockKind.FIRST_RESPONSE).met_at == jst(2026, 11, 30, 14)

    def test_an_issue_whose_last_comment_is_the_bots_is_not_read_again(self, fresh: Flow) -> None:
        key = fresh.ask("ログインできません")
        fresh.at(jst(2026, 11, 30, 11, 5)).poll()  # acknowledged at 11:05: the issue's newest change
        only_acme(fresh)
        reconcile_until_done(fresh, budget=10)
        fresh.emu.clear_requests()
        only_acme(fresh)
        reconcile_until_done(fresh, budget=10)
        assert not any(r.path.endswith(f"/issues/{key}/comments") and r.method == "GET"
                       for r in fresh.emu.requests)


class TestPagedToTheEnd:
    N = 250

    def test_reconcile_over_250_updated_issues_sees_all_250(self, fresh: Flow) -> None:
        keys = [fresh.ask(f"問い合わせ {n}") for n in range(self.N)]
        lose_the_feed(fresh)
        only_acme(fresh)
        _, adopted = reconcile_until_done(fresh, budget=5)
        assert adopted == self.N  # all three pages (100 + 100 + 50), not only the first
        assert all(fresh.records.get(k) is not None for k in keys)
        fresh.at(jst(2026, 11, 30, 13))
        for key in keys:  # staff close every one, and the feed loses that too
            fresh.emu.update_issue_as("sato", key, statusId="4")
        lose_the_feed(fresh)
        only_acme(fresh)
        steps, _ = reconcile_until_done(fresh, budget=40)
        assert steps > 1  # one comment read per issue: the pass continues across calls
        still_open = [k for k in keys if fresh.records.clocks(k, open_only=True)]
        assert still_open == []
        assert {fresh.row(k).status for k in keys} == {"完了"}
