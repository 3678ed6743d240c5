"""Tests of the SLA clocks: T2 first response, T3 daily update, T4 result; reminders and breaches (T1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.calendar import BusinessCalendar
from bot.rules.sla import (
    Breach,
    Clock,
    ClockKind,
    EventKind,
    Remind,
    apply,
    due_actions,
    elapsed,
    in_business_hours,
    meet,
    pause,
    record,
    renew,
    resume,
    start,
)
from tests.inquiry.conftest import brochure_calendar, jst

FIRST = ClockKind.FIRST_RESPONSE


class TestStart:
    @pytest.mark.parametrize(
        ("received", "due"),
        [
            (jst(2026, 11, 28, 11), jst(2026, 11, 30, 18)),  # Saturday -> Monday 18:00
            (jst(2026, 11, 30, 15), jst(2026, 12, 1, 15)),  # Monday 15:00 -> Tuesday 15:00
            (jst(2026, 11, 27, 17), jst(2026, 11, 30, 17)),  # Friday 17:00 -> Monday 17:00
            (jst(2026, 11, 30, 18), jst(2026, 12, 1, 18)),  # 18:00 sharp is after closing
            (jst(2026, 11, 20, 12), jst(2026, 11, 24, 12)),  # Friday before 勤労感謝の日 (Mon 11/23)
        ],
        ids=["saturday", "monday-15", "friday-17", "closing-sharp", "over-a-holiday"],
    )
    def test_first_response_is_due_one_business_day_after_receipt_t2(
        self, cal: BusinessCalendar, received: datetime, due: datetime
    ) -> None:
        """T2 reading: 8 business hours from receipt, counted from the next opening when closed."""
        clock = start(FIRST, "ACME-12", received, cal)
        assert clock.due == due
        assert clock.budget == Decimal(8)
        assert [e.kind for e in clock.history] == [EventKind.STARTED]

    def test_result_clock_lasts_two_business_days_t4(self, cal: BusinessCalendar) -> None:
        """T4: the result is due 2 business days (16 business hours) after the work."""
        clock = start(ClockKind.RESULT, "ACME-12", jst(2026, 11, 27, 15), cal)
        assert clock.due == jst(2026, 12, 1, 15)

    def test_refuses_a_clock_shorter_than_a_business_day(self, cal: BusinessCalendar) -> None:
        """A zero-day clock is a configuration mistake, not a clock that is always breached."""
        with pytest.raises(ValueError, match="at least 1 business day"):
            start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal, business_days=0)


class TestPauseResume:
    def test_half_a_business_day_paused_moves_the_due_by_four_business_hours(
        self, cal: BusinessCalendar
    ) -> None:
        """Paused 12:00-16:00 Monday (waiting for the customer): due Mon 18:00 becomes Tue 14:00."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        clock = resume(pause(clock, jst(2026, 11, 30, 12)), jst(2026, 11, 30, 16), cal)
        assert clock.due == jst(2026, 12, 1, 14)
        assert clock.paused_total == Decimal(4)
        assert clock.paused_at is None

    def test_night_spent_paused_does_not_count(self, cal: BusinessCalendar) -> None:
        """Paused Monday 16:00 to Tuesday 12:00 is 4 business hours, not 20 wall-clock hours."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 15), cal)
        clock = resume(pause(clock, jst(2026, 11, 30, 16)), jst(2026, 12, 1, 12), cal)
        assert clock.due == jst(2026, 12, 2, 11)

    def test_pause_and_resume_are_idempotent(self, cal: BusinessCalendar) -> None:
        """A second pause keeps the first pause time; resuming a running clock changes nothing."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        paused = pause(clock, jst(2026, 11, 30, 11))
        assert pause(paused, jst(2026, 11, 30, 12)) == paused
        assert resume(clock, jst(2026, 11, 30, 12), cal) == clock

    def test_history_keeps_every_step(self, cal: BusinessCalendar) -> None:
        """The monthly report can replay the clock: started, paused, resumed, met, with times."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        clock = resume(pause(clock, jst(2026, 11, 30, 11)), jst(2026, 11, 30, 12), cal)
        clock = meet(clock, jst(2026, 11, 30, 13))
        assert [(e.kind, e.at) for e in clock.history] == [
            (EventKind.STARTED, jst(2026, 11, 30, 10)),
            (EventKind.PAUSED, jst(2026, 11, 30, 11)),
            (EventKind.RESUMED, jst(2026, 11, 30, 12)),
            (EventKind.MET, jst(2026, 11, 30, 13)),
        ]
        assert clock.history[-1].due == jst(2026, 12, 1, 11)


class TestDueActions:
    def test_reminds_at_three_quarters_of_the_clock(self, cal: BusinessCalendar) -> None:
        """Monday 10:00 -> due 18:00: the 75 % point is 16:00, with 2 business hours left."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        assert due_actions([clock], jst(2026, 11, 30, 15, 59), cal) == ()
        assert due_actions([clock], jst(2026, 11, 30, 16), cal) == (
            Remind("ACME-12", FIRST, jst(2026, 11, 30, 18), Decimal(2), jst(2026, 11, 30, 16)),
        )

    def test_a_reminder_due_after_closing_waits_for_the_next_opening_t1(self, cal: BusinessCalendar) -> None:
        """Monday 12:00 -> due Tuesday 12:00: the 75 % point falls at closing; a tick at 19:00 or 09:59
        sends nothing, the 10:00 tick reminds with 2 business hours left."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 12), cal)
        assert due_actions([clock], jst(2026, 11, 30, 19), cal) == ()
        assert due_actions([clock], jst(2026, 12, 1, 9, 59), cal) == ()
        (action,) = due_actions([clock], jst(2026, 12, 1, 10), cal)
        assert isinstance(action, Remind)
        assert action.at == jst(2026, 12, 1, 10)
        assert action.left == Decimal(2)

    def test_remind_fraction_is_configurable(self, cal: BusinessCalendar) -> None:
        """At 50 % the Monday 10:00 clock reminds at 14:00."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        assert due_actions([clock], jst(2026, 11, 30, 14), cal, remind_fraction=Decimal("0.5"))

    def test_breach_is_told_once(self, cal: BusinessCalendar) -> None:
        """After the due time the next business-hours tick tells staff once; applying it silences it."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        assert due_actions([clock], jst(2026, 11, 30, 19), cal) == ()  # closed: wait
        (action,) = due_actions([clock], jst(2026, 12, 1, 10), cal)
        assert action == Breach("ACME-12", FIRST, jst(2026, 11, 30, 18), jst(2026, 12, 1, 10))
        clock = apply(clock, action)
        assert clock.breached_at == jst(2026, 12, 1, 10)
        assert due_actions([clock], jst(2026, 12, 1, 11), cal) == ()

    def test_a_breach_replaces_a_reminder_never_sent(self, cal: BusinessCalendar) -> None:
        """When the worker was down past the due time, staff get the breach, not a stale reminder."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        actions = due_actions([clock], jst(2026, 12, 2, 10), cal)
        assert [type(a) for a in actions] == [Breach]

    def test_a_clock_met_before_its_due_yields_nothing(self, cal: BusinessCalendar) -> None:
        """A staff comment at 11:00 meets the clock: no reminder, no breach, ever."""
        clock = meet(start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal), jst(2026, 11, 30, 11))
        for now in (jst(2026, 11, 30, 16), jst(2026, 12, 1, 10), jst(2026, 12, 10, 12)):
            assert due_actions([clock], now, cal) == ()
        assert record(clock).outcome == "met"

    def test_a_paused_clock_is_neither_reminded_nor_breached(self, cal: BusinessCalendar) -> None:
        """While waiting for the customer the clock stands still (T2-T4 pause)."""
        clock = pause(start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal), jst(2026, 11, 30, 11))
        assert due_actions([clock], jst(2026, 12, 3, 12), cal) == ()
        assert elapsed(clock, jst(2026, 12, 3, 12), cal) == Decimal(1)

    def test_a_clock_paused_after_its_due_was_already_breached(self, cal: BusinessCalendar) -> None:
        """Pausing cannot undo a breach that happened before the pause."""
        clock = pause(start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal), jst(2026, 12, 1, 11))
        assert [type(a) for a in due_actions([clock], jst(2026, 12, 1, 12), cal)] == [Breach]

    def test_reminder_is_sent_once(self, cal: BusinessCalendar) -> None:
        """A reminder, once applied, is not repeated on the next tick."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        (action,) = due_actions([clock], jst(2026, 11, 30, 16), cal)
        clock = apply(clock, action)
        assert due_actions([clock], jst(2026, 11, 30, 17), cal) == ()

    def test_nothing_is_sent_on_a_weekend(self, cal: BusinessCalendar) -> None:
        """Saturday noon is outside business hours even for a long-overdue clock (T1)."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 23, 10), cal)
        assert due_actions([clock], jst(2026, 11, 28, 12), cal) == ()


class TestRecordAndRenew:
    def test_late_answer_is_recorded_as_missed(self, cal: BusinessCalendar) -> None:
        """A first response after the due time is missed in the monthly report (R1)."""
        clock = meet(start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal), jst(2026, 12, 1, 11))
        assert record(clock).outcome == "missed"
        assert record(clock).met_at == jst(2026, 12, 1, 11)

    def test_open_and_breached_clocks_are_recorded(self, cal: BusinessCalendar) -> None:
        """An open clock is open; a breached one is missed even before it is finally met."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        assert record(clock).outcome == "open"
        breached = apply(clock, Breach("ACME-12", FIRST, clock.due, jst(2026, 12, 1, 10)))
        assert record(breached).outcome == "missed"

    def test_update_posted_starts_the_next_days_clock_t3(self, cal: BusinessCalendar) -> None:
        """T3: each update meets today's clock and starts one due a business day later."""
        clock = start(ClockKind.UPDATE, "ACME-12", jst(2026, 11, 30, 10), cal)
        done, nxt = renew(clock, jst(2026, 11, 30, 17), cal)
        assert done.met_at == jst(2026, 11, 30, 17)
        assert nxt.kind is ClockKind.UPDATE
        assert nxt.due == jst(2026, 12, 1, 17)

    def test_apply_ignores_an_action_for_another_clock(self, cal: BusinessCalendar) -> None:
        """Actions are matched to clocks by issue and kind."""
        clock = start(FIRST, "ACME-12", jst(2026, 11, 30, 10), cal)
        other = Remind("BETA-3", FIRST, clock.due, Decimal(2), jst(2026, 11, 30, 16))
        assert apply(clock, other) == clock


CAL = brochure_calendar()
BASE = jst(2026, 11, 16)  # a Monday; the range below covers 勤労感謝の日 (11/23) and weekends
minutes = st.integers(min_value=0, max_value=60 * 24 * 28)


@settings(max_examples=60, deadline=None)
@given(
    starts=st.lists(minutes, min_size=1, max_size=4),
    ticks=st.lists(minutes, min_size=1, max_size=40),
    pauses=st.lists(st.tuples(minutes, minutes), max_size=3),
)
def test_due_actions_fire_only_in_business_hours_and_once_per_clock(
    starts: list[int], ticks: list[int], pauses: list[tuple[int, int]]
) -> None:
    """Property (T1): whatever the clocks and the ticks, every action falls inside business hours and
    each clock gets at most one reminder and one breach when the worker applies what it sent."""
    clocks: dict[int, Clock] = {
        i: start(ClockKind.FIRST_RESPONSE, f"ACME-{i}", BASE + timedelta(minutes=m), CAL)
        for i, m in enumerate(starts)
    }
    sent: list[Remind | Breach] = []
    windows = [(BASE + timedelta(minutes=min(a, b)), BASE + timedelta(minutes=max(a, b))) for a, b in pauses]
    for tick in sorted(ticks):
        now = BASE + timedelta(minutes=tick)
        for i in list(clocks):
            if now < clocks[i].started:
                continue
            for lo, hi in windows:
                if lo <= now < hi and clocks[i].started <= lo:
                    clocks[i] = pause(clocks[i], lo)
                elif now >= hi and clocks[i].paused_at is not None:
                    clocks[i] = resume(clocks[i], now, CAL)
        live = [c for c in clocks.values() if c.started <= now]
        actions = due_actions(live, now, CAL)
        for action in actions:
            assert in_business_hours(action.at, CAL)
            assert action.at.weekday() < 5
            assert 10 <= action.at.hour < 18
            sent.append(action)
            key = int(action.issue_key.split("-")[1])
            clocks[key] = apply(clocks[key], action)
    for i in clocks:
        key = f"ACME-{i}"
        assert sum(1 for a in sent if isinstance(a, Remind) and a.issue_key == key) <= 1
        assert sum(1 for a in sent if isinstance(a, Breach) and a.issue_key == key) <= 1
