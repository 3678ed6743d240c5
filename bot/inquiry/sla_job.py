"""SLA clocks in the workflow (T2-T4): started, paused, met by events; reminders and breaches to staff."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.inquiry.context import Ctx, Work
from bot.inquiry.staff_texts import breach_notice, reminder_notice
from bot.rules import sla
from bot.rules.sla import Breach, ClockKind, Remind

log = logging.getLogger(__name__)


def start_first_response(work: Work, ctx: Ctx, received: datetime) -> None:
    """T2: the first-response clock starts at receipt (the next opening outside business hours)."""
    if ClockKind.FIRST_RESPONSE in work.clocks:
        return
    days = ctx.config.service.sla.first_response_business_days
    work.put(0, sla.start(ClockKind.FIRST_RESPONSE, work.row.issue_key, received, ctx.cal, days))


def work_started(work: Work, ctx: Ctx, at: datetime) -> None:
    """Flow ⑧: on approval the T3 daily-update clock and the T4 result clock start (once)."""
    s = ctx.config.service.sla
    for kind, days in ((ClockKind.UPDATE, s.update_every_business_days),
                       (ClockKind.RESULT, s.result_within_business_days)):
        current = work.clocks.get(kind)
        if current is None:
            work.put(0, sla.start(kind, work.row.issue_key, at, ctx.cal, days))


def staff_answered(work: Work, ctx: Ctx, at: datetime) -> None:
    """A staff comment on the customer issue meets T2 and, while work runs, renews the T3 clock."""
    first = work.clocks.get(ClockKind.FIRST_RESPONSE)
    if first is not None and first[1].met_at is None:
        work.put(first[0], sla.meet(first[1], at))
    update = work.clocks.get(ClockKind.UPDATE)
    if update is not None and update[1].met_at is None:
        old, new = sla.renew(update[1], at, ctx.cal)
        work.put(update[0], old)
        work.put(update[0] + 1, new)


def work_done(work: Work, at: datetime) -> None:
    """Resolved or closed by staff: the result is reported (T4) and daily updates end (T3)."""
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.UPDATE, ClockKind.RESULT):
        current = work.clocks.get(kind)
        if current is not None and current[1].met_at is None:
            work.put(current[0], sla.meet(current[1], at))


def pause_all(work: Work, at: datetime) -> None:
    """Waiting for the customer (configured status or ``/bot pause``): every running clock stops."""
    for seq, clock in list(work.clocks.values()):
        if clock.running:
            work.put(seq, sla.pause(clock, at))
    work.row = work.row.but(paused=True)


def resume_all(work: Work, ctx: Ctx, at: datetime) -> None:
    """The customer wrote (or ``/bot resume``): paused clocks run again, due dates moved by the pause."""
    for seq, clock in list(work.clocks.values()):
        if clock.paused_at is not None:
            work.put(seq, sla.resume(clock, at, ctx.cal))
    work.row = work.row.but(paused=False)


def check_clocks(ctx: Ctx, now: datetime) -> int:
    """Remind staff before a breach (default 75 %) and tell them of a breach, in business hours only (T1).

    The note is written (idempotent by reference) before the clock records it, so a crash in between
    neither loses nor repeats it. Returns the number of notes handled.
    """
    fraction = ctx.config.service.sla.reminder_at
    handled = 0
    for stored in ctx.records.clocks(open_only=True):
        actions = sla.due_actions([stored.clock], now, ctx.cal, fraction)
        if not actions:
            continue
        row = ctx.records.get(stored.clock.issue_key)
        if row is None:
            continue
        clock = stored.clock
        for action in actions:
            tag = "remind" if isinstance(action, Remind) else "breach"
            ref = f"hoshu-bot:{tag}:{row.issue_key}:{clock.kind.value}-{stored.seq}"
            url = ctx.issue_url(row.issue_key)
            voice = ctx.config.voice()
            body = reminder_notice(voice, action, issue_url=url) if isinstance(action, Remind) else (
                breach_notice(voice, action, issue_url=url) if isinstance(action, Breach) else None)
            if body is not None:
                ctx.to_staff(row, ref, body)
            clock = sla.apply(clock, action)
            handled += 1
            log.info("SLA %s %s on %s", clock.kind.rule, tag, row.issue_key)
        with ctx.store.transaction() as conn:
            ctx.records.save_clock(conn, stored.customer, stored.seq, clock)
    return handled
