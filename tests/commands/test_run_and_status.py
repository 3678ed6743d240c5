"""``run``, ``status``, ``check``, ``demo`` and logging as a user meets them (issue 7, INTERFACE.md)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FixedClock
from bot.config.loader import load_config
from bot.runtime.status import HealthPolicy, build_status
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.worker import Job, Worker
from tests.e2e.rig import CONFIG_DIR, START, bot_env, cli, emulator_clock, fixture_mail, wait_for
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server

__all__ = ["dovecot", "dovecot_server"]

WRITES = ("POST", "PATCH", "PUT", "DELETE")
# The first business day of December after the report hour: the November report is due (R1).
MONTH_START = "2026-12-01T10:30:00+09:00"


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Put a ``bot_env`` into this process (for ``main([...])``), from a directory without ``.env``."""
    monkeypatch.chdir(tmp_path)

    def apply(env: dict[str, str]) -> None:
        for k, v in env.items():
            if k.startswith(("BOT_", "IMAP_", "BACKLOG_")):
                monkeypatch.setenv(k, v)

    return apply


class TestRun:
    def test_a_second_worker_on_the_same_store_exits_2_naming_the_holder(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        holder = StateStore.open(state, owner=True)
        try:
            done = cli(bot_env(emu, state), "run", "--once", cwd=tmp_path)
        finally:
            holder.close()
        assert done.returncode == 2
        assert "held by another worker" in done.stderr
        assert "pid " in done.stderr
        assert "Traceback" not in done.stderr

    def test_run_once_without_imap_writes_what_is_due_and_exits_0(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        done = cli(bot_env(emu, state, BOT_NOW=MONTH_START), "run", "--once", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        names = [w.name for w in emu.state.wikis.values()]
        assert "保守レポート/2026-11" in names  # R1: the November report of ACME
        store = StateStore.open(state, dry_run=True)
        assert store.get_cursor("report:ACME") == "2026-11"
        assert store.get_cursor("backlog:activities") is not None

    def test_run_dry_run_once_writes_nothing_to_backlog_nor_to_the_store(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        done = cli(bot_env(emu, state, BOT_NOW=MONTH_START), "run", "--dry-run", "--once", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert [r for r in emu.requests if r.method in WRITES] == []
        assert "dry-run: would write wiki page" in done.stderr
        assert not state.exists()


class TestStatus:
    def _store_with(self, tmp_path: Path, marks: dict[str, datetime]) -> Path:
        state = tmp_path / "state.db"
        store = StateStore.open(state, owner=True)
        for name, at in marks.items():
            store.mark_ok(name, at)
        store.close()
        return state

    @pytest.mark.parametrize(
        ("age", "healthy"),
        [(timedelta(minutes=1), True), (timedelta(minutes=14), True), (timedelta(minutes=16), False)],
        ids=["fresh", "just-inside", "stale"],
    )
    def test_healthy_turns_false_when_a_source_goes_stale_and_names_it(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
        age: timedelta, healthy: bool,
    ) -> None:
        state = self._store_with(tmp_path, {"backlog-poll": START - age, "mail": START})
        # ACME has the monitoring option: a mailbox is configured (and read), as it must be (issue 19).
        use_env(bot_env(emu, state, IMAP_HOST="127.0.0.1", IMAP_USER="u", IMAP_PASSWORD="p"))
        assert main(["status", "--json"]) == (0 if healthy else 1)
        data = json.loads(capsys.readouterr().out)
        assert data["healthy"] is healthy
        assert any(p.startswith("backlog-poll:") for p in data["problems"]) is not healthy

    def test_the_mailbox_counts_as_a_source_only_when_imap_is_configured(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        state = self._store_with(tmp_path, {"backlog-poll": START})
        use_env(bot_env(emu, state, IMAP_HOST="127.0.0.1", IMAP_USER="u", IMAP_PASSWORD="p"))
        assert main(["status", "--json"]) == 1  # not healthy
        data = json.loads(capsys.readouterr().out)
        assert data["healthy"] is False
        assert data["problems"] == ["mail: never read successfully"]

    def test_a_job_that_raises_on_every_call_does_not_stop_the_others_and_shows_in_status(self) -> None:
        store = StateStore.memory()
        clock = FixedClock(START)
        ran: list[datetime] = []

        def broken(now: datetime) -> None:
            raise RuntimeError("disk on fire")

        worker = Worker([Job("reports", 1, broken), Job("backlog-poll", 1, ran.append)], store, clock,
                        threading.Event(), base_backoff=0.0)
        for _ in range(3):
            worker.run_once()
        assert len(ran) == 3
        data = build_status(load_config(CONFIG_DIR), store, START, policy=HealthPolicy(),
                            sources=("backlog-poll",))
        assert data["healthy"] is False  # a failing job printed is unhealthy (issue 19 item 9)
        assert data["problems"] == []
        assert data["sources"]["reports"]["failures"] == 3
        assert data["sources"]["reports"]["last_error"] == "RuntimeError: disk on fire"
        assert data["failing"] == ["reports: 3 failure(s) in a row, last: RuntimeError: disk on fire"]


class TestCheck:
    def test_against_the_emulator_every_project_is_ok_and_imap_unset_is_a_failed_line(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        use_env(bot_env(emu, tmp_path / "state.db"))
        assert main(["check"]) == 1
        out = capsys.readouterr().out
        for name in ("backlog key", "project ACME", "project BETA", "project HOSHU"):
            assert f"ok     {name}:" in out
        assert "FAILED imap: IMAP_HOST is not set" in out

    def test_a_project_missing_in_backlog_is_a_failed_line(
        self, emu: BacklogEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], use_env,  # type: ignore[no-untyped-def]
    ) -> None:
        config = tmp_path / "config"
        config.mkdir()
        for f in CONFIG_DIR.glob("*.toml"):
            (config / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
        with (config / "customers.toml").open("a", encoding="utf-8") as fh:
            fh.write('\n[[customer]]\nproject = "GAMMA"\nname = "ガンマ"\nmonitoring = false\n'
                     'inquirers = []\n\n[[customer.contract]]\nkind = "annual"\nstart = 2026-04-01\n'
                     'hours = 24\nmonths = 12\n')
        use_env(bot_env(emu, tmp_path / "state.db", BOT_CONFIG_DIR=str(config)))
        assert main(["check", "--json"]) == 1
        checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
        assert checks["project GAMMA"]["ok"] is False
        assert checks["project ACME"]["ok"] is True

    def test_imap_login_ok_and_a_wrong_password_fails_without_showing_it(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        good = cli(bot_env(emu, tmp_path / "s.db", dovecot), "check", cwd=tmp_path)
        assert good.returncode == 0, good.stdout + good.stderr
        assert "ok     imap: logged in" in good.stdout
        wrong = "Wr0ng-pa55word-zz"
        bad = cli(bot_env(emu, tmp_path / "s.db", dovecot, IMAP_PASSWORD=wrong), "check", cwd=tmp_path)
        assert bad.returncode == 1
        assert "FAILED imap:" in bad.stdout
        assert wrong not in bad.stdout + bad.stderr


class TestDemo:
    def test_the_demo_runs_offline_and_shows_every_step(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["demo"]) == 0
        out = capsys.readouterr().out
        for piece in ("受付番号：ACME-", "お見積り番号：ACME-", "（ご承認の確認）", "hoshu-bot:staff:ACME-",
                      "wiki page in ACME", "code: bot/"):
            assert piece in out


class TestLogs:
    SECRET_SENTENCE = "社外秘の顧客文章です"

    def test_json_logs_parse_line_by_line_and_info_carries_no_mail_body_or_customer_text(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        from tests.e2e.rig import WorkerProcess, cursor  # noqa: PLC0415 - only this test runs the worker

        state = tmp_path / "state.db"
        worker = WorkerProcess(bot_env(emu, state, dovecot), tmp_path).start()
        try:
            wait_for(lambda: cursor(state, "backlog:activities") is not None, "the cursor", worker)
            raw = fixture_mail("esm_status_422").replace(b"\r\n\r\n", f"\r\n\r\n{self.SECRET_SENTENCE}\r\n"
                                                         .encode(), 1)
            dovecot.append("INBOX", raw)
            emu.add_issue_as("yamada", "ACME", "問い合わせ", f"{self.SECRET_SENTENCE} よろしくお願いします。")
            wait_for(lambda: dovecot.folder_uids("INBOX") == [] and "hoshu-bot:ack:" in worker.log(),
                     "mail and inquiry handled", worker)
        finally:
            assert worker.terminate() == 0
        text = worker.log()
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        assert {"time", "level", "logger", "message"} <= set(records[0])
        assert self.SECRET_SENTENCE not in text
        assert dovecot.password not in text
        assert emu.api_key not in text
