"""Watch the adapter-error mailbox over IMAP (imapclient): catch up by UID, hand over, then file away.

This is how maintenance receives the adapters' error mails under the monitoring option (rule M2).

Facts this relies on (mail-imap-calendar.md section B): ``UID n:*`` also returns the highest UID when it
is <= n, so results are filtered; IMAPClient 4.1 breaks on ``fetch('n:*')``, so only explicit UID lists
are fetched; a dropped IDLE returns BYE and then ``[]`` at once forever, so each ``idle_check`` is timed.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import LoginError

from bot.errors import MailboxError
from bot.mailbox.imap import (
    KEYWORD,
    Due,
    Filing,
    ImapSettings,
    Session,
    fetch_chunked,
    file_mails,
    idle,
    size_of,
)
from bot.mailbox.imap import buffered as _buffered
from bot.mailbox.source import (
    Backoff,
    CursorStore,
    Disposition,
    FailureCounter,
    FetchedMail,
    MailHandler,
    PassResult,
    call_handler,
    plan_batches,
)

__all__ = ["KEYWORD", "ImapSettings", "MailWatcher", "MailboxLoginRefused", "_buffered"]

log = logging.getLogger(__name__)

_DROPS: tuple[type[BaseException], ...] = (IMAPClient.AbortError, IMAPClient.Error, OSError, MailboxError)
TOKYO = ZoneInfo("Asia/Tokyo")


class MailboxLoginRefused(MailboxError):
    """The login was refused (issue 19 item 6): a setting to fix, not a drop to reconnect from."""


class MailWatcher:
    """Hands every new mail of ``settings.folder`` to ``handler`` in UID order, then files it.

    The mail is moved only after the handler returned (its effect is durable), and the cursor passes a
    UID only once everything up to it is filed, so a crash in between re-offers the mail next time.
    """

    def __init__(
        self,
        settings: ImapSettings,
        handler: MailHandler,
        cursor_store: CursorStore,
        *,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        stop_event: threading.Event | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(TOKYO),
        unit: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
        prepare: Callable[[Sequence[FetchedMail]], object] | None = None,
    ) -> None:
        self.settings = settings
        # Shown each fetched batch inside its unit before its mails are handled one by one, so that the
        # handler can look up what the batch needs at once (``MonitoringService.prepare``, issue 22).
        self._prepare = prepare
        # The durable unit around one fetched batch (``StateStore.batch``): the mails are filed only after
        # it closed, so their effects are durable first and the store commits once per batch.
        self._unit = unit
        self._handler = handler
        self._cursors = cursor_store
        self._stop = stop_event or threading.Event()
        # By default waiting is interruptible by the stop event, so SIGTERM never waits out a backoff.
        self._sleep: Callable[[float], object] = sleep or self._stop.wait
        self._clock = clock
        self._now = now
        self._backoff = Backoff(settings.backoff_min_seconds, settings.backoff_max_seconds, rng)
        self._failures = FailureCounter(settings.quarantine_after)
        self._dry_cursors: dict[str, tuple[int, int]] = {}
        self.last_success: float | None = None  # clock() of the last completed catch-up (health)
        self.last_success_at: datetime | None = None

    # ---- public -------------------------------------------------------------------------------------

    def run_once(self) -> PassResult:
        """Connect, catch up once, disconnect (``run --once``); a server problem is a MailboxError."""
        try:
            session = self._open()
            try:
                return self._catch_up(session)
            finally:
                self._close(session.client)
        except (IMAPClient.AbortError, IMAPClient.Error, OSError) as exc:
            raise MailboxError(f"IMAP {self._where()}: {type(exc).__name__}: {exc}") from exc

    def run_forever(self) -> None:
        """Catch up, then IDLE (or NOOP-poll) until ``stop_event``; reconnect with backoff on any drop."""
        while not self._stop.is_set():
            try:
                session = self._open()
                try:
                    self._catch_up(session)
                    self._backoff.reset()
                    while not self._stop.is_set():
                        self._wait_for_news(session)
                        self._catch_up(session)
                finally:
                    self._close(session.client)
            except MailboxLoginRefused:
                raise  # reconnecting would be refused again: the caller stops the watcher
            except _DROPS as exc:
                delay = self._backoff.next_delay()
                log.warning("IMAP %s dropped (%s: %s); reconnecting in %.1fs",
                            self._where(), type(exc).__name__, exc, delay)
                self._sleep(delay)
        log.info("mail watcher stopped")

    # ---- connection -------------------------------------------------------------------------------

    def _where(self) -> str:
        s = self.settings
        return f"{s.user}@{s.host}:{s.port}/{s.folder}"

    def _open(self) -> Session:
        s = self.settings
        client = IMAPClient(s.host, port=s.port, ssl=s.ssl, use_uid=True,
                            timeout=SocketTimeout(connect=s.connect_timeout, read=s.read_timeout))
        try:
            try:
                client.login(s.user, s.password.get_secret_value())
            except LoginError as exc:  # the server's words, never the password
                msg = f"IMAP {self._where()} refused the login (IMAP_USER, IMAP_PASSWORD): {exc}"
                raise MailboxLoginRefused(msg) from None
            if not s.dry_run:
                for folder in (s.processed_folder, s.quarantine_folder):
                    if not client.folder_exists(folder):
                        client.create_folder(folder)
                        log.info("IMAP created folder %s", folder)
            status = client.select_folder(s.folder)
            return self._session(client, status)
        except BaseException:
            self._close(client)
            raise

    def _session(self, client: IMAPClient, status: dict[bytes, object]) -> Session:
        s = self.settings
        uidvalidity = int(status[b"UIDVALIDITY"])  # type: ignore[call-overload]
        stored = self._dry_cursors.get(s.folder) if s.dry_run else None
        stored = stored or self._cursors.get(s.folder)
        last_uid = 0
        if stored is not None and stored[0] == uidvalidity:
            last_uid = stored[1]
        elif stored is not None:
            # The server renumbered the folder: every mail is offered again; the handler's own dedup
            # (Message-ID / body hash) keeps that from creating anything twice.
            log.warning("IMAP %s UIDVALIDITY changed %d -> %d; rescanning from UID 1",
                        s.folder, stored[0], uidvalidity)
        self._save_cursor(uidvalidity, last_uid)
        permanent = status.get(b"PERMANENTFLAGS", ())
        keywords_ok = isinstance(permanent, tuple) and b"\\*" in permanent
        if client.has_capability("MOVE"):
            filing = Filing.MOVE
        elif client.has_capability("UIDPLUS"):
            filing = Filing.COPY_EXPUNGE
        else:
            filing = Filing.KEYWORD
        log.debug("IMAP %s selected: uidvalidity=%d last_uid=%d filing=%s",
                  self._where(), uidvalidity, last_uid, filing.value)
        return Session(client, uidvalidity, last_uid, filing, keywords_ok)

    @staticmethod
    def _close(client: IMAPClient) -> None:
        try:
            client.logout()
        except Exception:
            with contextlib.suppress(Exception):
                client.shutdown()

    # ---- catch-up -----------------------------------------------------------------------------------

    def _catch_up(self, session: Session) -> PassResult:
        """Pass over every UID above the cursor until a search finds nothing new, never trusting IDLE.

        Searching once more after a pass closes the window in which a mail arrives during the pass: the
        server may have announced it in the answer to our last FETCH or MOVE, which IDLE will not repeat.
        A pass that left a mail for retry ends the loop (that mail waits for the next wake-up).
        """
        total = PassResult()
        self._announced(session)
        while True:
            result = self._pass(session)
            total = total + result
            if result.retried or (result.fetched == 0 and not self._announced(session)):
                break
        self.last_success = self._clock()
        self.last_success_at = self._now()
        return total

    @staticmethod
    def _announced(session: Session) -> bool:
        """True when the server announced new mail (EXISTS/RECENT) in the answer to one of our commands.

        imaplib keeps such unsolicited responses aside, and IDLE will not repeat them, so a mail that
        arrives during a pass would otherwise wait for the next IDLE renewal. Reading them clears them.
        """
        pending = session.client._imap.untagged_responses  # imaplib's public attribute, via imapclient
        return bool(pending.pop("EXISTS", None)) | bool(pending.pop("RECENT", None))

    def _pass(self, session: Session) -> PassResult:
        """One pass over every UID above the cursor."""
        client = session.client
        criteria: list[str] = ["UID", f"{session.last_uid + 1}:*"]
        if session.filing is Filing.KEYWORD:
            criteria += ["NOT", "KEYWORD", KEYWORD]
        uids = sorted(int(u) for u in client.search(criteria) if int(u) > session.last_uid)
        result = PassResult()
        if uids:
            sizes = fetch_chunked(client, uids, "RFC822.SIZE", self.settings.fetch_chunk)
            plan = plan_batches(((u, size_of(sizes.get(u))) for u in uids),
                                self.settings.batch_size, self.settings.batch_bytes)
            blocked = False
            due = Due()
            for batch in plan:
                data = fetch_chunked(client, batch, "BODY.PEEK[]", self.settings.fetch_chunk)
                step, blocked = self._batch(session, batch, data, blocked, due)
                result = result + step
                if due.waiting >= self.settings.fetch_chunk:
                    self._file_due(session, due)
            self._file_due(session, due)
        return result

    def _batch(self, session: Session, batch: list[int], data: dict[int, dict[bytes, object]],
               blocked: bool, due: Due) -> tuple[PassResult, bool]:
        """Hand every mail of one fetch batch over inside one durable unit; its mails are then ``due``.

        One store transaction per batch (``unit``), with each mail's own writes a savepoint inside it, is
        what lets a storm run near the bare loop's speed (issue 12): the mails are filed only after the
        unit closed, so a crash before that leaves them in place, to be offered again, and the handler's
        dedup makes that harmless. The durable mails are filed once ``fetch_chunk`` of them wait or the
        pass ends (``_file_due``): Dovecot's cost of a MOVE grows with the folder, so fewer, larger
        commands keep a 30,000-mail backlog flat. The cursor passes every UID up to the first RETRY.
        """
        result = PassResult()
        filed = due.filed
        done_upto: int | None = None
        mails = {uid: self._mail(session, uid, data.get(uid)) for uid in batch}
        with self._unit():
            if self._prepare is not None:
                self._prepare([m for m in mails.values() if m is not None])
            for uid in batch:
                step, handed = self._one(session, uid, mails[uid])
                result = result + step
                if handed is Disposition.RETRY:
                    blocked = True
                    continue
                if handed is not None:
                    filed[handed].append(uid)
                if not blocked:
                    done_upto = uid
        due.durable(done_upto)
        return result, blocked

    def _file_due(self, session: Session, due: Due) -> None:
        """File the durable mails that wait, one command per folder and chunk, then move the cursor."""
        for disposition, uids in due.filed.items():
            if uids:
                self._file(session, uids, disposition)
                uids.clear()
        if due.upto is not None:
            self._advance(session, due.upto)
            due.upto = None

    def _mail(self, session: Session, uid: int, item: dict[bytes, object] | None) -> FetchedMail | None:
        raw = item.get(b"BODY[]") if item else None
        if not isinstance(raw, bytes):
            return None
        return FetchedMail(uid=uid, uidvalidity=session.uidvalidity, folder=self.settings.folder, raw=raw)

    def _one(self, session: Session, uid: int,
             mail: FetchedMail | None) -> tuple[PassResult, Disposition | None]:
        """Hand one fetched mail over; ``None`` when it vanished between SEARCH and FETCH."""
        if mail is None:
            # Expunged by someone else between SEARCH and FETCH: nothing left to hand over.
            log.info("mail uid=%d vanished before fetch", uid)
            return PassResult(), None
        disposition = call_handler(self._handler, mail, self._failures)
        if disposition is Disposition.RETRY:
            log.info("mail uid=%d uidvalidity=%d -> retry (left in %s)",
                     uid, session.uidvalidity, self.settings.folder)
            return PassResult(fetched=1, retried=1), disposition
        done = disposition is Disposition.PROCESSED
        return PassResult(fetched=1, processed=int(done), quarantined=int(not done)), disposition

    def _file(self, session: Session, uids: list[int], disposition: Disposition) -> None:
        file_mails(self.settings, session, uids, disposition)

    def _advance(self, session: Session, uid: int) -> None:
        session.last_uid = uid
        self._save_cursor(session.uidvalidity, uid)

    def _save_cursor(self, uidvalidity: int, last_uid: int) -> None:
        if self.settings.dry_run:
            self._dry_cursors[self.settings.folder] = (uidvalidity, last_uid)
        else:
            self._cursors.set(self.settings.folder, uidvalidity, last_uid)

    # ---- waiting ------------------------------------------------------------------------------------

    def _wait_for_news(self, session: Session) -> None:
        client = session.client
        if self.settings.use_idle and client.has_capability("IDLE"):
            idle(client, self.settings, self._clock, self._stop)
        else:
            self._sleep(self.settings.poll_seconds)
            if not self._stop.is_set():
                client.noop()


