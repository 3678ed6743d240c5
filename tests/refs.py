"""Telling the bot's writes apart in tests, as the bot does: by the reference on their last line.

Customer texts end with a document number (``お見積り番号：ACME-12-1``) and staff texts with a machine
line (issue 20 item 2); ``find_reference`` turns either into the machine reference, so a test can keep
asking for ``hoshu-bot:quote:ACME-12:`` whatever the customer reads.
"""

from __future__ import annotations

from bot.backlog.refs import find_reference


def refers_to(text: str, fragment: str) -> bool:
    """``text`` is the bot's write whose machine reference starts with ``fragment`` (``hoshu-bot:...``),
    or, for any other fragment, contains it."""
    if not fragment.startswith("hoshu-bot:"):
        return fragment in text
    ref = find_reference(text.replace("\r\n", "\n"))
    return ref is not None and ref.startswith(fragment)
