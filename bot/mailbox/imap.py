"""The IMAP side of the mail watcher: settings, the selected session, filing and IDLE (issue 4, M2).

Facts this relies on (mail-imap-calendar.md section B): MOVE is RFC 6851, UID EXPUNGE needs UIDPLUS
(RFC 4315) and never touches other clients' ``\\Deleted``; IDLE must be renewed before 29 minutes (RFC
2177); a dropped IDLE returns BYE and then ``[]`` at once forever, so each ``idle_check`` is timed.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from imapclient import IMAPClient
from pydantic import SecretStr

from bot.config.settings import Settings
from bot.errors import MailboxError
from bot.mailbox.source import DEFAULT_QUARANTINE_AFTER, Disposition

log = logging.getLogger("bot.mail_watcher")

KEYWORD = "$HoshuProcessed"


@dataclass(frozen=True)
class ImapSettings:
    """Connection and behaviour of the watcher; ``password`` is a SecretStr so no repr shows it."""

    host: str
    port: int
    user: str
    password: SecretStr
    ssl: bool = True
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    idle_renew_seconds: float = 600.0  # RFC 2177 asks for < 29 min; imapclient's docs advise 10 min
    idle_check_seconds: float = 15.0  # how often the stop event is looked at while idling
    poll_seconds: float = 60.0  # NOOP polling when the server has no IDLE
    use_idle: bool = True
    connect_timeout: float = 15.0
    read_timeout: float = 120.0
    backoff_min_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    quarantine_after: int = DEFAULT_QUARANTINE_AFTER
    batch_size: int = 50
    batch_bytes: int = 32 * 1024 * 1024
    # UIDs per command (UID FETCH, MOVE ...): servers bound a command's length (Dovecot's
    # imap_max_line_length, 64 KiB), and 30,000 UIDs in one command exceed it ("Too long argument").
    # Durable mails are also filed once this many wait (a MOVE costs Dovecot more as the folder grows).
    fetch_chunk: int = 1000
    dry_run: bool = False  # read and hand over, but never write to the mailbox nor persist the cursor

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> ImapSettings:
        """Build from the environment (INTERFACE.md: IMAP_HOST ... IMAP_FOLDER, IMAP_PROCESSED_FOLDER,
        IMAP_QUARANTINE_FOLDER, BOT_DRY_RUN)."""
        if settings.imap_host is None or settings.imap_user is None or settings.imap_password is None:
            raise MailboxError("IMAP_HOST, IMAP_USER and IMAP_PASSWORD are required for the mail watcher")
        values: dict[str, object] = {
            "host": settings.imap_host, "port": settings.imap_port, "user": settings.imap_user,
            "password": settings.imap_password, "ssl": settings.imap_ssl, "folder": settings.imap_folder,
            "processed_folder": settings.imap_processed_folder,
            "quarantine_folder": settings.imap_quarantine_folder,
            "dry_run": settings.bot_dry_run,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


class Filing(enum.Enum):
    """How a mail leaves the watched folder, by what the server offers."""

    MOVE = "move"  # RFC 6851
    COPY_EXPUNGE = "copy+uid-expunge"  # RFC 4315 UIDPLUS: expunges only our own UID
    KEYWORD = "keyword"  # neither: copy and mark, leave the original in place


@dataclass
class Session:
    """The selected folder: its UIDVALIDITY, how far the watcher got, how it files."""

    client: IMAPClient
    uidvalidity: int
    last_uid: int
    filing: Filing
    keywords_ok: bool


def message_set(uids: Sequence[int]) -> str:
    """``uids`` as an IMAP sequence set with runs as ranges (``1:300,302``), so a command stays short.

    RFC 3501 section 9 (``sequence-set``): a range ``a:b`` names the UIDs that exist between a and b; the
    caller passes only UIDs it found by SEARCH, so a range never names more than the list did.
    """
    parts: list[str] = []
    ordered = sorted(set(uids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def chunks(uids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    """``uids`` in slices of at most ``size`` (at least one per slice), each one command's worth."""
    step = max(1, size)
    for start in range(0, len(uids), step):
        yield uids[start:start + step]


def fetch_chunked(client: IMAPClient, uids: Sequence[int], item: str, chunk: int
                  ) -> dict[int, dict[bytes, object]]:
    """``UID FETCH`` in commands of at most ``chunk`` UIDs: a server bounds a command's length
    (Dovecot: imap_max_line_length, 64 KiB) and 30,000 UIDs in one exceed it ("Too long argument").
    imapclient sends the UIDs as a list (it keeps only the answers for the UIDs it was given)."""
    found: dict[int, dict[bytes, object]] = {}
    for part in chunks(uids, chunk):
        found.update(client.fetch(list(part), [item]))
    return found


def size_of(item: dict[bytes, object] | None) -> int:
    """The RFC822.SIZE of one FETCH answer (0 when the server gave none)."""
    size = (item or {}).get(b"RFC822.SIZE", 0)
    return size if isinstance(size, int) else 0


@dataclass
class Due:
    """Mails of committed batches not filed yet, by folder, and how far the cursor may then go."""

    filed: dict[Disposition, list[int]] = field(
        default_factory=lambda: {Disposition.PROCESSED: [], Disposition.QUARANTINE: []})
    upto: int | None = None

    @property
    def waiting(self) -> int:
        return sum(len(uids) for uids in self.filed.values())

    def durable(self, upto: int | None) -> None:
        if upto is not None:
            self.upto = upto


def file_mails(settings: ImapSettings, session: Session, uids: list[int], disposition: Disposition) -> None:
    """File ``uids`` in the processed or quarantine folder with one command per ``fetch_chunk`` UIDs
    (MOVE, COPY+UID EXPUNGE or COPY+keyword, whatever the server offers)."""
    s = settings
    target = s.processed_folder if disposition is Disposition.PROCESSED else s.quarantine_folder
    how = session.filing.value
    if s.dry_run:
        for uid in uids:
            log.info("mail uid=%d uidvalidity=%d -> %s (dry run: would %s to %s)",
                     uid, session.uidvalidity, disposition.value, how, target)
        return
    client = session.client
    for chunk in chunks(uids, s.fetch_chunk):
        # One command per chunk, its UIDs as ranges: a batch is short, but the line limit holds anyway.
        which = message_set(chunk)
        if session.filing is Filing.MOVE:
            client.move(which, target)
        elif session.filing is Filing.COPY_EXPUNGE:
            client.copy(which, target)
            client.add_flags(which, [b"\\Deleted"])
            client.uid_expunge(which)  # never a bare EXPUNGE: it would take other clients' \Deleted too
        else:
            client.copy(which, target)
            if session.keywords_ok:
                client.add_flags(which, [KEYWORD])
            else:
                how = "copy (no keywords: only the cursor remembers it)"
    for uid in uids:
        log.info("mail uid=%d uidvalidity=%d -> %s (%s to %s)", uid, session.uidvalidity,
                 disposition.value, how, target)


def idle(client: IMAPClient, settings: ImapSettings, clock: Callable[[], float],
         stop: threading.Event) -> None:
    """IDLE until EXISTS, renewal time or stop; BYE or an instant empty answer is a dropped link."""
    s = settings
    client.idle()
    started = clock()
    while not stop.is_set() and not buffered(client):
        left = s.idle_renew_seconds - (clock() - started)
        if left < 1.0:  # too short to tell a timeout from a dead socket: renew instead
            break
        timeout = min(s.idle_check_seconds, left)
        t0 = clock()
        responses = client.idle_check(timeout=timeout)
        took = clock() - t0
        if any(r[:1] == (b"BYE",) for r in responses) or (not responses and took < timeout / 2):
            raise MailboxError("the server closed the IDLE session")
        if any(len(r) > 1 and r[1] in (b"EXISTS", b"EXPUNGE") for r in responses):
            break
    client.idle_done()


def buffered(client: IMAPClient) -> bool:
    """True when the server's words already wait in imaplib's read buffer.

    ``idle()`` reads the ``+ idling`` line through a buffered file, which can take in an ``EXISTS`` the
    server sent in the same packet; ``idle_check`` watches only the socket, so that news would wait for
    the next unrelated line (Dovecot's "Still here", minutes later). Peeking with the socket set
    non-blocking reads nothing new: it only shows what the buffer already holds.
    """
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(client._imap.file.peek(1))
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)
