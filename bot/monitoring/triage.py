"""The issue an alert becomes: summary and polite Japanese description (rules M2, M3, C8; T2 via caller)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.backlog.text import Doc, Rule, fit_summary, render, untrusted
from bot.mail.error_table import ErrorInfo
from bot.mail.mask import mask
from bot.mail.message import Alert, ParsedMail
from bot.wording import Voice
from bot.wording.formats import fmt_datetime

JST = ZoneInfo("Asia/Tokyo")
EXCERPT_LINES = 25
EXCERPT_CHARS = 2000


@dataclass(frozen=True)
class Occurrences:
    """How often the group has been seen (from GroupState) and when.

    ``first_seen``/``last_seen`` are when the bot received the first and the last mail; ``occurred`` are
    the times the adapter wrote into the mails (the error's own time), when it wrote one (issue 12).
    """

    count: int
    first_seen: datetime
    last_seen: datetime
    occurred: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Triage:
    """An alert issue: ``summary`` (≤255) and ``doc`` rendered per project rule by ``description``."""

    summary: str
    doc: Doc

    def description(self, rule: Rule, reference: str | None = None) -> str:
        """The description text for the project's ``textFormattingRule``."""
        return render(self.doc, rule, reference=reference)


def jst(dt: datetime | None) -> str:
    """A time as customers read it: ``2026年11月26日(木) 10:15`` in Japan time (``不明`` when unknown)."""
    return "不明" if dt is None else fmt_datetime(dt)


def _times(occurred: tuple[datetime, ...], alert: Alert) -> list[datetime]:
    """The adapter's own times, oldest first; never the receipt time in their place (issue 12)."""
    return sorted({*occurred, *((alert.occurred_at,) if alert.occurred_at else ())})


def excerpt(mail: ParsedMail) -> str:
    """The start of the mail, masked (addresses, phone numbers); mentions are neutralised by render."""
    lines = [line.rstrip() for line in mail.text.strip().split("\n")][:EXCERPT_LINES]
    text = "\n".join(lines)[:EXCERPT_CHARS]
    return untrusted(mask(f"差出人: {mail.from_addr or '（なし）'}\n件名: {mail.subject}\n\n{text}"))


def title(voice: Voice, label: str, alert: Alert) -> str:
    """The alert issue's title (``customer/alert_title``), fitted to Backlog's 255 limit."""
    job = " ".join(alert.shown_job.split()) if alert.shown_job else ""
    return fit_summary(voice.line("customer/alert_title", label=label, job=job, error_code=alert.error_code))


def triage(voice: Voice, alert: Alert, mail: ParsedMail, info: ErrorInfo, label: str, seen: Occurrences,
           previous_issue_key: str | None = None) -> Triage:
    """Build the alert issue (``customer/alert``). Triage and this report are included in monitoring
    (M3); the customer decides what to do (M2 step 3) and the fix consumes maintenance hours (C8). A new
    issue for a fingerprint whose last issue was closed names that issue (Backlog links keys)."""
    times = _times(seen.occurred, alert)
    doc = voice.doc(
        "customer/alert", label=label, job=alert.shown_job or "", error_code=alert.error_code,
        wrapper=alert.wrapper or "", transient=info.error_class == "transient",
        occurred_first=times[0] if times else None, occurred_last=times[-1] if times else None,
        received_first=seen.first_seen, received_last=seen.last_seen, count=seen.count,
        message=mask(alert.shown_message) if alert.shown_message else "", cause=info.cause,
        next_step=info.next_step, excerpt=excerpt(mail), previous_issue_key=previous_issue_key or "",
    )
    return Triage(title(voice, label, alert), doc)
