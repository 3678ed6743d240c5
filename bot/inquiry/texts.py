"""Customer-facing texts of the inquiry flow: the values each template needs (issue 15).

The words are in ``templates/customer/*.j2`` (the vendor edits them); each function here gathers the
values of one text and renders it through a :class:`~bot.wording.Voice` in both notations. No rule ID
(H6, T7 ...) reaches a customer: the quote's warnings are shown by their reason alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.backlog.text import Doc
from bot.clock import JST
from bot.hour_tracker import Balance
from bot.rules.scope import ScopeFinding
from bot.wording import Voice
from bot.wording.formats import fmt_date, fmt_datetime, fmt_hours, fmt_yen

__all__ = [
    "JST",
    "Hours",
    "acknowledgement",
    "approval_before_estimate",
    "approval_confirmed",
    "approval_held",
    "consumed_notice",
    "fmt_date",
    "fmt_datetime",
    "fmt_hours",
    "fmt_yen",
    "out_of_scope_reply",
    "purchased_notice",
    "reference",
    "rejection_acknowledged",
    "scope_parts",
]

def reference(kind: str, key: str) -> str:
    """The last-line reference of a bot text (INTERFACE), e.g. `hoshu-bot:ack:ACME-12`."""
    return f"hoshu-bot:{kind}:{key}"


@dataclass(frozen=True)
class Hours:
    """The quarter's hours as the customer sees them (T5, R3): used, left, last valid day (H4), and the
    hours ``reserved`` by quotes still waiting for the customer's answer (shown in the hour bar)."""

    used: Decimal
    left: Decimal
    start: date
    expires: date
    reserved: Decimal = Decimal(0)

    @classmethod
    def from_balance(cls, balance: Balance, reserved: Decimal = Decimal(0)) -> Hours:
        """From the ledger's balance; the quarter's end is exclusive: the last valid day is the one before."""
        q = balance.quarter
        return cls(balance.consumed, balance.remaining, q.start, q.end - timedelta(days=1), reserved)

    @property
    def left_now(self) -> Decimal:
        """What is left, never below zero."""
        return max(self.left, Decimal(0))

    @property
    def held(self) -> Decimal:
        """The part of what is left that pending quotes would take (never more than what is left)."""
        return min(max(self.reserved, Decimal(0)), self.left_now)

    @property
    def free(self) -> Decimal:
        """Left and not reserved by a pending quote."""
        return self.left_now - self.held

    @property
    def over(self) -> Decimal:
        """Hours of pending quotes beyond what is left (the bar cannot show them: the text says them)."""
        return max(max(self.reserved, Decimal(0)) - self.left_now, Decimal(0))


def _hours_values(hours: Hours) -> dict[str, object]:
    return {"hours": hours}


# --- acknowledgement (flow ②) -------------------------------------------------------------------------
def acknowledgement(
    voice: Voice,
    *,
    deadline: datetime,
    hours: Hours,
    function_inquiry: bool = False,
    registered: bool = True,
    flat_hours: Decimal = Decimal("0.5"),
) -> Doc:
    """The first comment on every new inquiry (``customer/ack``).

    Rules: T2 (the deadline of the first answer, JST), T5/R3 (hours used, reserved and left, expiry, H4),
    C1/E4 (an SMP function inquiry goes to customer support free of charge unless the customer asks
    maintenance to answer, flat ``flat_hours``), P3 (an author who is not a registered inquirer is told
    that staff will confirm; staff are flagged separately).
    """
    return voice.doc("customer/ack", deadline=deadline, function_inquiry=function_inquiry,
                     registered=registered, flat_hours=flat_hours, **_hours_values(hours))


# --- the customer's answer (flow ⑥-⑦) --------------------------------------------------------------
def approval_confirmed(voice: Voice, *, consumed: Decimal, hours: Hours) -> Doc:
    """H8: the approval was recorded and ``consumed`` hours taken from the quarter of the approval."""
    return voice.doc("customer/approval_confirmed", consumed=consumed, **_hours_values(hours))


def approval_held(
    voice: Voice, *, requested: Decimal, left: Decimal, purchase_needed: Decimal, price: int,
    paperwork_days: int = 7,
) -> Doc:
    """H6/H7: an approval that needs hours not yet bought is held until staff record the purchase."""
    return voice.doc("customer/approval_held", requested=requested, left=max(left, Decimal(0)),
                     purchase_needed=purchase_needed, price=price, paperwork_days=paperwork_days)


def approval_before_estimate(voice: Voice) -> Doc:
    """⑤ before ⑥: an approval with no quote on the issue consumes nothing and is explained."""
    return voice.doc("customer/approval_before_estimate")


def rejection_acknowledged(voice: Voice) -> Doc:
    """⑥ declined: nothing is consumed; the issue stays open for questions."""
    return voice.doc("customer/rejection_acknowledged")


def consumed_notice(voice: Voice, why: str, consumed: Decimal, hours: Hours) -> Doc:
    """The confirmation of hours consumed by ``/bot consume`` (C1/E4 and the like; T5 balance)."""
    return voice.doc("customer/consumed", why=why, consumed=consumed, **_hours_values(hours))


def purchased_notice(voice: Voice, bought: Decimal, hours: Hours) -> Doc:
    """The confirmation of extra hours bought (H6: valid only in this quarter)."""
    return voice.doc("customer/purchased", bought=bought, **_hours_values(hours))


_POLITE_OPENINGS = ("恐れ入りますが、", "恐縮ですが、", "申し訳ございませんが、")


def scope_parts(explanations: Sequence[str]) -> tuple[list[str], list[str]]:
    """O1-O7: each rule's prepared explanation split into its reason (the first sentence, without the
    polite opening the reply says once) and what the customer can do instead (the other sentences);
    a sentence already said (two rules sending to the BPO service) is said once."""
    reasons: list[str] = []
    alternatives: list[str] = []
    for text in explanations:
        sentences = [s + "。" for s in text.replace("\n", "").split("。") if s.strip()]
        if not sentences:
            continue
        first = sentences[0]
        for opening in _POLITE_OPENINGS:
            first = first.removeprefix(opening)
        if first not in reasons:
            reasons.append(first)
        alternatives += [s for s in sentences[1:] if s not in alternatives and s not in reasons]
    return reasons, alternatives


def out_of_scope_reply(voice: Voice, findings: Sequence[ScopeFinding] | Sequence[str]) -> Doc:
    """O1-O7 (`/bot reject`, `/bot send`): a greeting, one reason per confirmed rule, what the customer
    can do instead (each said once), and a closing (``customer/out_of_scope``)."""
    texts = [f if isinstance(f, str) else f.explanation for f in findings]
    reasons, alternatives = scope_parts(texts)
    return voice.doc("customer/out_of_scope", reasons=reasons, alternatives=alternatives)
