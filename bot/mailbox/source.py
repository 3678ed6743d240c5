"""Mail intake values shared by the IMAP watcher and the demo's directory source (issue 4).

A source hands each mail to ``handler(mail) -> Disposition`` and only afterwards files it away; the
handler makes its effect durable first and de-duplicates on Message-ID / body hash, so a mail that
is offered twice (crash before the move, UIDVALIDITY reset) is harmless.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_QUARANTINE_AFTER = 5


@enum.unique
class Disposition(enum.Enum):
    """What the handler decided for one mail."""

    PROCESSED = "processed"  # done: file it in the processed folder
    QUARANTINE = "quarantine"  # not understood or not routable: filed for a human, never lost
    RETRY = "retry"  # not now (e.g. Backlog down): leave it where it is and offer it again next pass


@dataclass(frozen=True)
class FetchedMail:
    """One mail as read from its source; ``raw`` is kept out of the repr so that it never reaches a log."""

    uid: int
    uidvalidity: int
    folder: str
    raw: bytes = field(repr=False)


MailHandler = Callable[[FetchedMail], Disposition]


@dataclass(frozen=True)
class PassResult:
    """Counts of one catch-up pass."""

    fetched: int = 0
    processed: int = 0
    quarantined: int = 0
    retried: int = 0

    def __add__(self, other: PassResult) -> PassResult:
        return PassResult(
            self.fetched + other.fetched,
            self.processed + other.processed,
            self.quarantined + other.quarantined,
            self.retried + other.retried,
        )


class CursorStore(Protocol):
    """Where a source remembers how far it got: ``(uidvalidity, last_uid)`` per folder."""

    def get(self, folder: str) -> tuple[int, int] | None: ...

    def set(self, folder: str, uidvalidity: int, last_uid: int) -> None: ...


class MemoryCursorStore:
    """A CursorStore in a dict (tests, demo, dry runs)."""

    def __init__(self) -> None:
        self.cursors: dict[str, tuple[int, int]] = {}

    def get(self, folder: str) -> tuple[int, int] | None:
        return self.cursors.get(folder)

    def set(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        self.cursors[folder] = (uidvalidity, last_uid)


class _NamedCursors(Protocol):
    def get_cursor(self, name: str) -> str | None: ...

    def set_cursor(self, name: str, value: str, now: datetime) -> None: ...


class StateCursorStore:
    """A CursorStore over the state store's named cursors: ``imap:<folder>`` = ``"<validity>:<last_uid>"``."""

    def __init__(self, store: _NamedCursors, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def get(self, folder: str) -> tuple[int, int] | None:
        value = self._store.get_cursor(f"imap:{folder}")
        if value is None:
            return None
        validity, _, last = value.partition(":")
        return int(validity), int(last)

    def set(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        self._store.set_cursor(f"imap:{folder}", f"{uidvalidity}:{last_uid}", self._now())


class FailureCounter:
    """Poison-mail rule: a mail whose handler raised in ``limit`` passes is quarantined.

    One bad mail must not block the rest: a handler exception counts as RETRY for that pass, and the
    ``limit``-th failure turns into QUARANTINE. Counts live in memory (a restart gives a mail a fresh
    ``limit`` tries, which errs on the side of handling it).
    """

    def __init__(self, limit: int = DEFAULT_QUARANTINE_AFTER) -> None:
        self.limit = limit
        self._counts: dict[Hashable, int] = {}

    def failed(self, key: Hashable) -> Disposition:
        self._counts[key] = n = self._counts.get(key, 0) + 1
        return Disposition.QUARANTINE if n >= self.limit else Disposition.RETRY

    def forget(self, key: Hashable) -> None:
        self._counts.pop(key, None)


def call_handler(
    handler: MailHandler, mail: FetchedMail, failures: FailureCounter, key: Hashable | None = None
) -> Disposition:
    """Run the handler; an ``Exception`` becomes RETRY (or QUARANTINE after the limit), never a crash.

    ``BaseException`` (KeyboardInterrupt, SystemExit) propagates: the process is going away and the mail
    stays in place, to be offered again on the next start.
    """
    key = (mail.folder, mail.uidvalidity, mail.uid) if key is None else key
    try:
        disposition = handler(mail)
    except Exception as exc:
        disposition = failures.failed(key)
        log.warning("mail uid=%d handler failed (%s); %s", mail.uid, type(exc).__name__, disposition.value)
        log.debug("handler failure for uid=%d", mail.uid, exc_info=True)
        return disposition
    failures.forget(key)
    return disposition


def plan_batches(sizes: Iterable[tuple[int, int]], max_count: int, max_bytes: int) -> list[list[int]]:
    """Group ``(uid, size)`` in the given order into fetch batches of at most ``max_count`` mails and,
    unless a single mail is larger, at most ``max_bytes`` bytes (a 20 MB attachment is fetched alone)."""
    batches: list[list[int]] = []
    current: list[int] = []
    total = 0
    for uid, size in sizes:
        if current and (len(current) >= max_count or total + size > max_bytes):
            batches.append(current)
            current, total = [], 0
        current.append(uid)
        total += size
    if current:
        batches.append(current)
    return batches


class Backoff:
    """Exponential backoff with jitter between ``low`` and ``high`` seconds; ``reset()`` after a success."""

    def __init__(self, low: float, high: float, rng: Callable[[], float]) -> None:
        self.low = low
        self.high = high
        self._rng = rng
        self._attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.high, self.low * 2.0 ** min(self._attempt, 32))
        self._attempt += 1
        # "Equal jitter": half fixed, half random, so reconnecting workers spread out but still back off.
        return max(self.low, min(self.high, ceiling * (0.5 + 0.5 * self._rng())))

    def reset(self) -> None:
        self._attempt = 0


class DirectoryMailSource:
    """The demo's mailbox: ``*.eml`` files in a directory, filed into ``processed/`` or ``quarantine/``.

    Same handler and Disposition flow as the IMAP watcher, no server needed. A mail's ``uid`` is its
    1-based position in name order in this pass (so not stable: dedup on Message-ID); ``uidvalidity`` is 0.
    """

    def __init__(
        self, path: Path | str, handler: MailHandler, *, quarantine_after: int = DEFAULT_QUARANTINE_AFTER
    ) -> None:
        self.path = Path(path)
        self._handler = handler
        self._failures = FailureCounter(quarantine_after)

    def run_once(self) -> PassResult:
        files = sorted(p for p in self.path.glob("*.eml") if p.is_file())
        processed = quarantined = retried = 0
        for uid, file in enumerate(files, start=1):
            mail = FetchedMail(uid=uid, uidvalidity=0, folder=str(self.path), raw=file.read_bytes())
            disposition = call_handler(self._handler, mail, self._failures, key=file.name)
            if disposition is Disposition.RETRY:
                retried += 1
                log.info("mail %s left in place (retry)", file.name)
                continue
            target = self.path / disposition.value
            target.mkdir(exist_ok=True)
            file.replace(target / file.name)
            log.info("mail %s -> %s/", file.name, disposition.value)
            if disposition is Disposition.PROCESSED:
                processed += 1
            else:
                quarantined += 1
        return PassResult(len(files), processed, quarantined, retried)
