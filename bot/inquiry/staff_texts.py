"""Staff-facing texts of the inquiry flow: the staff issue, command replies, reminders, breaches (issue 15).

The words are in ``templates/staff/*.j2``; staff texts keep the rule IDs (T2, C1, O3 ...) staff work by.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from bot.backlog.text import Doc
from bot.clock import JST
from bot.inquiry.commands import COMMAND_WORDS
from bot.inquiry.texts import Hours, scope_parts
from bot.rules.categories import Category
from bot.rules.estimates import EstimateKind
from bot.rules.scope import ScopeFinding
from bot.rules.sla import Breach, Remind
from bot.wording import Voice

__all__ = [
    "approval_held_notice",
    "breach_notice",
    "command_done",
    "command_refused",
    "customer_command_notice",
    "help_lines",
    "help_text",
    "quote_rejected_notice",
    "reminder_notice",
    "staff_issue_body",
    "staff_issue_summary",
]

# The command syntax is the parser's (bot/inquiry/commands.py): its examples live beside it; what each
# command does is wording, in ``staff/command_help`` (issue 15).
_EXAMPLES: dict[str, str] = {
    "estimate": "/bot estimate 3h E6 メモ",
    "schedule": "/bot schedule 2026-12-05 10:00-13:00",
    "consume": "/bot consume 0.5h 基本機能の回答",
    "purchase": "/bot purchase 6h",
    "send": "/bot send",
    "pause": "/bot pause",
    "resume": "/bot resume",
    "reject": "/bot reject",
    "approve": "/bot approve",
    "decline": "/bot decline",
    "help": "/bot help",
}


def help_lines(voice: Voice) -> tuple[str, ...]:
    """Every command with an example and what it does, in the parser's order."""
    return tuple(f"{_EXAMPLES[w]} — {voice.line('staff/command_help', word=w)}" for w in COMMAND_WORDS)


def staff_issue_summary(voice: Voice, issue_key: str, summary: str) -> str:
    """`[ACME-12] 件名`: the staff issue is found by the customer key at a glance (then fit_summary)."""
    return voice.line("staff/inquiry_title", issue_key=issue_key, summary=summary)


#: How much of the customer's text the staff issue quotes (the customer issue has all of it).
BODY_SHOWN = 3000


def staff_issue_body(
    voice: Voice,
    *,
    customer: str,
    issue_key: str,
    issue_url: str,
    reporter: str,
    registered: bool,
    received: datetime,
    deadline: datetime,
    categories: Sequence[Category] = (),
    estimate: EstimateKind | None = None,
    scope: Sequence[ScopeFinding] = (),
    body: str = "",
    hours: Hours | None = None,
    wished: date | None = None,
) -> Doc:
    """The description of the staff issue opened for every customer inquiry (R2, ``staff/inquiry``).

    Issue 20 item 6: it also carries the inquiry's own text (``body``, cut at ``BODY_SHOWN``), the
    customer's hours this quarter and when they lapse (``hours``), and the date the customer wrote as
    wished (``wished``, a hint for T6); the command list is one line (``/bot help`` shows it).

    Rules: T2 (the first-response deadline), C1-C8 (suspected category, never a decision), E1-E11 (the
    minimum of the suspected kind of work), O1-O7 (each suspicion with its channel, and the reply
    ``/bot reject`` posts), P3 (an author who is not a registered inquirer is flagged). The staff issue
    links to the customer issue by URL; the customer side links back only through the reference lines
    (`hoshu-bot:staff:ACME-12`), because customers must not see the staff project.
    """
    reasons, alternatives = scope_parts([f.explanation for f in scope])
    return voice.doc(
        "staff/inquiry", customer=customer, issue_key=issue_key, issue_url=issue_url, reporter=reporter,
        registered=registered, received=received, deadline=deadline, categories=list(categories),
        estimate=estimate, function_inquiry=any(c.consumes == "c1" for c in categories),
        scope=list(scope), reply="\n".join(reasons + alternatives), body=body.strip()[:BODY_SHOWN],
        hours=hours, wished=wished,
        wished_days=(wished - received.astimezone(JST).date()).days if wished is not None else 0,
    )


def help_text(voice: Voice) -> Doc:
    """`/bot help` and unknown commands: every command with an example (obeyed from staff users only)."""
    return voice.doc("staff/help", commands=help_lines(voice))


def command_done(voice: Voice, line: str, detail: str) -> Doc:
    """The short reply to an obeyed command: what was done."""
    return voice.doc("staff/command_done", line=line, detail=detail)


def command_refused(voice: Voice, line: str, reason: str) -> Doc:
    """The short reply to a command that was not obeyed, and why (bad value, wrong state, H6, H10)."""
    return voice.doc("staff/command_refused", line=line, detail=reason)


def customer_command_notice(
    voice: Voice, *, user: str, issue_key: str, issue_url: str, lines: Sequence[str]
) -> Doc:
    """A `/bot` line written by someone who is not staff: ignored, and staff are told (never obeyed)."""
    return voice.doc("staff/customer_command", user=user, issue_key=issue_key, issue_url=issue_url,
                     lines=list(lines))


def reminder_notice(voice: Voice, action: Remind, *, issue_url: str) -> Doc:
    """R2: a clock reached the reminder point (default 75 %); sent only in business hours (T1)."""
    return voice.doc("staff/reminder", issue_key=action.issue_key, kind=action.kind.value,
                     due=action.due, left=_whole(action.left), issue_url=issue_url)


def breach_notice(voice: Voice, action: Breach, *, issue_url: str) -> Doc:
    """R2: a clock ran out; staff are told once, in business hours (T1). Explain the delay to the customer."""
    return voice.doc("staff/breach", issue_key=action.issue_key, kind=action.kind.value,
                     due=action.due, issue_url=issue_url)


def quote_rejected_notice(voice: Voice, n: int) -> Doc:
    """⑥ declined: staff learn that quote ``n`` was declined and nothing consumed."""
    return voice.doc("staff/quote_rejected", n=n)


def answer_unclear_notice(
    voice: Voice, *, n: int, user: str, issue_key: str, issue_url: str, reply: str, reason: str
) -> Doc:
    """Issue 18: a reply that speaks of the answer but is not one. Nothing moved, the customer was not
    answered; staff get the reply, why it was not taken, and ``/bot approve`` / ``/bot decline``."""
    return voice.doc("staff/answer_unclear", n=n, user=user, issue_key=issue_key, issue_url=issue_url,
                     reply=reply, reason=reason)


def approval_held_notice(voice: Voice, n: int, need: Decimal) -> Doc:
    """H6/H7: staff learn that quote ``n`` is approved but waits for ``need`` hours to be bought."""
    return voice.doc("staff/approval_held", n=n, need=need)


def _whole(hours: Decimal) -> Decimal:
    # Business hours left may carry minutes; staff need a glance, so round down to the 0.5 h of H10.
    return (hours * 2).to_integral_value(rounding=ROUND_FLOOR) / 2
