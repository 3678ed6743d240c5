"""The parsed mail and alert values shared by the mail pipeline (pure data)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

# CP932 and JIS decoders disagree on a few code points; fold them to one form before NFKC so that
# regexes match whatever mailer sent the text (reference A1.5).
_FOLD = str.maketrans({
    "\u301c": "\uff5e",  # WAVE DASH -> FULLWIDTH TILDE
    "\u2212": "\uff0d",  # MINUS SIGN -> FULLWIDTH HYPHEN-MINUS
    "\u2016": "\u2225",  # DOUBLE VERTICAL LINE -> PARALLEL TO
    "\u00a2": "\uffe0",
    "\u00a3": "\uffe1",
    "\u00ac": "\uffe2",
    "\u2014": "\u2015",  # EM DASH -> HORIZONTAL BAR
})

HEADERS_OF_INTEREST = (
    "Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence", "X-Auto-Response-Suppress",
    "X-Hoshu-Bot", "Return-Path", "X-Loop",
)


_FOLDED = tuple((chr(k), str(v)) for k, v in _FOLD.items())


def normalise(text: str) -> str:
    """Text for matching only: fold the CP932/JIS variants, then NFKC (①→1, ㈱→(株), ｶﾅ→カナ)."""
    if not text.isascii():
        # ``replace`` of the few that occur, not ``translate``: a dict lookup per character of every
        # Japanese text costs more than the rest of normalising (the storm, issue 21 item 9).
        for variant, folded in _FOLDED:
            if variant in text:
                text = text.replace(variant, folded)
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Attachment:
    """An attachment is kept as its name and (decoded) size only; its content never reaches a ticket."""

    name: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ParsedMail:
    """A mail as the bot understands it; ``defects`` lists everything that had to be repaired or guessed."""

    message_id: str | None
    from_addr: str
    from_name: str
    to: tuple[str, ...]
    subject: str
    date: datetime | None
    content_type: str
    headers: Mapping[str, str] = field(hash=False)
    text: str
    normalised: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
    body_hash: str

    @property
    def normalised_subject(self) -> str:
        """The subject in matching form (see ``normalise``)."""
        return normalise(self.subject)

    def header(self, name: str) -> str:
        """A header of interest by case-insensitive name, '' when absent."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""


@dataclass(frozen=True)
class Alert:
    """What an adapter error mail says: which adapter, which tenant and job, which error, when."""

    adapter: str
    tenant_key: str | None
    job: str | None
    error_code: str
    message: str
    occurred_at: datetime | None
    raw_subject: str
    wrapper: str | None = None
    # The same job and message as the mail wrote them (``job`` and ``message`` come from the normalised
    # copy, which keys the fingerprint; these keep ① ㈱ and full-width brackets for people to read).
    job_text: str | None = None
    message_text: str | None = None
    # Where each field came from: ("error_code", "vocabulary"), ("job", "format:kintone"), ... (issue 12).
    sources: tuple[tuple[str, str], ...] = ()
    # The line each field was read from, where the reading knows it (``--explain`` pins these lines).
    lines: tuple[tuple[str, str], ...] = ()
    # The fields a configured format left empty and the generic reading filled (issue 21 item 3).
    filled: tuple[str, ...] = ()

    @property
    def shown_job(self) -> str | None:
        return self.job_text or self.job

    @property
    def shown_message(self) -> str:
        return self.message_text or self.message
