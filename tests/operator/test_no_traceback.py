"""No traceback on any operator path (issue 13 item 3).

Every command runs as a real process under each hostile condition: an impossible state path, an
unreadable configuration directory, a closed stdout, a reader that went away (SIGPIPE / EPIPE), a full
disk (the file-size limit at zero, as a full disk refuses writes) and no network (nothing listens at the
Backlog URL nor the IMAP port). Each ends with a documented exit code (0, 1 or 2; README "Commands"),
at most one line on stderr besides the JSON log records, and never a traceback. A command that prints,
started with its stdout closed, ends with exit 1 and that line; a reader gone away is exit 1, silent.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from tests.e2e.rig import START, emulator_clock
from tests.support.paths import CONFIG_DIR, MAIL_FIXTURES, ROOT

COMMANDS: dict[str, list[str]] = {
    "run": ["run", "--once"],
    "run-dry": ["run", "--once", "--dry-run"],
    "check": ["check"],
    "status": ["status"],
    "deadline": ["deadline", "--received", "2026-11-20T17:00+09:00"],
    "quote": ["quote", "--customer", "ACME", "--hours", "2", "--at", "2026-11-26T10:00+09:00"],
    "ledger": ["ledger", "--customer", "ACME"],
    "ledger-adjust": ["ledger", "adjust", "--customer", "ACME", "--hours", "2", "--reason", "導入前の作業"],
    "parse-mail": ["parse-mail", "{mail}"],
    "report": ["report", "--customer", "ACME", "--month", "2026-11", "--dry-run"],
    "rebuild-state": ["rebuild-state"],
    "demo": ["demo"],
    "init": ["init", "{tmp}/written"],
}
CONDITIONS = ("impossible-state", "unreadable-config", "closed-stdout", "sigpipe", "full-disk", "no-network")
# Where the condition is the command's business, the exit code is the documented one.
EXPECTED = {
    ("impossible-state", "run"): 1, ("impossible-state", "status"): 1,
    ("impossible-state", "rebuild-state"): 1,
    ("unreadable-config", "run"): 2, ("unreadable-config", "check"): 2, ("unreadable-config", "status"): 2,
    ("unreadable-config", "deadline"): 2, ("unreadable-config", "quote"): 2,
    ("unreadable-config", "report"): 2, ("unreadable-config", "parse-mail"): 2,
    ("no-network", "run"): 1, ("no-network", "check"): 1, ("no-network", "rebuild-state"): 1,
    ("sigpipe", "deadline"): 1, ("sigpipe", "demo"): 1,
    ("closed-stdout", "deadline"): 1, ("closed-stdout", "demo"): 1, ("closed-stdout", "quote"): 1,
    ("closed-stdout", "parse-mail"): 1, ("closed-stdout", "report"): 1, ("closed-stdout", "init"): 1,
    ("closed-stdout", "status"): 1, ("closed-stdout", "check"): 1, ("closed-stdout", "ledger"): 1,
    ("full-disk", "run"): 1, ("full-disk", "init"): 2,
    ("unreadable-config", "ledger"): 2, ("unreadable-config", "ledger-adjust"): 2,
    ("impossible-state", "ledger-adjust"): 1, ("no-network", "ledger-adjust"): 1,
    ("full-disk", "ledger-adjust"): 1,
}


@pytest.fixture(scope="module")
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(emu: BacklogEmulator, tmp: Path, condition: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "IMAP_", "BACKLOG_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "BACKLOG_BASE_URL": emu.base_url, "BACKLOG_API_KEY": emu.api_key,
        "BOT_CONFIG_DIR": str(CONFIG_DIR), "BOT_STATE_PATH": str(tmp / "state.db"),
        "BOT_NOW": START.isoformat(),
        "BOT_LOG_FORMAT": "json", "PYTHONDONTWRITEBYTECODE": "1",
    })
    if condition == "impossible-state":
        env["BOT_STATE_PATH"] = "/proc/nope/state.db"
    elif condition == "unreadable-config":
        unreadable = tmp / "config"
        if os.geteuid() == 0:  # root reads a mode-000 directory anyway: a file where the directory should be
            unreadable.write_text("", encoding="utf-8")
        else:
            unreadable.mkdir()
            unreadable.chmod(0)
        env["BOT_CONFIG_DIR"] = str(unreadable)
    elif condition == "no-network":
        env["BACKLOG_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}"
        env.update({"IMAP_HOST": "127.0.0.1", "IMAP_PORT": str(_closed_port()), "IMAP_USER": "u",
                    "IMAP_PASSWORD": "p4ssword-x", "IMAP_SSL": "false"})
    return env


def _preexec(condition: str) -> Callable[[], None] | None:
    if condition == "closed-stdout":
        return lambda: os.close(1)
    if condition == "full-disk":
        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG on write, as ENOSPC on a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
        return limit
    return None


def run_under(
    emu: BacklogEmulator, tmp: Path, command: str, condition: str
) -> subprocess.CompletedProcess[str]:
    mail = tmp / "mail.eml"
    shutil.copy(MAIL_FIXTURES / "kintone_utf8_base64.eml", mail)
    argv = [a.format(mail=mail, tmp=tmp) for a in COMMANDS[command]]
    env = _env(emu, tmp, condition)
    stdout: int = subprocess.PIPE
    if condition == "sigpipe":
        read, write = os.pipe()
        os.close(read)  # the reader is gone before the first byte: every write is EPIPE
        stdout = write
    try:
        proc = subprocess.run([sys.executable, "-m", "bot", *argv], cwd=tmp, env=env, stdout=stdout,  # noqa: S603
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                              preexec_fn=_preexec(condition))  # a test child, no threads yet
    finally:
        if condition == "sigpipe":
            os.close(stdout)
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_traceback_one_line_and_a_documented_exit_code(
    emu: BacklogEmulator, tmp_path: Path, command: str, condition: str
) -> None:
    done = run_under(emu, tmp_path, command, condition)
    err = done.stderr
    assert "Traceback" not in err, err
    assert "Exception ignored" not in err, err
    assert done.returncode in (0, 1, 2), (done.returncode, err)
    plain = [line for line in err.splitlines() if line.strip() and not line.startswith("{")]
    assert len(plain) <= 1, err
    # ``check`` and ``status`` report a failure on stdout (FAILED lines, "healthy: NO"); ``run`` logs it.
    # A reader that went away (``status | head``) has what it wanted: exit 1 and nothing said (issue 19).
    if condition == "sigpipe":
        assert not [p for p in plain if "pipe" in p], err
    elif done.returncode != 0 and command not in ("run", "run-dry", "check", "status"):
        assert plain and plain[0].startswith("hoshu-bot"), err
    if condition == "closed-stdout" and done.returncode == 1 and command not in ("run", "run-dry"):
        assert plain and "standard output is closed" in plain[-1], err
    expected = EXPECTED.get((condition, command.removesuffix("-dry")))
    if expected is not None and command != "run-dry":
        assert done.returncode == expected, (done.returncode, err)
