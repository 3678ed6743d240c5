"""Customer-side events: a new inquiry (flow ①-②), the customer's comments and answers (⑥-⑦)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from bot.backlog.text import untrusted
from bot.clock import JST
from bot.hour_tracker import round_up
from bot.inquiry import sla_job
from bot.inquiry.commands import is_command_line
from bot.inquiry.context import Ctx, Work
from bot.inquiry.quotes import QuoteState, customer_balance
from bot.inquiry.staff_texts import (
    answer_unclear_notice,
    approval_held_notice,
    customer_command_notice,
    quote_rejected_notice,
    staff_issue_body,
    staff_issue_summary,
)
from bot.inquiry.texts import (
    acknowledgement,
    approval_before_estimate,
    approval_confirmed,
    approval_held,
    rejection_acknowledged,
)
from bot.inquiry.watcher import NewComment, NewIssue
from bot.rules.answers import Approval, Decline, Unclear, read_answer
from bot.rules.categories import Suspicion, suspect_categories
from bot.rules.estimates import EstimateKind
from bot.rules.scope import suspect_out_of_scope
from bot.rules.sla import ClockKind
from bot.rules.wished import wished_date
from bot.state.inquiries import InquiryRow

log = logging.getLogger(__name__)

#: How much of an unclear reply the staff note quotes (a reply may be long; Backlog caps a comment).
REPLY_SHOWN = 2000

# The estimate kind (E1-E11) staff most likely need for a suspected category: a hint, never a decision.
_KIND_HINT = {"C1": "E4", "C3": "E3", "C4": "E10", "C5": "E1", "C8": "E9"}


def new_issue(ctx: Ctx, ev: NewIssue, now: datetime) -> None:
    """Flow ②: acknowledge at once, also at night and at weekends (T2 deadline, T5 hours, C1, P3), and
    open the staff issue (category, estimate minimum, O1-O7 suspicions). Issues opened by staff or the
    bot, and issues outside customer projects, are not inquiries. A second delivery changes nothing.
    """
    customer = ctx.customer_of(ev.project)
    if customer is None or ctx.is_staff(ev.user) or ctx.is_bot(ev.user):
        return
    known = ctx.records.get(ev.issue_key)
    if known is not None and known.staff_issue_key is not None:
        return
    service = ctx.config.service
    text = f"{ev.summary}\n{ev.description}"
    suspicions = suspect_categories(text, service.categories)
    scope = suspect_out_of_scope(text, service.out_of_scope)
    registered = ctx.is_inquirer(customer, ev.user)
    function_inquiry = any(s.category.consumes == "c1" for s in suspicions)
    row = known or InquiryRow(
        issue_key=ev.issue_key, customer=customer.project, issue_id=ev.issue_id, summary=ev.summary,
        created_user=ev.user, created=ev.at, status="未対応", updated=ev.at,
        category=suspicions[0].category.id if suspicions else None,
    )
    work = Work(ctx, row)
    wished = wished_date(text, ev.at.astimezone(JST).date())  # T6 counts from it (review 9)
    sla_job.start_first_response(work, ctx, ev.at)
    deadline = work.clocks[ClockKind.FIRST_RESPONSE][1].due
    ack = acknowledgement(
        ctx.voice(customer.project), deadline=deadline, hours=ctx.hours(customer, ev.at),
        function_inquiry=function_inquiry, registered=registered,
    )
    ctx.writer.comment(customer.project, ev.issue_key, f"hoshu-bot:ack:{ev.issue_key}", ack)
    body = staff_issue_body(
        ctx.config.voice(), customer=customer.name, issue_key=ev.issue_key,
        issue_url=ctx.issue_url(ev.issue_key), reporter=ev.user, registered=registered, received=ev.at,
        deadline=deadline,
        categories=[s.category for s in suspicions], estimate=_hint(ctx, suspicions), scope=scope,
        body=ev.description, hours=ctx.hours(customer, ev.at), wished=wished,
    )
    staff = ctx.writer.issue(
        service.staff.project, f"hoshu-bot:staff:{ev.issue_key}",
        staff_issue_summary(ctx.config.voice(), ev.issue_key, ev.summary), body,
        issue_type=("タスク", "その他"),
    )
    work.row = work.row.but(staff_issue_key=staff.target)
    work.data.update({
        "registered": registered, "function_inquiry": function_inquiry,
        "scope": [{"rule": f.rule, "explanation": f.explanation} for f in scope],
        "wished": wished.isoformat() if wished is not None else None,
    })
    work.commit(ctx)
    log.info("inquiry %s acknowledged; staff issue %s", ev.issue_key, staff.target)


def _hint(ctx: Ctx, suspicions: tuple[Suspicion, ...]) -> EstimateKind | None:
    """E1-E11: the minimum of the work the first suspected category usually needs (staff decide)."""
    table = ctx.config.service.estimates
    for s in suspicions:
        kind_id = _KIND_HINT.get(s.category.id)
        if kind_id and any(k.id == kind_id for k in table.kinds):
            return table.kind(kind_id)
    return None


def customer_comment(ctx: Ctx, work: Work, ev: NewComment, now: datetime) -> None:
    """The customer wrote: paused clocks resume; `/bot` lines are ignored and reported to staff; an
    answer to the quote is approval (H8, consumed now or held for a purchase, H7) or rejection.
    """
    row = work.row
    if row.paused and ev.content.strip():
        sla_job.resume_all(work, ctx, ev.at)
    lines = [line for line in ev.content.splitlines() if is_command_line(line)]
    if lines:
        notice = customer_command_notice(
            ctx.config.voice(), user=ev.user, issue_key=row.issue_key, issue_url=ctx.issue_url(row.issue_key),
            lines=[untrusted(line) for line in lines],
        )
        ctx.to_staff(row, f"hoshu-bot:custcmd:{row.issue_key}:{ev.comment_id}", notice)
        log.info("ignored a customer /bot line on %s; staff told", row.issue_key)
    answer = read_answer(ev.content, ctx.config.service.workflow.grammar())
    if answer is None:
        return
    q = QuoteState.from_json(work.data.get("quote"))  # type: ignore[arg-type]
    if isinstance(answer, Approval) and q is not None and q.state == "proposal":
        # The quote proposed another date (it cannot be met as asked): a person agrees the date first.
        answer = Unclear("日程の再調整をご提案しているお見積りへのご承認です")
    if isinstance(answer, Decline) and q is not None and q.state == "proposal":
        q = QuoteState(q.n, q.worked, q.requested, "pending", q.kind)  # declining it is always safe
    if isinstance(answer, Unclear):
        # Issue 18: not an answer. Nothing moves and the customer is not answered; staff read the reply
        # and record the answer with /bot approve or /bot decline (which takes this reply as its source).
        if q is not None and q.state in ("pending", "held", "proposal"):
            work.data["reply"] = {"comment_id": ev.comment_id, "at": ev.at.isoformat(), "user": ev.user}
            ctx.to_staff(row, f"hoshu-bot:unclear:{row.issue_key}:{ev.comment_id}", answer_unclear_notice(
                ctx.config.voice(), n=q.n, user=ev.user, issue_key=row.issue_key,
                issue_url=ctx.issue_url(row.issue_key), reply=untrusted(ev.content.strip()[:REPLY_SHOWN]),
                reason=answer.reason))
            log.info("reply on %s is not an answer to quote #%d (%s); staff told, nothing consumed",
                     row.issue_key, q.n, answer.reason)
        return
    if q is None or q.state not in ("pending",):
        if isinstance(answer, Approval) and (q is None or q.state == "rejected"):
            ctx.to_customer(work.row, f"hoshu-bot:noquote:{row.issue_key}:{ev.comment_id}",
                            approval_before_estimate(ctx.voice(row.customer)))
        return
    if isinstance(answer, Decline):
        decline(ctx, work, q)
        return
    approve(ctx, work, q, ev.at, ev.user, now)


def decline(ctx: Ctx, work: Work, q: QuoteState, *, recorded_by: str | None = None) -> None:
    """The quote is declined (見送り): nothing consumed; the customer is thanked, staff are told."""
    key = work.row.issue_key
    ctx.to_customer(work.row, f"hoshu-bot:rejected:{key}:{q.n}",
                    rejection_acknowledged(ctx.voice(work.row.customer)))
    if recorded_by is None:  # a staff /bot decline gets its own reply instead
        ctx.to_staff(work.row, f"hoshu-bot:rejected-staff:{key}:{q.n}",
                     quote_rejected_notice(ctx.config.voice(), q.n))
    work.data["quote"] = QuoteState(q.n, q.worked, q.requested, "rejected", q.kind).to_json()


def approve(ctx: Ctx, work: Work, q: QuoteState, at: datetime, who: str, now: datetime, *,
            source: str = "", work_from: datetime | None = None) -> None:
    """Flow ⑥-⑦: consume the quote's hours in the quarter of ``at`` (H8), or hold the approval while the
    hours are short (H7) until staff record a purchase. A consumption already in the ledger (restart
    after the ledger write) is never re-checked against the balance: it only gets its confirmation.
    ``source``: how staff recorded it for the customer (``/bot approve``, issue 18), kept in the ledger.
    ``work_from``: when the work could start, if later than ``at`` (a held approval released by a
    purchase): the T3/T4 clocks start then, so the time spent waiting for the purchase is not counted
    against the response deadlines (review 16).
    """
    customer = ctx.config.customer(work.row.customer)
    key = work.row.issue_key
    ledger_ref = f"hoshu-bot:consume:{key}:{q.n}"
    if not ctx.store.has_ledger_ref(ledger_ref):
        bal = customer_balance(ctx.store, customer, at)
        left = max(bal.remaining, Decimal(0))
        if q.requested > left:
            policy = ctx.config.service.quote_policy()
            need = round_up(q.requested - left, policy.purchase_unit)
            ctx.to_customer(work.row, f"hoshu-bot:held:{key}:{q.n}", approval_held(
                ctx.voice(customer.project),
                requested=q.requested, left=left, purchase_needed=need,
                price=int(need * policy.spot_price), paperwork_days=policy.paperwork_days))
            ctx.to_staff(work.row, f"hoshu-bot:held-staff:{key}:{q.n}",
                         approval_held_notice(ctx.config.voice(), q.n, need))
            work.data["quote"] = QuoteState(q.n, q.worked, q.requested, "held", q.kind,
                                            at.isoformat()).to_json()
            return
    ctx.record(
        work.row, ledger_ref=ledger_ref, kind="consume", hours=q.requested, at=at, who=who,
        why=f"お見積り #{q.n} の承認" + (f"（{source}）" if source else ""), multiplier=q.multiplier, now=now,
    )
    ctx.confirm(work.row, ledger_ref, approval_confirmed(
        ctx.voice(customer.project), consumed=q.requested, hours=ctx.hours(customer, at)))
    work.data["quote"] = QuoteState(q.n, q.worked, q.requested, "approved", q.kind, at.isoformat()).to_json()
    sla_job.work_started(work, ctx, work_from or at)
