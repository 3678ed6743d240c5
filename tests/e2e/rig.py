"""The worker as a real process: its environment, start and SIGTERM, and what it wrote into the emulator."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from bot.backlog.refs import find_reference
from bot.sandbox import BacklogEmulator
from bot.state.db import is_database_url
from tests.support.dovecot import DovecotServer
from tests.support.paths import CONFIG_DIR, ROOT

JST = ZoneInfo("Asia/Tokyo")
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
# Thursday 26 November 2026, 10:00 JST: business hours, inside every shipped contract.
START = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
WAIT = 90.0  # generous bound for "it eventually happens"; never a timing assertion
PROJECTS = ("ACME", "BETA", "HOSHU")
_MID = re.compile(rb"^Message-ID:[^\r\n]*", re.IGNORECASE | re.MULTILINE)


def emulator_clock() -> Callable[[], float]:
    """Backlog's clock: START plus the real time elapsed, so activities fall inside the contracts."""
    t0 = time.monotonic()
    return lambda: START.timestamp() + (time.monotonic() - t0)


def fixture_mail(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def variant(raw: bytes, n: int) -> bytes:
    """The same alert as a new mail (a real repeat): only the Message-ID differs."""
    return _MID.sub(f"Message-ID: <repeat-{n}@e2e.test>".encode(), raw, count=1)


def bot_env(emu: BacklogEmulator, state: Path, imap: DovecotServer | None = None,
            **extra: str) -> dict[str, str]:
    """A ``.env``-free environment for ``python -m bot``: only what the test means to set."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BOT_", "IMAP_", "BACKLOG_"))}
    env.update({
        "BACKLOG_BASE_URL": emu.base_url, "BACKLOG_API_KEY": emu.api_key, "BOT_CONFIG_DIR": str(CONFIG_DIR),
        "BOT_STATE_PATH": str(state), "BOT_NOW": START.isoformat(), "BOT_POLL_SECONDS": "1",
        "BOT_LOG_FORMAT": "json", "PYTHONPATH": str(ROOT),
    })
    if imap is not None:
        env.update({"IMAP_HOST": imap.host, "IMAP_PORT": str(imap.port), "IMAP_USER": imap.user,
                    "IMAP_PASSWORD": imap.password, "IMAP_SSL": "false"})
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """One command in a fresh interpreter (``python -m bot ...``)."""
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True,  # noqa: S603
                          text=True, timeout=WAIT, check=False)


@dataclass
class WorkerProcess:
    """``python -m bot run`` as a subprocess; stderr goes to a file that ``log`` reads."""

    env: dict[str, str]
    cwd: Path
    name: str = "worker"
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.cwd / f"{self.name}.log"

    def start(self) -> WorkerProcess:
        with self.log_path.open("ab") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=self.env, cwd=self.cwd,
                                         stdout=subprocess.DEVNULL, stderr=err)
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> int:
        """SIGTERM, then the exit code (bounded wait; a hang fails the test instead of blocking it)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(cond: Callable[[], object], what: str, worker: WorkerProcess | None = None) -> None:
    """Poll ``cond`` until it holds; on timeout fail with the worker's log tail."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if cond():
            return
        if worker is not None and worker.proc is not None and worker.proc.poll() is not None:
            raise AssertionError(f"worker exited ({worker.proc.returncode}) waiting for {what}:\n"
                                 f"{worker.log()[-4000:]}")
        time.sleep(0.2)
    tail = worker.log()[-4000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def cursor(state: Path | str, name: str) -> str | None:
    """A cursor read from the worker's store without disturbing it (read-only connection): a SQLite
    path or a PostgreSQL URL."""
    if isinstance(state, str) and is_database_url(state):
        with psycopg.connect(state) as pg:
            try:
                found = pg.execute("SELECT value FROM cursors WHERE name = %s", (name,)).fetchone()
            except psycopg.errors.UndefinedTable:  # the worker has not created its schema yet
                return None
        return None if found is None else str(found[0])
    state = Path(state)
    if not state.exists():
        return None
    conn = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=10)
    try:
        row = conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])


@dataclass
class Writings:
    """Everything the bot user wrote, by reference: ``refs`` counts each reference line found."""

    refs: Counter[str]
    texts: dict[str, list[str]]
    issues: dict[str, str]  # issue key -> reference, for issues the bot opened

    def with_prefix(self, prefix: str) -> list[str]:
        return sorted(r for r in self.refs if r.startswith(prefix))

    def duplicates(self) -> dict[str, int]:
        return {r: n for r, n in self.refs.items() if n > 1}


def writings(emu: BacklogEmulator) -> Writings:
    """Read straight from the emulator's state (no HTTP: the test's polling must not eat the bot's
    rate-limit budget)."""
    refs: Counter[str] = Counter()
    texts: dict[str, list[str]] = {}
    issues: dict[str, str] = {}
    state = emu.state
    with state.lock:
        bot = state.bot_user_id
        for issue in list(state.issues.values()):
            if issue.created_user_id == bot and (ref := find_reference(issue.description)):
                refs[ref] += 1
                texts.setdefault(ref, []).append(issue.description)
                issues[state.issue_key(issue)] = ref
        for c in list(state.comments.values()):
            if c.created_user_id == bot and (ref := find_reference(c.content)):
                refs[ref] += 1
                texts.setdefault(ref, []).append(c.content)
    return Writings(refs, texts, issues)


def comment_refs(emu: BacklogEmulator, issue_key: str) -> list[str]:
    with emu.state.lock:
        issue = emu.state.issue(issue_key)
        return [r for c in emu.state.comments_of(issue.id) if (r := find_reference(c.content))]
