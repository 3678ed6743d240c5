"""First steps without a repository (issue 13 item 5): packaged defaults with a notice, ``init``,
``sandbox`` serving the emulator for ``check``, ``run`` and ``status``; the README names every file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.support.paths import CONFIG_DIR, ROOT

SHIPPED = sorted(p.name for p in CONFIG_DIR.glob("*.toml"))
EVERY_FILE = sorted(str(p.relative_to(CONFIG_DIR)) for p in CONFIG_DIR.rglob("*") if p.is_file())


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory with no ``config`` and no BOT_* / BACKLOG_* variables (a fresh machine)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("BOT_", "BACKLOG_", "IMAP_")):
            monkeypatch.delenv(name)
    monkeypatch.setattr("bot.config.settings._NOTICE", [])
    return tmp_path


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "IMAP_", "BACKLOG_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


class TestPackagedDefaults:
    def test_without_a_config_dir_the_packaged_defaults_are_used_with_one_notice(
        self, bare: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 0
        assert main(["quote", "--customer", "ACME", "--hours", "1", "--at", "2026-11-26T10:00+09:00"]) == 0
        err = capsys.readouterr().err
        notices = [line for line in err.splitlines() if "packaged defaults" in line]
        assert len(notices) == 1
        assert "hoshu-bot init" in notices[0]

    def test_an_explicit_config_dir_that_does_not_exist_is_still_an_error(
        self, bare: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("BOT_CONFIG_DIR", str(bare / "nowhere"))
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 2
        err = capsys.readouterr().err
        assert "nowhere" in err and "packaged defaults" not in err


class TestInit:
    def test_init_writes_the_shipped_files_and_the_bot_reads_them(
        self, bare: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["init", "mine"]) == 0
        written = sorted(str(p.relative_to(bare / "mine")) for p in (bare / "mine").rglob("*") if p.is_file())
        assert written == EVERY_FILE  # the six TOML files and the text templates
        for name in EVERY_FILE:
            assert (bare / "mine" / name).read_bytes() == (CONFIG_DIR / name).read_bytes()
        assert "BOT_CONFIG_DIR=" in capsys.readouterr().out
        monkeypatch.setenv("BOT_CONFIG_DIR", str(bare / "mine"))
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 0

    def test_init_never_overwrites_without_force(
        self, bare: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["init"]) == 0
        (bare / "config" / "customers.toml").write_text("# mine\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["init"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--force" in err
        assert (bare / "config" / "customers.toml").read_text(encoding="utf-8") == "# mine\n"
        assert main(["init", "--force"]) == 0
        shipped = (CONFIG_DIR / "customers.toml").read_bytes()
        assert (bare / "config" / "customers.toml").read_bytes() == shipped

    def test_init_into_a_place_it_cannot_write_is_exit_2_in_one_line(
        self, bare: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (bare / "file").write_text("", encoding="utf-8")
        assert main(["init", str(bare / "file" / "config")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err


class TestSandbox:
    @pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
    def test_sandbox_serves_the_emulator_for_check_run_and_status_until_a_signal(
        self, tmp_path: Path, stop: signal.Signals
    ) -> None:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox"], cwd=tmp_path, env=clean_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            head = [proc.stdout.readline() for _ in range(10)]
            url = re.search(r"http://127\.0\.0\.1:\d+", head[0])
            assert url is not None, head
            keys = dict(line.split() for line in head[2:8])
            assert set(keys) >= {"hoshu-bot", "sato", "yamada"}
            env = clean_env(BACKLOG_BASE_URL=url.group(0), BACKLOG_API_KEY=keys["hoshu-bot"])

            def bot(*args: str) -> subprocess.CompletedProcess[str]:
                return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,  # noqa: S603
                                      capture_output=True, text=True, timeout=90, check=False)

            check = bot("check")
            assert "ok     project ACME" in check.stdout and "ok     backlog key" in check.stdout
            assert bot("run", "--once").returncode == 0
            status = bot("status")
            # The sample customer ACME has the monitoring option and no mailbox is set (issue 19 item 3).
            assert status.returncode == 1, status.stdout + status.stderr
            assert "healthy: NO" in status.stdout
            assert "problem: mailbox: IMAP_HOST is not set" in status.stdout
            for done in (check, status):
                assert "Traceback" not in done.stderr
            proc.send_signal(stop)
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            assert "emulator stopped" in out
            assert "Traceback" not in err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_the_readme_names_every_config_file_and_shows_the_first_steps() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in SHIPPED:
        assert f"`{name}`" in readme, name
    for step in ("hoshu-bot sandbox", "hoshu-bot init", "hoshu-bot run --once", "hoshu-bot status"):
        assert step in readme
