"""Fixtures of the IMAP suite: the real Dovecot harness plus a recording handler and a watcher factory."""

from __future__ import annotations

import contextlib
import email
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.mail_watcher import MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from testing.dovecot import DovecotServer
from testing.imap import imap_settings
from tests.support.dovecot import dovecot, dovecot_server
from tests.support.threads import watcher_running

__all__ = ["dovecot", "dovecot_server", "imap_settings"]



def subject_of(raw: bytes) -> str:
    return str(email.message_from_bytes(raw)["Subject"])


@dataclass
class Recorder:
    """A handler that records (uid, subject) and answers per subject (default PROCESSED)."""

    answers: dict[str, Disposition | BaseException] = field(default_factory=dict)
    calls: list[tuple[int, str]] = field(default_factory=list)
    seen: dict[str, threading.Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, mail: FetchedMail) -> Disposition:
        subject = subject_of(mail.raw)
        with self.lock:
            self.calls.append((mail.uid, subject))
            self.event(subject).set()
        answer = self.answers.get(subject, Disposition.PROCESSED)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def event(self, subject: str) -> threading.Event:
        return self.seen.setdefault(subject, threading.Event())

    @property
    def subjects(self) -> list[str]:
        return [s for _, s in self.calls]


@dataclass
class Rig:
    """A watcher wired to a server, a recorder and an in-memory cursor store."""

    server: DovecotServer
    recorder: Recorder
    cursors: MemoryCursorStore
    stop: threading.Event

    def watcher(self, **overrides: object) -> MailWatcher:
        return MailWatcher(imap_settings(self.server, **overrides), self.recorder, self.cursors,
                           stop_event=self.stop)

    def running(self, **overrides: object) -> contextlib.AbstractContextManager[MailWatcher]:
        """``run_forever`` in a thread; stopped and joined on exit."""
        return watcher_running(self.watcher(**overrides), self.stop)


@pytest.fixture
def rig(dovecot: DovecotServer) -> Rig:
    return Rig(dovecot, Recorder(), MemoryCursorStore(), threading.Event())


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., DovecotServer]]:
    """Start extra Dovecot servers (e.g. with fewer capabilities); all stopped after the test."""
    started: list[DovecotServer] = []

    def make(**kwargs: object) -> DovecotServer:
        server = DovecotServer.start(tmp_path / f"d{len(started)}", **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield make
    for server in started:
        server.cleanup()
