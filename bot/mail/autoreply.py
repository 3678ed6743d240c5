"""Mail that must never become an issue: auto-replies, bounces, out-of-office and the bot's own mail.

RFC 3834 ``Auto-Submitted: auto-replied`` and vacation replies are ignored; ``auto-generated`` is
what adapters send and IS processed. Loops are the classic helpdesk failure (anchors: Zammad #731,
gitlab#2776, redmine_helpdesk#25), so the bot's own mail is recognised by header and address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.mail.message import ParsedMail

LOOP_HEADER = "X-Hoshu-Bot"
_OOF_SUBJECT = re.compile(r"自動応答|自動返信|不在|out of (the )?office|auto(matic)?[ -]?reply|autoreply",
                          re.IGNORECASE)
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(r"undeliver|delivery status notification|returned mail|delivery failure|"
                             r"配信(不能|エラー)|送信できませんでした", re.IGNORECASE)


def ignore_reason(mail: ParsedMail, bot_addresses: Iterable[str]) -> str | None:
    """Why ``mail`` must be ignored, or None when it may be processed."""
    if mail.header(LOOP_HEADER) or mail.from_addr in {a.lower() for a in bot_addresses}:
        return "own mail (loop guard)"
    if mail.content_type == "multipart/report" or _DAEMONS.match(mail.from_addr):
        return "delivery status report (bounce)"
    return _auto_reply(mail)


def _auto_reply(mail: ParsedMail) -> str | None:
    auto = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto == "auto-replied":
        return "auto-replied (RFC 3834)"
    if mail.header("X-Autoreply") or mail.header("X-Autorespond"):
        return "out-of-office (X-Autoreply)"
    if _OOF_SUBJECT.search(mail.normalised_subject):
        return "out-of-office (subject)"
    if _BOUNCE_SUBJECT.search(mail.normalised_subject) and not mail.from_addr:
        return "delivery status report (bounce)"
    return None
