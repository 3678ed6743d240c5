"""What monitoring writes besides the triage: summary comments and staff items (M2-M4, issue 15).

The words are in ``templates/customer/alert_summary.j2`` and ``templates/staff/unroutable_mail*.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.backlog_text import Doc
from bot.mail.mask import mask
from bot.mail.message import ParsedMail
from bot.mail.triage import excerpt, jst
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
    rows: list[tuple[str, str]] = [("理由", reason)]
    if received is not None:
        rows += [("届いた回数", f"{received.count}通"), ("初回の受信", jst(received.first)),
                 ("最後の受信", jst(received.last))]
    rows.append(("最新のメール", f"{folder} UID {uid}（{size} バイト）"))
    if mail is not None:
        rows += [
            ("差出人", _sender(mail.from_addr)),
            ("件名", mask(mail.subject)),
            ("メールの日付", jst(mail.date)),
            ("Message-ID", mask(mail.message_id or "（なし）")),
        ]
        if mail.defects:
            rows.append(("解析時の補正", ", ".join(mail.defects[:5])))
    return voice.doc("staff/unroutable_mail", rows=rows, excerpt=excerpt(mail) if mail is not None else "")


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
