"""Fixtures of the monitoring suite: real Dovecot, the Backlog emulator, the service wired like the worker."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.backlog.models import Comment, Issue
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import BotConfig, load_config, load_monitoring
from bot.config.monitoring import MonitoringConfig
from bot.mail_watcher import ImapSettings, MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from bot.monitoring import MonitoringService
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from testing.dovecot import DovecotServer
from testing.imap import imap_settings as harness_imap_settings
from testing.monitoring import PROCESSED, QUARANTINE, START, wire_service
from tests.refs import refers_to
from tests.support.dovecot import dovecot, dovecot_server
from tests.support.paths import CONFIG_DIR, ROOT
from tests.support.threads import WAIT, watcher_running

__all__ = ["PROCESSED", "QUARANTINE", "START", "dovecot", "dovecot_server"]

JST = ZoneInfo("Asia/Tokyo")
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
_MID = re.compile(rb"^Message-ID:[^\r\n]*", re.IGNORECASE | re.MULTILINE)


def shipped_monitoring() -> MonitoringConfig:
    return load_monitoring(CONFIG_DIR / "monitoring.toml")


def fixture_mail(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def variant(raw: bytes, n: int) -> bytes:
    """The same alert as a new mail: only the Message-ID differs (a real repeat of the error)."""
    new = f"Message-ID: <repeat-{n}@monitoring.test>".encode()
    if _MID.search(raw):
        return _MID.sub(new, raw, count=1)
    return new + b"\r\n" + raw


def imap_settings(server: DovecotServer, **overrides: object) -> ImapSettings:
    """The harness settings plus the folders the monitoring service files into."""
    folders: dict[str, object] = {"processed_folder": PROCESSED, "quarantine_folder": QUARANTINE}
    return harness_imap_settings(server, **{**folders, **overrides})


@dataclass
class Bot:
    """One bot process: config, client, writer and service at a fixed clock (the store outlives it)."""

    config: BotConfig
    monitoring: MonitoringConfig
    store: StateStore
    client: BacklogClient
    clock: FixedClock
    service: MonitoringService


def _to_index(path: str, form: dict[str, list[str]], index: set[str]) -> bool:
    return any(f"/issues/{key}/" in path for key in index) or "監視の検知番号" in str(form.get("summary", ""))


@dataclass
class Rig:
    """A mailbox, the emulator and the bot; ``restart_bot`` models a new process on the same store."""

    server: DovecotServer
    emu: BacklogEmulator
    store: StateStore
    clock: FixedClock
    cursors: MemoryCursorStore = field(default_factory=MemoryCursorStore)
    monitoring_config: MonitoringConfig = field(default_factory=shipped_monitoring)
    tick: timedelta = timedelta(0)  # how far the clock moves before each mail
    edit_config: Callable[[BotConfig], BotConfig] | None = None
    bot: Bot = field(init=False)

    def __post_init__(self) -> None:
        self.bot = self.make_bot()

    def make_bot(self) -> Bot:
        config = load_config(CONFIG_DIR)
        if self.edit_config is not None:
            config = self.edit_config(config)
        client, service = wire_service(config, self.monitoring_config, self.store, self.emu.base_url,
                                       self.emu.api_key, self.clock)
        return Bot(config, self.monitoring_config, self.store, client, self.clock, service)

    def restart_bot(self) -> None:
        self.bot = self.make_bot()

    def handler(self, mail: FetchedMail) -> Disposition:
        self.clock.advance(self.tick)
        return self.bot.service.handle(mail)

    def watcher(self, stop: threading.Event | None = None, **overrides: object) -> MailWatcher:
        # As the worker wires it (bot/app.py): one store transaction per fetched batch.
        return MailWatcher(imap_settings(self.server, **overrides), self.handler, self.cursors,
                           stop_event=stop or threading.Event(), unit=self.store.batch)

    def run_once(self) -> None:
        self.watcher().run_once()

    def append(self, *raws: bytes) -> None:
        with self.server.client() as c:
            for raw in raws:
                c.append("INBOX", raw)

    def running(self, **overrides: object) -> contextlib.AbstractContextManager[MailWatcher]:
        stop = threading.Event()
        return watcher_running(self.watcher(stop, **overrides), stop)

    def wait_for(self, folder: str, count: int) -> bool:
        """Poll until ``folder`` holds ``count`` mails (bounded by WAIT; no timing is asserted)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if len(self.server.folder_uids(folder)) >= count:
                return True
            time.sleep(0.05)
        return False

    # ---- what Backlog shows --------------------------------------------------------------------
    def issues(self, project: str) -> list[Issue]:
        """The project's issues, without the staff index of alert numbers (``numbered``)."""
        return [i for i in self.all_issues(project) if not refers_to(i.description, "hoshu-bot:alert-index:")]

    def all_issues(self, project: str) -> list[Issue]:
        pid = self.bot.client.get_project(project).id
        return sorted(self.bot.client.list_issues(project_ids=[pid], count=100), key=lambda i: i.key_id)

    def numbered(self, project: str = "HOSHU") -> list[str]:
        """The staff index of alert numbers: each comment's machine line (``...:ACME:1;fp=...;g=1``)."""
        index = [i for i in self.all_issues(project) if refers_to(i.description, "hoshu-bot:alert-index:")]
        comments = [c for i in index for c in self.bot.client.list_comments(i.key, count=100)]
        return [c.content.splitlines()[-1] for c in comments
                if refers_to(c.content, "hoshu-bot:alert-indexed:")]

    def comments(self, issue_key: str) -> list[Comment]:
        """Summary comments (description updates also appear as change-log comments: left out)."""
        return [c for c in self.bot.client.list_comments(issue_key, count=100)
                if refers_to(c.content, "hoshu-bot:alert-no-update:")]

    def writes(self, kind: str | None = None) -> list[str]:
        """Write requests the emulator saw: "POST issues", "POST issues/ACME-1/comments", ...; the staff
        index of alert numbers (one issue per customer, one comment per number) is left out."""
        index = {i.key for i in self.all_issues("HOSHU")
                 if refers_to(i.description, "hoshu-bot:alert-index:")}
        return [f"{r.method} {r.path.removeprefix('/api/v2/')}" for r in self.emu.requests
                if r.method in ("POST", "PATCH") and (kind is None or kind in r.path)
                and r.status and not _to_index(r.path, r.form, index)]

    def folders(self) -> dict[str, int]:
        return {f: len(self.server.folder_uids(f)) for f in ("INBOX", PROCESSED, QUARANTINE)}


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start() as emulator:
        yield emulator


@pytest.fixture
def store() -> Iterator[StateStore]:
    s = StateStore.memory()
    yield s
    s.close()


@pytest.fixture
def rig(dovecot: DovecotServer, emu: BacklogEmulator, store: StateStore) -> Rig:
    return Rig(dovecot, emu, store, FixedClock(START))


@pytest.fixture
def make_rig(dovecot: DovecotServer, emu: BacklogEmulator, store: StateStore) -> Callable[..., Rig]:
    """A rig with a different monitoring config (e.g. another comment interval)."""

    def make(**kwargs: object) -> Rig:
        return Rig(dovecot, emu, store, FixedClock(START), **kwargs)  # type: ignore[arg-type]

    return make
