"""Exit codes a supervisor can use (issue 13 item 4): ``status`` 0/1, a clean ``run --dry-run``,
``check`` riding out a transient failure and saying so when it persists."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.commands.test_run_and_status import emu, use_env
from tests.e2e.rig import START, bot_env, cli, fixture_mail
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server

__all__ = ["dovecot", "dovecot_server", "emu", "use_env"]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.commands.check.RETRY_PAUSES", (0.0, 0.0))  # the pauses, not their length


class TestStatus:
    def test_exit_1_when_not_healthy_and_0_when_healthy(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        state = tmp_path / "state.db"
        StateStore.open(state, owner=True).close()
        use_env(bot_env(emu, state, IMAP_HOST="127.0.0.1", IMAP_USER="u", IMAP_PASSWORD="p4ssword-x"))
        assert main(["status"]) == 1  # never polled: not healthy
        assert "healthy: NO" in capsys.readouterr().out
        assert main(["status", "--json"]) == 1
        assert json.loads(capsys.readouterr().out)["healthy"] is False
        store = StateStore.open(state, owner=True)
        store.mark_ok("backlog-poll", START)
        store.mark_ok("mail", START)
        store.close()
        assert main(["status"]) == 0
        assert "healthy: yes" in capsys.readouterr().out


class TestCheck:
    def test_a_transient_backlog_failure_is_ridden_out_and_said(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        use_env(bot_env(emu, tmp_path / "state.db"))
        emu.fail_next(2, "503", path_contains="users/myself")  # both attempts of the client's own retry
        main(["check"])
        out = capsys.readouterr().out
        assert "ok     backlog key: authenticated as hoshu-bot (after 2 tries" in out
        assert "ok     project ACME" in out

    def test_a_persisting_backlog_failure_says_it_was_tried_again(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        use_env(bot_env(emu, tmp_path / "state.db"))
        emu.fail_next(50, "500", path_contains="users/myself")
        assert main(["check"]) == 1
        out = capsys.readouterr().out
        assert "FAILED backlog key: still failing after 3 tries" in out
        assert "(transient)" in out

    def test_an_unreachable_mail_server_is_tried_again_then_failed_in_one_line(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        use_env(bot_env(emu, tmp_path / "state.db", IMAP_HOST="127.0.0.1", IMAP_PORT=str(port),
                        IMAP_USER="u", IMAP_PASSWORD="p4ssword-x", IMAP_SSL="false"))
        assert main(["check"]) == 1
        out = capsys.readouterr().out
        line = next(x for x in out.splitlines() if "imap" in x)
        assert line.startswith("FAILED imap: still failing after 3 tries")


@pytest.mark.dovecot
class TestDryRun:
    def test_an_alert_it_only_imagined_is_reported_without_any_error(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        dovecot.append("INBOX", fixture_mail("esm_status_422"))
        emu.add_issue_as("yamada", "ACME", "ログインできません")
        state = tmp_path / "state.db"
        done = cli(bot_env(emu, state, dovecot), "run", "--once", "--dry-run", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "dry-run: would open an issue in ACME" in done.stderr
        for bad in ("left for retry", "NotFound", "Traceback", '"level": "ERROR"', '"level": "WARNING"'):
            assert bad not in done.stderr, done.stderr
        assert dovecot.folder_uids("INBOX") == [1]  # the mail stays where it was
        assert [r for r in emu.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")] == []
