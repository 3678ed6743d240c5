"""The CLI a person can learn alone (issue 19 item 9, the parts done): ``--version``; ``hoshu-bot`` alone
lists the commands; text logs carry an explicit UTC offset; ``status`` is unhealthy whenever it prints a
failing job."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import COMMANDS
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import START, bot_env, cli, emulator_clock
from tests.operator.test_mailbox_needed import without_monitoring
from tests.support.paths import ROOT


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def test_version(tmp_path: Path) -> None:
    done = cli(bot_env_free(tmp_path), "--version", cwd=tmp_path)
    assert done.returncode == 0
    assert re.fullmatch(r"hoshu-bot \S+.*\n", done.stdout)


def test_alone_it_lists_every_command_and_exits_2(tmp_path: Path) -> None:
    done = cli(bot_env_free(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    for name in COMMANDS:
        assert name in done.stderr
    assert "Exit codes: 0 success, 1 a runtime failure, 2 bad usage or configuration" in done.stderr


def test_text_logs_carry_an_explicit_offset(emu: BacklogEmulator, tmp_path: Path) -> None:
    env = bot_env(emu, tmp_path / "state.db", BOT_LOG_FORMAT="text",
                  BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
    done = cli(env, "run", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if " INFO " in x]
    assert lines
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} INFO ", x) for x in lines), lines[:3]


def test_status_is_unhealthy_while_it_prints_a_failing_job(emu: BacklogEmulator, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    store = StateStore.open(state, owner=True)
    store.mark_ok("backlog-poll", START)
    store.mark_failed("reports", "BacklogTransientError: 503", START)
    store.close()
    env = bot_env(emu, state, BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
    done = cli(env, "status", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "healthy: NO"
    assert "  failing: reports: 1 failure(s) in a row, last: BacklogTransientError: 503" in done.stdout
    store = StateStore.open(state, owner=True)
    store.mark_ok("reports", START)
    store.close()
    assert cli(env, "status", cwd=tmp_path).returncode == 0


def bot_env_free(tmp_path: Path) -> dict[str, str]:
    """An environment with nothing of the bot's set (``--version`` and the bare command need none)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "IMAP_", "BACKLOG_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env
