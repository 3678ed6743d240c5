"""Grouping decisions (M2, C8): one issue per fingerprint, throttled summaries, transient thresholds."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.mail.grouping import (
    CommentSummary,
    Decision,
    GroupState,
    OpenIssue,
    Policy,
    Record,
    ReopenAsNew,
    Wait,
    decide,
    fingerprint,
    flush,
)
from bot.mail.message import Alert

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
ACTION = Alert("kintone", "acme-corp", "受注連携", "CB_VA01", "", None, "s")
TRANSIENT = Alert("kintone", "acme-corp", "受注連携", "GAIA_RE18", "", None, "s")


def _apply(decision: Decision, key: str = "ACME-1") -> GroupState:
    """What the caller stores: an opened issue gets its key."""
    if isinstance(decision, OpenIssue | ReopenAsNew):
        return replace(decision.state, issue_key=key)
    return decision.state


class TestFingerprint:
    def test_same_fields_same_fingerprint_and_customer_separates(self) -> None:
        assert fingerprint(ACTION, "ACME") == fingerprint(replace(ACTION, message="other"), "ACME")
        assert fingerprint(ACTION, "ACME") != fingerprint(ACTION, "BETA")
        assert fingerprint(ACTION, "ACME") != fingerprint(TRANSIENT, "ACME")

    def test_fields_are_configurable(self) -> None:
        other_job = replace(ACTION, job="別ジョブ")
        assert fingerprint(ACTION, "ACME") != fingerprint(other_job, "ACME")
        fields = ("customer", "adapter", "error_code")
        assert fingerprint(ACTION, "ACME", fields) == fingerprint(other_job, "ACME", fields)


class TestDecide:
    def test_two_hundred_repeats_of_an_action_error_open_one_issue_and_comment_at_most_hourly(self) -> None:
        state: GroupState | None = None
        decisions: list[tuple[datetime, Decision]] = []
        for i in range(200):
            now = T0 + timedelta(minutes=i)
            d = decide(ACTION, state, now, customer="ACME")
            decisions.append((now, d))
            state = _apply(d)
        opens = [d for _, d in decisions if isinstance(d, OpenIssue | ReopenAsNew)]
        comments = [(t, d) for t, d in decisions if isinstance(d, CommentSummary)]
        assert len(opens) == 1 and isinstance(decisions[0][1], OpenIssue)
        assert all(isinstance(d, Record | CommentSummary) for _, d in decisions[1:])
        times = [t for t, _ in comments]
        assert all(b - a >= timedelta(hours=1) for a, b in itertools.pairwise(times))
        assert len(comments) == 3  # at 60, 120 and 180 minutes of simulated time
        assert sum(d.occurrences for _, d in comments) + state.pending_since_comment == 199
        assert state is not None and state.count == 200

    def test_transient_error_opens_only_at_the_third_within_an_hour(self) -> None:
        d1 = decide(TRANSIENT, None, T0)
        d2 = decide(TRANSIENT, d1.state, T0 + timedelta(minutes=20))
        d3 = decide(TRANSIENT, d2.state, T0 + timedelta(minutes=40))
        assert isinstance(d1, Wait) and isinstance(d2, Wait)
        assert (d2.seen, d2.needed) == (2, 3)
        assert isinstance(d3, OpenIssue)

    def test_transient_occurrences_older_than_the_window_do_not_count(self) -> None:
        d1 = decide(TRANSIENT, None, T0)
        d2 = decide(TRANSIENT, d1.state, T0 + timedelta(minutes=50))
        d3 = decide(TRANSIENT, d2.state, T0 + timedelta(minutes=70))
        assert isinstance(d3, Wait) and d3.seen == 2

    def test_closed_group_opens_a_new_issue_linking_the_old_one(self) -> None:
        opened = _apply(decide(ACTION, None, T0), "ACME-7")
        closed = replace(opened, status="closed")
        d = decide(ACTION, closed, T0 + timedelta(days=2))
        assert isinstance(d, ReopenAsNew)
        assert d.previous_issue_key == "ACME-7"
        assert d.state.count == 2

    def test_flush_summarises_pending_repeats_once_the_interval_passed(self) -> None:
        state = _apply(decide(ACTION, None, T0))
        state = _apply(decide(ACTION, state, T0 + timedelta(minutes=5)))
        assert flush(state, T0 + timedelta(minutes=30)) is None
        due = flush(state, T0 + timedelta(minutes=61))
        assert isinstance(due, CommentSummary) and due.occurrences == 1
        assert flush(due.state, T0 + timedelta(minutes=200)) is None

    def test_policy_interval_is_respected(self) -> None:
        policy = Policy(comment_interval=timedelta(minutes=10))
        state = _apply(decide(ACTION, None, T0, policy))
        d = decide(ACTION, state, T0 + timedelta(minutes=11), policy)
        assert isinstance(d, CommentSummary)
