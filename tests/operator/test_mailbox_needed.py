"""Monitoring needs a mailbox, and only monitoring does (issue 19 item 3, M1): a monitoring customer
without ``IMAP_HOST`` is said by ``run`` and makes ``status`` unhealthy; without any monitoring customer
``check`` needs no mailbox; half a mailbox is a configuration error everywhere; the folders are settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import START, bot_env, cli, emulator_clock, fixture_mail
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server
from tests.support.paths import CONFIG_DIR

__all__ = ["dovecot", "dovecot_server"]


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def without_monitoring(tmp_path: Path) -> Path:
    """The shipped configuration with the monitoring option off for every customer."""
    config = tmp_path / "config"
    config.mkdir()
    for f in CONFIG_DIR.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "customers.toml":
            text = re.sub(r"(?m)^monitoring = true$", "monitoring = false", text)
        (config / f.name).write_text(text, encoding="utf-8")
    return config


def polled(state: Path) -> None:
    store = StateStore.open(state, owner=True)
    store.mark_ok("backlog-poll", START)
    store.close()


class TestWithAMonitoringCustomer:
    def test_status_is_unhealthy_and_names_the_mailbox(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        state = tmp_path / "state.db"
        polled(state)
        done = cli(bot_env(emu, state), "status", cwd=tmp_path)
        assert done.returncode == 1
        assert ("  problem: mailbox: IMAP_HOST is not set, so the adapter mail of ACME (monitoring option) "
                "is not read") in done.stdout.splitlines()
        assert "healthy: NO" in done.stdout

    def test_run_says_so_at_start(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        done = cli(bot_env(emu, tmp_path / "state.db", BOT_LOG_FORMAT="text"), "run", "--once", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        lines = [x for x in done.stderr.splitlines() if "IMAP_HOST is not set" in x]
        assert len(lines) == 1
        assert "WARNING" in lines[0] and "ACME" in lines[0]


class TestWithoutAMonitoringCustomer:
    def test_check_needs_no_mailbox_and_exits_0(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        done = cli(env, "check", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "ok     imap: not needed: no customer has the monitoring option" in done.stdout.splitlines()

    def test_status_is_healthy_and_run_says_nothing_of_a_mailbox(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state, BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        run = cli(env, "run", "--once", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "IMAP_HOST" not in run.stderr
        done = cli(env, "status", cwd=tmp_path)
        assert done.returncode == 0, done.stdout
        assert "mailbox" not in done.stdout


class TestHalfAMailbox:
    @pytest.mark.parametrize("command", [("run", "--once"), ("check",), ("status",),
                                         ("deadline", "--received", "2026-11-20T17:00+09:00")])
    @pytest.mark.parametrize("unset", ["IMAP_USER", "IMAP_PASSWORD"])
    def test_imap_host_without_user_or_password_is_exit_2_everywhere(
        self, emu: BacklogEmulator, tmp_path: Path, command: tuple[str, ...], unset: str
    ) -> None:
        env = bot_env(emu, tmp_path / "state.db", IMAP_HOST="127.0.0.1", IMAP_USER="alerts",
                      IMAP_PASSWORD="p4ssword-x")
        del env[unset]
        done = cli(env, *command, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            f"hoshu-bot: environment: {unset}: required when IMAP_HOST is set (unset IMAP_HOST if no "
            "customer has the monitoring option)"]
        assert "p4ssword-x" not in done.stderr

    def test_a_port_out_of_range_is_refused(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        done = cli(bot_env(emu, tmp_path / "s.db", IMAP_PORT="99999"), "status", cwd=tmp_path)
        assert done.returncode == 2
        assert "IMAP_PORT" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.dovecot
class TestFolders:
    def test_handled_mail_goes_to_the_configured_folder(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        dovecot.append("INBOX", fixture_mail("esm_status_422"))
        env = bot_env(emu, tmp_path / "state.db", dovecot, IMAP_PROCESSED_FOLDER="Handled",
                      IMAP_QUARANTINE_FOLDER="Held")
        done = cli(env, "run", "--once", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert dovecot.folder_uids("INBOX") == []
        assert len(dovecot.folder_uids("Handled")) == 1
