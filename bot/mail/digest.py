"""A digest: one mail that lists several errors, read as one entry per error (rules M2, C8; issue 21 item 6).

Daily summaries and batch reports list their errors one after another. Each entry is an error of its
own: it gets its own alert and fingerprint, so each distinct problem becomes its own Backlog issue, as
if the errors had come in separate mails. A mail is read as a digest only when its structure says so:

- numbered entries, counted from 1 without a gap: ``1.``, ``(2)``, ``[3]``, ``【4件目】``, ``No.5``,
  ``#6``, ``エラー7``, each at a line start;
- or blocks that start with the same label, repeated (``ジョブ名:`` ... ``ジョブ名:`` ...), the first
  label of the first block (job, time and code labels only: a repeated ``caused by:`` is one chain);
- or blocks between separator lines (``-----``, ``=====``), where only blocks with a code are entries
  (the others frame the list: a header, a footer).

and at least two entries carry an error code. A numbered or labelled entry without a code is an
unreadable entry: the readable ones still count, and the rest is handed to staff (never silently fewer).
With fewer than two coded entries the mail is one alert, read as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.mail.labels import JOB_LABELS, label_key, label_rx
from bot.mail.times import TIME_LABELS
from bot.mail.vocabulary import candidates

_NUMBERED = (
    re.compile(r"(?m)^[ \t>*・■◆●□-]*[【\[(<]\s*(\d{1,3})\s*(?:件目)?\s*[】\])>]"),
    re.compile(r"(?im)^[ \t>*・■◆●□-]*(?:No\.?|#|エラー|Error)\s*(\d{1,3})(?:\s*件目)?(?![\d:/.])"),
    re.compile(r"(?m)^[ \t>*・■◆●□-]*(\d{1,3})\s*(?:[.):]|件目)(?=\s|$)"),
)
_CODE_LABELS = ("エラーコード", "error code", "errorcode", "status code", "statuscode", "code")
_START = label_rx((*JOB_LABELS, *TIME_LABELS, *_CODE_LABELS), True)
_SEPARATOR = re.compile(r"(?m)^[ \t]*(?:[-=*_─━]\s?){5,}[ \t]*$")


@dataclass(frozen=True)
class Entries:
    """A digest's entries (normalised text, in mail order, numbered from 1) and ``framed``: True when
    separators cut them, so blocks without a code were a header or a footer, not unreadable entries."""

    texts: tuple[str, ...]
    framed: bool = False


def split(body: str) -> Entries | None:
    """The entries of a digest in ``body`` (normalised text), or None when it lists fewer than two
    errors."""
    for cut in (_numbered, _labelled):
        starts = cut(body)
        if len(starts) >= 2:
            texts = tuple(body[a:b].strip() for a, b in zip(starts, (*starts[1:], len(body)), strict=True))
            if sum(1 for t in texts if candidates(t)) >= 2:
                return Entries(texts)
    blocks = [b.strip() for b in _SEPARATOR.split(body)]
    if len(blocks) < 2:  # no separator: no blocks to read
        return None
    coded = tuple(b for b in blocks if b and candidates(b))
    if len(coded) >= 2:
        return Entries(coded, framed=True)
    return None


def _numbered(body: str) -> list[int]:
    """Where entries 1, 2, ... n start, for the first numbering style that counts from 1 without a gap."""
    for rx in _NUMBERED:
        starts: list[int] = []
        for m in rx.finditer(body):
            if int(m.group(1)) == len(starts) + 1:
                starts.append(m.start())
        if len(starts) >= 2:
            return starts
    return []


def _labelled(body: str) -> list[int]:
    """Where blocks start that begin with the same label as the first labelled line, when it repeats."""
    found = list(_START.finditer(body))
    if not found:
        return []
    first = label_key(found[0].group("label"))
    starts = [m.start() for m in found if label_key(m.group("label")) == first]
    return starts if len(starts) >= 2 else []
