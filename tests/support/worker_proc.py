"""Run the real worker (``python -m bot run``) as a subprocess against an in-test emulator and Dovecot.

Reusable by any suite (faults, security, benchmarks)::

    env = WorkerEnv(base_url=emu.base_url, api_key=emu.api_key, state_path=tmp / "state.db",
                    imap=dovecot, now=datetime(2026, 11, 26, 10, tzinfo=JST))
    worker = WorkerProcess(env, tmp / "logs")
    worker.start()                 # ``run`` in the background; stderr goes to logs/worker-<n>.log
    worker.kill()                  # SIGKILL, as a crash or an OOM killer would
    worker.stop()                  # SIGTERM, returns the exit code
    worker.run_once()              # ``run --once`` to completion: CompletedProcess
    worker.output()                # every log line of every launch (for asserts and the secret scan)

The child gets a clean environment: only ``PATH``-like basics plus the variables INTERFACE.md names,
and its working directory is the log directory, so no ``.env`` of the repository leaks in. stderr is
drained through a pipe by a thread, so a child whose file-size limit is lowered (``limit_file_size``,
"the state disk refuses writes") still gets its log lines out.
"""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from testing import dovecot as dovecot_module
from tests.support import secret_scan
from tests.support.dovecot import DovecotServer
from tests.support.paths import CONFIG_DIR, ROOT

_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONHASHSEED", "TMPDIR", "COVERAGE_PROCESS_START")


def unique_secret(prefix: str) -> str:
    """A distinctive secret for a test run (``prefix-<random>``), registered with the secret scan."""
    value = f"{prefix}-{secrets.token_hex(12)}"
    secret_scan.register(value)
    return value


def start_dovecot(tmp_dir: Path, password: str | None = None, user: str = "bot") -> DovecotServer:
    """A Dovecot of its own whose password is a fresh registered secret (never the shared constant)."""
    password = password or unique_secret("imap-pw")
    original = dovecot_module.PASSWORD
    dovecot_module.PASSWORD = password  # read by the config writer while starting; restored at once
    try:
        server = DovecotServer.start(tmp_dir, user=user)
    finally:
        dovecot_module.PASSWORD = original
    server.password = password
    return server


def emulator_seed(api_key: str | None = None) -> dict[str, Any]:
    """The bundled emulator seed with the bot's API key replaced by a fresh registered secret."""
    from bot.sandbox.seed import default_seed  # noqa: PLC0415 - test helper, imported when used

    seed = default_seed()
    key = api_key or unique_secret("backlog-key")
    for user in seed.get("users", []):
        if user.get("userId") == "hoshu-bot":
            user["apiKey"] = key
    return seed


@dataclass
class WorkerEnv:
    """What the child process is told through its environment (INTERFACE.md "Environment")."""

    base_url: str
    api_key: str
    state_path: Path
    imap: DovecotServer | None = None
    config_dir: Path = CONFIG_DIR
    now: datetime | None = None
    log_level: str = "INFO"
    extra: dict[str, str] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in _KEEP}
        env.update({
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "BACKLOG_BASE_URL": self.base_url,
            "BACKLOG_API_KEY": self.api_key,
            "BOT_CONFIG_DIR": str(self.config_dir),
            "BOT_STATE_PATH": str(self.state_path),
            "BOT_LOG_LEVEL": self.log_level,
        })
        if self.now is not None:
            env["BOT_NOW"] = self.now.isoformat()
        if self.imap is not None:
            env.update({
                "IMAP_HOST": self.imap.host, "IMAP_PORT": str(self.imap.port), "IMAP_USER": self.imap.user,
                "IMAP_PASSWORD": self.imap.password, "IMAP_SSL": "false",
            })
        env.update(self.extra)
        return env


def _child_setup() -> None:
    # A lowered RLIMIT_FSIZE must make writes fail with EFBIG, not kill the child with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class WorkerProcess:
    """One worker, launched, killed and relaunched as often as a test likes; logs kept per launch."""

    def __init__(self, env: WorkerEnv, log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.launches = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._drain: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Launch ``python -m bot run *args`` in the background (the previous launch must have ended)."""
        if self.alive:
            msg = "the worker is still running"
            raise RuntimeError(msg)
        self.launches += 1
        log_path = self.log_dir / f"worker-{self.launches:03d}.log"
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bot", "run", *args], env=self.env.environ(), cwd=self.log_dir,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            preexec_fn=_child_setup,  # noqa: PLW1509 - only resets one signal disposition
        )
        self.proc = proc
        self._drain = threading.Thread(target=_copy, args=(proc.stdout, log_path), daemon=True)
        self._drain.start()
        return proc

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        if self.proc is None:
            msg = "the worker was never started"
            raise RuntimeError(msg)
        return self.proc.pid

    def kill(self) -> int | None:
        """SIGKILL (nothing is flushed, no handler runs); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self._reap()

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM and wait (the worker finishes the item in hand); SIGKILL if it does not stop."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self._reap()

    def wait(self, timeout: float) -> int | None:
        """Wait for the launch to end by itself; None if it is still running after ``timeout``."""
        if self.proc is None:
            return None
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self._reap()

    def run_once(self, *args: str, timeout: float = 120.0) -> int:
        """``run --once`` to completion; returns its exit code (its output joins ``output()``)."""
        self.start("--once", *args)
        code = self.wait(timeout)
        if code is None:
            self.kill()
            msg = f"run --once did not finish within {timeout:.0f} s"
            raise TimeoutError(msg)
        return code

    def _reap(self) -> int | None:
        assert self.proc is not None
        code = self.proc.wait(timeout=30)
        if self._drain is not None:
            self._drain.join(timeout=30)
        return code

    # ---- faults ------------------------------------------------------------------------------------
    def limit_file_size(self, max_bytes: int | None) -> None:
        """Make the disk refuse writes for the running child: no file may grow past ``max_bytes``
        (EFBIG, as a full disk answers ENOSPC); ``None`` lifts the limit again, while it runs."""
        hard = resource.RLIM_INFINITY
        soft = hard if max_bytes is None else max_bytes
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (soft, hard))

    # ---- observing ---------------------------------------------------------------------------------
    def log_files(self) -> list[Path]:
        return sorted(self.log_dir.glob("worker-*.log"))

    def output(self, launch: int | None = None) -> str:
        """The log lines of one launch (1-based) or of all of them."""
        files = self.log_files() if launch is None else [self.log_dir / f"worker-{launch:03d}.log"]
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files if p.exists())

    def wait_for_output(self, fragment: str, timeout: float = 60.0) -> bool:
        """Poll this launch's log until ``fragment`` shows (bounded; never a timing assertion)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if fragment in self.output(self.launches):
                return True
            if not self.alive:
                return fragment in self.output(self.launches)
            time.sleep(0.05)
        return False

    @contextlib.contextmanager
    def running(self, *args: str) -> Iterator[WorkerProcess]:
        """``with worker.running(): ...`` stops it (SIGTERM, then SIGKILL) on the way out."""
        self.start(*args)
        try:
            yield self
        finally:
            self.stop()


def _copy(stream: IO[bytes] | None, path: Path) -> None:
    if stream is None:
        return
    with path.open("wb") as out:
        for line in iter(stream.readline, b""):
            out.write(line)
            out.flush()
    stream.close()
    secret_scan.watch_file(path)
