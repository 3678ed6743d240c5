"""The CLI a person can learn alone, the rest of issue 19 item 9, through the CLI (subprocess): each
command's help has an example, its environment variables and its exit codes, and every example parses;
a closed stdout is exit 1 with one line; Ctrl-C in ``check`` or ``run --once`` is one line, no traceback;
no Python reprs (``None``, dicts) in operator output; ``status | head`` prints no broken-pipe line."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import COMMANDS, build_parser
from bot.commands.help import HELP
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import START, bot_env, cli, emulator_clock
from tests.operator.test_cli_polish import bot_env_free
from tests.operator.test_mailbox_needed import without_monitoring
from tests.support.paths import CONFIG_DIR, MAIL_FIXTURES, ROOT


def plain_lines(err: str) -> list[str]:
    """stderr without the JSON log records."""
    return [x for x in err.splitlines() if x.strip() and not x.startswith("{")]


class TestHelp:
    @pytest.mark.parametrize("command", COMMANDS)
    def test_each_command_has_an_example_its_environment_and_exit_codes(self, command: str,
                                                                       tmp_path: Path) -> None:
        done = cli(bot_env_free(tmp_path), command, "--help", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        text = done.stdout
        assert f"  hoshu-bot {command}" in text.split("example:", 1)[1]
        assert "environment: " in text and "exit codes: " in text

    @pytest.mark.parametrize("command", sorted(HELP))
    def test_every_example_parses(self, command: str) -> None:
        parser = build_parser()
        examples = HELP[command].split("example:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert examples
        for line in examples:
            argv = shlex.split(line.split("|")[0].split("||")[0])
            assert argv[0] == "hoshu-bot"
            args = parser.parse_args(argv[1:])
            assert args.command == command

    def test_the_environment_named_is_the_one_the_readme_documents(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        for text in HELP.values():
            env = text.split("environment: ", 1)[1].split("\n", 1)[0]
            for name in {w.strip(",;.()") for w in env.split() if w.strip(",;.()").isupper()} - {"SQLite"}:
                assert f"`{name}`" in readme or name in readme, name


class TestClosedStdout:
    @pytest.mark.parametrize("argv", [["demo"], ["deadline", "--received", "2026-11-20T17:00+09:00"],
                                      ["--help"]], ids=["demo", "deadline", "help"])
    def test_a_closed_stdout_is_exit_1_with_one_line(self, argv: list[str], tmp_path: Path) -> None:
        env = {**bot_env_free(tmp_path), "BOT_CONFIG_DIR": str(CONFIG_DIR)}
        done = subprocess.run([sys.executable, "-m", "bot", *argv], env=env, cwd=tmp_path, text=True,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, check=False,
                              preexec_fn=lambda: os.close(1))  # a test child, no threads yet
        assert done.returncode == 1
        (line,) = plain_lines(done.stderr)
        assert line.startswith("hoshu-bot: standard output is closed"), done.stderr
        assert "Traceback" not in done.stderr


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


class TestStatusIntoHead:
    def test_status_piped_into_head_says_nothing_about_a_pipe(self, emu: BacklogEmulator,
                                                              tmp_path: Path) -> None:
        state = tmp_path / "state.db"
        store = StateStore.open(state, owner=True)
        store.mark_ok("backlog-poll", START)
        store.close()
        env = bot_env(emu, state, BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        line = f"{shlex.quote(sys.executable)} -m bot status | head -1"
        done = subprocess.run(["bash", "-c", line], env=env, cwd=tmp_path, capture_output=True,  # noqa: S603, S607
                              text=True, timeout=120, check=False)
        assert done.stdout == "healthy: yes\n"
        assert done.stderr == ""

    def test_a_reader_gone_before_the_first_byte_is_exit_1_and_silent(self, emu: BacklogEmulator,
                                                                      tmp_path: Path) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        read, write = os.pipe()
        os.close(read)
        try:
            done = subprocess.run([sys.executable, "-m", "bot", "status"], env=env, cwd=tmp_path,
                                  stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
        finally:
            os.close(write)
        assert done.returncode == 1
        assert plain_lines(done.stderr) == []


class _Silent:
    """A Backlog that accepts connections and never answers: the command waits in its first call."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.called = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.called.set()

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture
def silent() -> Iterator[_Silent]:
    s = _Silent()
    yield s
    s.close()


class TestCtrlC:
    @pytest.mark.parametrize(("argv", "said"), [
        (["check"], "check stopped before every check was done; nothing was changed"),
        (["run", "--once"], "the worker stopped; what it finished is stored and the next run goes on"),
    ], ids=["check", "run-once"])
    def test_ctrl_c_while_waiting_for_backlog_is_one_line(self, silent: _Silent, tmp_path: Path,
                                                          argv: list[str], said: str) -> None:
        env = {**bot_env_free(tmp_path), "BACKLOG_BASE_URL": f"http://127.0.0.1:{silent.port}",
               "BACKLOG_API_KEY": "abcdefghijklmnopqrstuvwxyz", "BOT_STATE_PATH": str(tmp_path / "s.db"),
               "BOT_CONFIG_DIR": str(without_monitoring(tmp_path)), "BOT_LOG_FORMAT": "json"}
        proc = subprocess.Popen([sys.executable, "-m", "bot", *argv], env=env, cwd=tmp_path, text=True,  # noqa: S603
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert silent.called.wait(60), "the command never called Backlog"
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert proc.returncode == 130
        assert "Traceback" not in err and "Exception ignored" not in err
        (line,) = plain_lines(err)
        assert line == f"hoshu-bot: interrupted (Ctrl-C): {said}" or line.startswith(
            f"hoshu-bot: interrupted (Ctrl-C): {said}"), err


class TestNoPythonReprs:
    def test_status_says_never_for_a_source_never_read(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        state = tmp_path / "state.db"
        store = StateStore.open(state, owner=True)
        store.mark_failed("backlog-poll", "BacklogTransientError: 503", START)
        store.close()
        env = bot_env(emu, state, BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        out = cli(env, "status", cwd=tmp_path).stdout
        assert "  backlog-poll: last ok never, last error BacklogTransientError: 503" in out
        assert "None" not in out

    def test_parse_mail_text_has_no_none_nor_dicts(self, tmp_path: Path) -> None:
        env = {**bot_env_free(tmp_path), "BOT_CONFIG_DIR": str(CONFIG_DIR)}
        for mail in ("kintone_utf8_base64.eml", "dsc_customer_template.eml"):
            out = cli(env, "parse-mail", str(MAIL_FIXTURES / mail), cwd=tmp_path).stdout
            assert "wrapper: -" in out or "wrapper:" not in out
            assert "None" not in out and "{" not in out and "[]" not in out, out
            assert "route: kind customer, project ACME" in out

    def test_the_rebuild_log_says_its_counts_in_words(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        env = bot_env(emu, tmp_path / "state.db", BOT_LOG_FORMAT="text",
                      BOT_CONFIG_DIR=str(without_monitoring(tmp_path)))
        done = cli(env, "rebuild-state", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (line,) = [x for x in done.stderr.splitlines() if "state store rebuilt:" in x]
        assert "{" not in line and "'" not in line
