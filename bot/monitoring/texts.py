"""What monitoring writes besides the triage: summary comments and staff items (M2-M4, issue 15).

The words are in ``templates/customer/alert_summary.j2`` and ``templates/staff/unroutable_mail*.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.backlog.text import Doc
from bot.mail.mask import mask
from bot.mail.message import ParsedMail
from bot.monitoring.triage import excerpt
from bot.wording import Voice


def summary_comment(voice: Voice, occurrences: int, since: datetime, now: datetime, total: int,
                    first_seen: datetime) -> Doc:
    """One comment per interval summarising the repeats since the last write (never one per mail, C8)."""
    return voice.doc("customer/alert_summary", occurrences=occurrences, since=since, now=now, total=total,
                     first_seen=first_seen)


def staff_item_summary(voice: Voice, reason: str) -> str:
    """The staff item's title ``[監視] 振り分けできないメール: <reason>`` (our reason, no mail text)."""
    return voice.line("staff/unroutable_mail_title", reason=reason)


@dataclass(frozen=True)
class Received:
    """How often a staff group's mail came, and when the bot received the first and the last one."""

    count: int
    first: datetime
    last: datetime


def staff_item(voice: Voice, reason: str, mail: ParsedMail | None, uid: int, folder: str, size: int,
               received: Received | None = None) -> Doc:
    """The staff item for mail no customer can safely receive: why, how often, what it is, an excerpt
    (``staff/unroutable_mail``).

    Routing never guesses a customer (M2): staff decide, and the mails wait in the quarantine folder.
    Later mails of the same reason, sender and subject shape are counted here, not raised again.
    """
    shown = {
        "sender": _sender(mail.from_addr), "subject": mask(mail.subject), "date": mail.date,
        "message_id": mask(mail.message_id) if mail.message_id else "", "defects": list(mail.defects[:5]),
    } if mail is not None else None
    return voice.doc("staff/unroutable_mail", reason=reason, received=received, folder=folder, uid=uid,
                     size=size, mail=shown, excerpt=excerpt(mail) if mail is not None else "")


def staff_summary_comment(voice: Voice, occurrences: int, since: datetime, now: datetime, total: int,
                          first: datetime) -> Doc:
    """At most one comment per interval on a staff group: how many more such mails came (issue 12)."""
    return voice.doc("staff/unroutable_mail_summary", occurrences=occurrences, since=since, now=now,
                     total=total, first=first)


def _sender(address: str) -> str:
    """The sender masked like any address, but with its domain: staff need to see who sent it."""
    if "@" not in address:
        return mask(address) or "（なし）"
    return f"[メールアドレス]（ドメイン {address.rpartition('@')[2]}）"
