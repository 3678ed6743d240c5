"""``check`` tells the truth about the store (issue 19 item 5): a BOT_STATE_PATH that cannot be created
fails naming the variable (and ``run`` exits 2 naming it); a DATABASE_URL that cannot be opened says why
(refused, authentication, unknown database), never with its password."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.sandbox import BacklogEmulator
from tests.e2e.rig import bot_env, cli, emulator_clock
from tests.support.postgres import database_url, pg_cluster

__all__ = ["database_url", "pg_cluster"]

SECRET = "s3cret-pw-19"


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def store_line(stdout: str) -> str:
    return next(x for x in stdout.splitlines() if " state store:" in x)


class TestStatePath:
    def test_a_path_below_a_file_fails_check_and_run_naming_the_variable(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        blocker = tmp_path / "hostname"
        blocker.write_text("x", encoding="utf-8")
        env = bot_env(emu, blocker / "state.db")
        done = cli(env, "check", cwd=tmp_path)
        assert done.returncode == 1
        assert store_line(done.stdout) == (
            f"FAILED state store: BOT_STATE_PATH: {blocker}/state.db cannot be created: {blocker} is not a "
            "directory")
        run = cli(env, "run", "--once", cwd=tmp_path)
        assert run.returncode == 2
        assert run.stderr.strip().splitlines()[-1] == (
            f"hoshu-bot: environment: BOT_STATE_PATH: {blocker}/state.db cannot be created: {blocker} is not "
            "a directory")

    def test_a_directory_in_place_of_the_file_fails(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        (tmp_path / "state.db").mkdir()
        done = cli(bot_env(emu, tmp_path / "state.db"), "check", cwd=tmp_path)
        assert done.returncode == 1
        assert "BOT_STATE_PATH" in store_line(done.stdout) and "is not a file" in store_line(done.stdout)

    def test_a_path_that_can_be_created_is_ok(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        done = cli(bot_env(emu, tmp_path / "var" / "new" / "state.db"), "check", cwd=tmp_path)
        assert store_line(done.stdout).startswith("ok     state store: sqlite ")


class TestDatabaseUrl:
    def test_refused(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"postgresql://bot:{SECRET}@127.0.0.1:{port}/hoshu"
        done = cli(bot_env(emu, tmp_path / "s.db", DATABASE_URL=url), "check", cwd=tmp_path)
        assert done.returncode == 1
        line = store_line(done.stdout)
        assert line.startswith("FAILED state store: DATABASE_URL: state store postgresql://bot:***@127.0.0.1:")
        assert line.endswith("(connection refused: nothing listens at that host and port)")
        assert SECRET not in done.stdout + done.stderr

    def test_an_unknown_database(self, emu: BacklogEmulator, tmp_path: Path, database_url: str) -> None:
        parts = urlsplit(database_url)
        unknown = urlunsplit((parts.scheme, parts.netloc, "/no_such_db_19", "", ""))
        done = cli(bot_env(emu, tmp_path / "s.db", DATABASE_URL=unknown), "check", cwd=tmp_path)
        assert done.returncode == 1
        assert store_line(done.stdout).endswith(
            "(unknown database (or role): create it, or fix the name in the URL)")

    @pytest.mark.parametrize(("libpq", "said"), [
        # libpq's own words (fe-auth.c, fe-connect.c); the test cluster trusts every login, so a refused
        # password is read from its message here rather than provoked.
        ('connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  password authentication '
         'failed for user "bot"', "(authentication failed: check the user and password)"),
        ('connection to server at "db" (10.0.0.5), port 5432 failed: fe_sendauth: no password supplied',
         "(authentication failed: the URL has no password)"),
        ('could not translate host name "dbx" to address: Name or service not known', "(unknown host name)"),
        ("something else entirely", ""),
    ])
    def test_the_reason_is_read_from_libpq_in_our_words(self, libpq: str, said: str) -> None:
        from bot.state.postgres import why  # noqa: PLC0415 - psycopg only where it is used

        assert why(Exception(libpq)) == (f" {said}" if said else "")
