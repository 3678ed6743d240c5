"""A digest mail in the monitoring use case: one alert per listed error, all durable before filing (M2, C8).

Each entry is handled as a mail of its own under a key of its own (``<mail key>#<n>``): its Backlog write
is idempotent by reference and its store record says it was done, so a crash or a Backlog failure in
the middle of a digest re-offers the mail and only the entries not yet done act again (issue 21 item 6).
The entries that could not be read go to staff together, under ``<mail key>#staff``. The mail's own
record is written last; the watcher files the mail only after the batch holding all of it is durable.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.mail.pipeline import Understood
from bot.mail.routing import Staff
from bot.mailbox.source import Disposition

DIGEST_OUTCOME = "digest"


def unreadable_entries(u: Understood) -> Staff:
    """The staff reason for a digest's unreadable entries (the reason groups them; the text says which)."""
    numbers = "、".join(str(e.index) for e in u.unreadable)
    return Staff("digest entries carry no recognisable error code", "unreadable",
                 f"一覧形式のメールの {len(u.entries)} 件のうち {len(u.unreadable)} 件（{numbers} 番目）は"
                 "エラーコードを読み取れませんでした")


def handle_digest(u: Understood, key: str, done: Callable[[str], bool],
                  alert: Callable[[Understood, str], object], staff: Callable[[str, Staff], object],
                  finish: Callable[[str, str], None]) -> Disposition:
    """Act on every entry of digest ``u`` not ``done`` yet: ``alert`` for a readable one, ``staff`` once
    for the unreadable ones; then ``finish(outcome, detail)`` records the mail itself."""
    for e in u.entries:
        if e.alert is not None and not done(f"{key}#{e.index}"):
            alert(u.entry(e), f"{key}#{e.index}")
    if u.unreadable and not done(f"{key}#staff"):
        staff(f"{key}#staff", unreadable_entries(u))
    readable = len(u.entries) - len(u.unreadable)
    finish("quarantined" if u.unreadable else DIGEST_OUTCOME,
           f"{readable} alerts, {len(u.unreadable)} unreadable entries")
    return Disposition.QUARANTINE if u.unreadable else Disposition.PROCESSED
