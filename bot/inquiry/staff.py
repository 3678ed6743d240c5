"""Staff-side events: `/bot` commands from either issue, staff answers (⑤-⑦).

A change of the issue's estimated hours (予定時間) is read from the issue itself: ``bot.inquiry.issue_sync``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.backlog.text import Block, Doc
from bot.errors import UsageError
from bot.inquiry import sla_job
from bot.inquiry.commands import (
    Approve,
    Command,
    CommandError,
    Consume,
    Decline,
    Estimate,
    Help,
    Pause,
    Purchase,
    Reject,
    Resume,
    Schedule,
    Send,
    is_command_line,
    parse_commands,
)
from bot.inquiry.context import Ctx, Work
from bot.inquiry.handlers import approve, decline
from bot.inquiry.quote_text import QuoteFacts, last_business_day, quote_text, unmeetable
from bot.inquiry.quotes import (
    QuoteState,
    customer_balance,
    make_quote,
    quote_data,
    quote_record,
    schedule_from,
    schedule_to,
    span_of,
)
from bot.inquiry.staff_texts import command_done, command_refused, help_lines
from bot.inquiry.texts import consumed_notice, out_of_scope_reply, purchased_notice
from bot.inquiry.watcher import NewComment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one command did (``ok``) or why it was refused, in one Japanese sentence."""

    ok: bool
    detail: str


def staff_comment(ctx: Ctx, work: Work, ev: NewComment, now: datetime, *, on_customer_issue: bool) -> None:
    """Obey every `/bot` line of a staff comment and reply once on the staff issue (ref ``cmd``).

    A staff comment with prose on the customer issue is an answer: it meets T2 and renews T3.
    """
    commands: list[tuple[str, Command | CommandError]] = []
    lines = [line.strip() for line in ev.content.splitlines() if is_command_line(line)]
    commands.extend(zip(lines, parse_commands(ev.content), strict=True))
    prose = [line for line in ev.content.splitlines() if line.strip() and not is_command_line(line)]
    if on_customer_issue and prose:
        sla_job.staff_answered(work, ctx, ev.at)
    if not commands:
        return
    blocks: list[Block] = []
    for line, command in commands:
        result = obey(ctx, work, command, ev, now)
        voice = ctx.config.voice()
        doc = (command_done(voice, line, result.detail) if result.ok
               else command_refused(voice, line, result.detail))
        blocks.extend(doc.blocks)
    ctx.to_staff(work.row, f"hoshu-bot:cmd:{ev.issue_key}:{ev.comment_id}", Doc(tuple(blocks)))


def obey(  # noqa: PLR0911 - one branch per command word reads best as a flat dispatcher
    ctx: Ctx, work: Work, command: Command | CommandError, ev: NewComment, now: datetime,
) -> Outcome:
    """One command, already known to come from a staff user."""
    if isinstance(command, CommandError):
        return Outcome(False, command.reason)
    if isinstance(command, Estimate):
        return estimate(ctx, work, command, ev.at)
    if isinstance(command, Schedule):
        work.data["schedule"] = schedule_to(command)
        q = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
        if q is not None and q.state in ("pending", "proposal"):
            again = estimate(ctx, work, Estimate(q.worked, q.kind), ev.at)
            return Outcome(again.ok, said(ctx, "schedule_requoted", detail=again.detail))
        return Outcome(True, said(ctx, "schedule_set"))
    if isinstance(command, Consume):
        return consume(ctx, work, command, ev, now)
    if isinstance(command, Purchase):
        return purchase(ctx, work, command, ev, now)
    if isinstance(command, Send | Reject):
        return explain(ctx, work, reject=isinstance(command, Reject), at=ev.at)
    if isinstance(command, Approve | Decline):
        return record_answer(ctx, work, approving=isinstance(command, Approve), ev=ev, now=now)
    if isinstance(command, Pause):
        sla_job.pause_all(work, ev.at)
        return Outcome(True, said(ctx, "paused"))
    if isinstance(command, Resume):
        sla_job.resume_all(work, ctx, ev.at)
        return Outcome(True, said(ctx, "resumed"))
    # Help and Unknown: the list of commands (an unknown word is a refusal that teaches the list).
    return Outcome(isinstance(command, Help),
                   "\n".join((said(ctx, "commands"), *help_lines(ctx.config.voice()))))


def said(ctx: Ctx, what: str, **values: object) -> str:
    """The result of a command as staff read it (``staff/outcome``, issue 15)."""
    return ctx.config.voice().line("staff/outcome", what=what, **values)


def estimate(ctx: Ctx, work: Work, cmd: Estimate, at: datetime) -> Outcome:
    """Flow ⑤: check the estimate (E1-E11 minimum, O7 cap), weight it by the schedule (T7) and post the
    quote to the customer (H7 purchase and price, T6/H6 warnings, how to approve)."""
    table = ctx.config.service.estimates
    try:
        findings = table.check_estimate(cmd.hours, cmd.kind)
    except UsageError as exc:
        return Outcome(False, str(exc))
    if findings:
        return Outcome(False, said(ctx, "estimate_refused", findings=[f.words() for f in findings]))
    current = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
    if current is not None and current.state == "held":
        return Outcome(False, said(ctx, "quote_held"))
    raw = work.data.get("schedule")
    schedule = schedule_from(raw) if isinstance(raw, dict) else None
    customer = ctx.config.customer(work.row.customer)
    try:
        wished = work.data.get("wished")
        quote, parts = make_quote(ctx.config, ctx.store, customer, at, cmd.hours, schedule,
                                  date.fromisoformat(wished) if isinstance(wished, str) else None)
    except UsageError as exc:
        return Outcome(False, str(exc))
    if quote.refusals:  # O7 after the T7 multipliers, T6 a wished date already past (decided 2026-12-03)
        return Outcome(False, said(ctx, "estimate_refused", findings=[f.words() for f in quote.refusals]))
    n = int(work.data.get("quote_n", 0)) + 1  # type: ignore[call-overload]
    words, cal = ctx.config.service.workflow, ctx.config.calendar()
    facts = QuoteFacts(
        number=f"{work.row.issue_key}-{n}", kind=table.kind(cmd.kind).label if cmd.kind else "",
        memo=cmd.note, work=span_of(schedule, cal.tz) if schedule is not None else None,
        valid_until=last_business_day(cal, quote.balance.quarter.end),
        approval_sentence=words.approval_sentences[0], decline_sentence=words.decline_sentences[0],
        paperwork_days=ctx.config.service.quote_policy().paperwork_days,
    )
    today = at.astimezone(cal.tz).date()
    body = quote_text(ctx.voice(customer.project), quote, parts=parts, facts=facts, today=today,
                      reserved=ctx.reserved(customer.project, work.row.issue_key))
    ref = f"hoshu-bot:quote:{work.row.issue_key}:{n}"
    ctx.to_customer(work.row, ref, body, data=quote_data(quote.worked, quote.requested, cmd.kind),
                    record=quote_record(ctx.voice(customer.project), ref, quote.worked, quote.requested,
                                        cmd.kind))
    # A quote that cannot be met as asked proposes another date: an answer to it is for staff (issue 18).
    proposal = unmeetable(quote, facts, today)
    work.data["quote_n"] = n
    work.data["quote"] = QuoteState(n, quote.worked, quote.requested, "proposal" if proposal else "pending",
                                    cmd.kind).to_json()
    sla_job.staff_answered(work, ctx, at)
    return Outcome(True, said(ctx, "quoted", n=n, worked=quote.worked, requested=quote.requested,
                              purchase_needed=quote.purchase_needed, purchase_price=quote.purchase_price,
                              proposal=proposal))


def consume(ctx: Ctx, work: Work, cmd: Consume, ev: NewComment, now: datetime) -> Outcome:
    """Hours used without a quote (C1/E4 flat 0.5 h): only within what the quarter holds (H5, H7)."""
    customer = ctx.config.customer(work.row.customer)
    ref = f"hoshu-bot:consume:{work.row.issue_key}:cmd{ev.comment_id}"
    if not ctx.store.has_ledger_ref(ref):
        left = max(customer_balance(ctx.store, customer, ev.at).remaining, Decimal(0))
        if cmd.hours > left:
            return Outcome(False, said(ctx, "consume_short", left=left))
    why = cmd.note or "保守作業"
    ctx.record(work.row, ledger_ref=ref, kind="consume", hours=cmd.hours, at=ev.at, who=ev.user, why=why,
               now=now)
    hours = ctx.hours(customer, ev.at)
    ctx.confirm(work.row, ref, consumed_notice(ctx.voice(customer.project), why, cmd.hours, hours))
    sla_job.staff_answered(work, ctx, ev.at)
    return Outcome(True, said(ctx, "consumed", hours=cmd.hours, left=hours.left))


def purchase(ctx: Ctx, work: Work, cmd: Purchase, ev: NewComment, now: datetime) -> Outcome:
    """H6: extra hours bought, valid in the quarter of the purchase; a held approval then goes through."""
    customer = ctx.config.customer(work.row.customer)
    ref = f"hoshu-bot:purchase:{work.row.issue_key}:c{ev.comment_id}"
    ctx.record(work.row, ledger_ref=ref, kind="purchase", hours=cmd.hours, at=ev.at, who=ev.user,
               why="追加購入", now=now)
    hours = ctx.hours(customer, ev.at)
    ctx.confirm(work.row, ref, purchased_notice(ctx.voice(customer.project), cmd.hours, hours))
    held = ""
    q = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
    if q is not None and q.state == "held" and q.approved_at is not None:
        approved = datetime.fromisoformat(q.approved_at)
        # H8: the quarter of the approval, unless the purchase lies in a later quarter (H6 validity).
        same = ctx.hours(customer, approved).start == hours.start
        retry = QuoteState(q.n, q.worked, q.requested, "pending", q.kind)
        approve(ctx, work, retry, approved if same else ev.at, work.row.created_user, now, work_from=ev.at)
        state = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
        done = state is not None and state.state == "approved"
        held = "done" if done else "short"
    return Outcome(True, said(ctx, "purchased", hours=cmd.hours, held=held))


def record_answer(ctx: Ctx, work: Work, *, approving: bool, ev: NewComment, now: datetime) -> Outcome:
    """Issue 18: staff record the customer's answer for them (``/bot approve`` / ``/bot decline``).

    The source is the customer's last unclear reply when there is one (its time decides the quarter, H8,
    and its author is the approver), else the command itself (an answer by telephone or mail). The
    ledger entry names the staff member who recorded it and the reply it came from.
    """
    q = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
    if q is None or q.state not in ("pending", "held", "proposal"):
        return Outcome(False, said(ctx, "no_pending_quote"))
    if approving and q.state == "held":
        return Outcome(False, said(ctx, "approval_already_held", n=q.n))
    reply = work.data.get("reply")
    if isinstance(reply, dict) and reply.get("comment_id"):
        at, who = datetime.fromisoformat(str(reply["at"])), str(reply["user"])
        source = f"お客様コメント {reply['comment_id']} による、{ev.user} さんの記録"
    else:
        at, who, source = ev.at, work.row.created_user, f"{ev.user} さんの記録"
    if not approving:
        decline(ctx, work, q, recorded_by=ev.user)
        return Outcome(True, said(ctx, "declined_for_customer", n=q.n, source=source))
    approve(ctx, work, q, at, who, now, source=source)
    state = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
    if state is not None and state.state == "held":
        return Outcome(True, said(ctx, "approved_for_customer", n=q.n, source=source) + " "
                       + said(ctx, "quote_held"))
    return Outcome(True, said(ctx, "approved_for_customer", n=q.n, source=source))


def explain(ctx: Ctx, work: Work, *, reject: bool, at: datetime) -> Outcome:
    """O1-O7: post the prepared polite explanation to the customer (``send``; ``reject`` also closes it)."""
    prepared = work.data.get("scope")
    if not isinstance(prepared, list) or not prepared:
        return Outcome(False, said(ctx, "nothing_to_send"))
    texts = [str(p["explanation"]) for p in prepared if isinstance(p, dict)]
    ctx.to_customer(work.row, f"hoshu-bot:explain:{work.row.issue_key}",
                    out_of_scope_reply(ctx.voice(work.row.customer), texts))
    sla_job.staff_answered(work, ctx, at)
    if reject:
        work.data["rejected"] = True
        return Outcome(True, said(ctx, "rejected"))
    return Outcome(True, said(ctx, "sent"))
