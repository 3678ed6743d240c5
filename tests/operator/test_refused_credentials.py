"""Refused credentials end the worker (issue 19 item 6): a 401 at start is exit 2 naming BACKLOG_API_KEY
and the space; a key revoked while ``run`` runs stops it with one line instead of retrying for ever; a
mailbox that refuses the login stops the mail watcher and shows in ``status``; ``run --once`` counts only
its own failures."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import START, WorkerProcess, bot_env, cli, emulator_clock, wait_for
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server

__all__ = ["dovecot", "dovecot_server"]

WRONG_KEY = "x" * 64  # well formed, unknown to the space


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def revoke(emu: BacklogEmulator, user_id: str = "hoshu-bot") -> None:
    users = emu.state.users
    uid = next(k for k, u in users.items() if u.user_id == user_id)
    users[uid] = dataclasses.replace(users[uid], api_key="revoked-" + "r" * 40)


class TestBacklogKey:
    @pytest.mark.parametrize("once", [True, False], ids=["once", "long-running"])
    def test_a_401_at_start_is_exit_2_naming_the_key_and_the_space(
        self, emu: BacklogEmulator, tmp_path: Path, once: bool
    ) -> None:
        state = tmp_path / "state.db"
        StateStore.open(state, owner=True).close()
        env = bot_env(emu, state, BACKLOG_API_KEY=WRONG_KEY)
        done = cli(env, "run", *(["--once"] if once else []), cwd=tmp_path)  # bounded: never for ever
        assert done.returncode == 2
        last = done.stderr.strip().splitlines()[-1]
        assert last == (f"hoshu-bot: environment: BACKLOG_API_KEY: refused by {emu.base_url} (401): the "
                        "key is wrong, revoked, or belongs to another space; issue one in Personal "
                        "settings > API")
        assert WRONG_KEY not in done.stderr

    def test_a_401_on_an_empty_store_is_not_asked_again_for_ever(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        done = cli(bot_env(emu, tmp_path / "state.db", BACKLOG_API_KEY=WRONG_KEY), "run", cwd=tmp_path)
        assert done.returncode == 2
        assert "asking again" not in done.stderr
        assert "BACKLOG_API_KEY: refused by" in done.stderr.strip().splitlines()[-1]

    def test_a_key_revoked_while_running_stops_the_worker_with_one_line(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state, BOT_LOG_FORMAT="text")
        worker = WorkerProcess(env, tmp_path).start()
        try:
            wait_for(lambda: "worker started" in worker.log(), "the worker to start", worker)
            revoke(emu)
            assert worker.proc is not None
            code = worker.proc.wait(timeout=90)
        finally:
            worker.kill()
        assert code == 2
        log = worker.log()
        said = [x for x in log.splitlines() if "BACKLOG_API_KEY: refused by" in x]
        assert len(said) == 2  # the log line when it stopped, and the command's last line
        assert "times in a row" in said[0] and said[-1].startswith("hoshu-bot: environment: BACKLOG_API_KEY")
        status = cli(env, "status", "--json", cwd=tmp_path)
        assert status.returncode == 1
        assert json.loads(status.stdout)["healthy"] is False


class TestRunOnce:
    def test_failure_counts_are_those_of_this_run_only(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state, BOT_LOG_FORMAT="text")
        store = StateStore.open(state, owner=True)
        for _ in range(5):
            store.mark_failed("backlog-poll", "BacklogTransientError: earlier", START)
        store.set_cursor("report:ACME", "2026-10", START)  # not a new store: Backlog is not asked about it
        store.close()
        emu.fail_next(1000, "500", path_contains="/space/activities")
        done = cli(env, "run", "--once", cwd=tmp_path)
        assert done.returncode == 1
        assert "job backlog-poll failed (1 in a row)" in done.stderr
        assert "6 in a row" not in done.stderr


@pytest.mark.dovecot
class TestMailbox:
    def test_run_once_with_a_refused_login_is_exit_2_naming_the_password(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        env = bot_env(emu, tmp_path / "state.db", dovecot, IMAP_PASSWORD="wrong-password-1")
        done = cli(env, "run", "--once", cwd=tmp_path)
        assert done.returncode == 2
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("hoshu-bot: environment: IMAP_PASSWORD: IMAP ")
        assert "refused the login" in last
        assert "wrong-password-1" not in done.stderr

    def test_the_long_running_worker_stops_its_mail_watcher_and_status_says_so(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state, dovecot, IMAP_PASSWORD="wrong-password-1", BOT_LOG_FORMAT="text")
        worker = WorkerProcess(env, tmp_path).start()
        try:
            wait_for(lambda: "the mail watcher stops" in worker.log(), "the refusal", worker)
            status = subprocess.run([sys.executable, "-m", "bot", "status"], env=env, cwd=tmp_path,
                                    capture_output=True, text=True, timeout=60, check=False)
        finally:
            assert worker.terminate() == 0
        assert status.returncode == 1
        assert any(x.startswith("  failing: mail: 1 failure(s) in a row, last: IMAP ") for x in
                   status.stdout.splitlines()), status.stdout
        log = worker.log()
        assert log.count("refused the login") == 1  # one clear line, no reconnection loop
        assert "wrong-password-1" not in log
