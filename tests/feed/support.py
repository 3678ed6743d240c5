"""The worker (``python -m bot run --once``) against the emulator, and what it wrote there (issue 18)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.inquiries import InquiryRecords
from tests.e2e.rig import START, bot_env, cli
from tests.refs import refers_to
from tests.support.paths import CONFIG_DIR

WRITES = ("POST", "PATCH", "PUT", "DELETE")


class StepClock:
    """Backlog's clock: START plus what the test adds (activities land inside the shipped contracts)."""

    def __init__(self) -> None:
        self.t = START.timestamp()

    def __call__(self) -> float:
        return self.t


def config_copy(tmp_path: Path, edit: Callable[[str, str], str] | None = None) -> Path:
    """The shipped configuration in ``tmp_path/config``; ``edit(name, text)`` rewrites its TOML files."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    if edit is not None:
        for path in target.glob("*.toml"):
            path.write_text(edit(path.name, path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def replace_line(text: str, pattern: str, line: str) -> str:
    """``text`` with the one line matching ``pattern`` (a regex) replaced by ``line``."""
    new, n = re.subn(rf"(?m)^{pattern}.*$", line, text, count=1)
    assert n == 1, pattern
    return new


def run_once(emu: BacklogEmulator, tmp_path: Path, config: Path | None = None, *, code: int = 0,
             **extra: str) -> str:
    """One ``run --once`` on the state in ``tmp_path``; asserts the exit code and no traceback; stderr."""
    env = bot_env(emu, tmp_path / "state.db", **extra)
    if config is not None:
        env["BOT_CONFIG_DIR"] = str(config)
    done = cli(env, "run", "--once", cwd=tmp_path)
    assert done.returncode == code, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done.stderr


def bot_comments(emu: BacklogEmulator, key: str, ref: str = "hoshu-bot:") -> list[str]:
    """The bot's comments on ``key`` carrying ``ref`` (the acknowledgement: ``hoshu-bot:ack:``)."""
    with emu.state.lock:
        issue = emu.state.issue(key)
        return [c.content for c in emu.state.comments_of(issue.id)
                if c.created_user_id == emu.state.bot_user_id and refers_to(c.content, ref)]


def staff_issue(emu: BacklogEmulator, key: str) -> str:
    """The key of the one staff issue the bot opened for inquiry ``key``."""
    with emu.state.lock:
        found = [emu.state.issue_key(i) for i in emu.state.issues.values()
                 if f"hoshu-bot:staff:{key}" in i.description]
    assert len(found) == 1, (key, found)
    return found[0]


def writes(emu: BacklogEmulator) -> int:
    return sum(1 for r in emu.requests if r.method in WRITES)


def inquiry_data(tmp_path: Path, key: str) -> dict[str, object]:
    """The stored ``data`` of inquiry ``key`` (the store opened read-only after the run)."""
    store = StateStore.open(tmp_path / "state.db", dry_run=True)
    try:
        row = InquiryRecords(store).get(key)
    finally:
        store.close()
    assert row is not None, key
    return dict(row.data)


def first_response_met(tmp_path: Path, key: str) -> bool:
    """Whether the T2 clock of inquiry ``key`` was met (a person answered on the customer issue)."""
    from bot.rules.sla import ClockKind  # noqa: PLC0415 - only this helper needs it

    store = StateStore.open(tmp_path / "state.db", dry_run=True)
    try:
        clocks = [c for c in InquiryRecords(store).clocks(key) if c.clock.kind is ClockKind.FIRST_RESPONSE]
    finally:
        store.close()
    assert clocks, key
    return max(clocks, key=lambda c: c.seq).clock.met_at is not None
