"""The store belongs to one space (issue 19 item 1): the first start records the space key, the bot
user's id and the projects' ids; a start against another space, or after a project was re-created under
the same key, exits 2 naming both and how to start a fresh store; the same space starts as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.space import BOT_USER, PROJECTS, SPACE
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import bot_env, cli, emulator_clock


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


def meta(state: Path, key: str) -> str | None:
    store = StateStore.open(state, dry_run=True)
    try:
        return store.get_meta(key)
    finally:
        store.close()


def recreate(emu: BacklogEmulator, key: str) -> int:
    """Project ``key`` deleted and made again: same key, a new id."""
    s = emu.state
    with s.lock:
        old = s.projects.pop(s._project_keys[key])
        new = dataclasses.replace(old, id=max(s.projects) + 100)
        s.add_project(new)
    return new.id


class TestOneSpace:
    def test_the_first_start_records_the_space_and_the_same_space_starts_again(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state)
        assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
        assert meta(state, SPACE) == emu.state.space.space_key
        assert meta(state, BOT_USER) == str(emu.state.bot_user_id)
        assert '"ACME": ' in (meta(state, PROJECTS) or "")
        again = cli(env, "run", "--once", cwd=tmp_path)
        assert again.returncode == 0, again.stderr

    def test_another_space_is_exit_2_naming_both_and_a_fresh_store(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        assert cli(bot_env(emu, state), "run", "--once", cwd=tmp_path).returncode == 0
        with BacklogEmulator.start(clock=emulator_clock()) as other:
            other.state.space = dataclasses.replace(other.state.space, space_key="production")
            done = cli(bot_env(other, state), "run", "--once", cwd=tmp_path)
            writes = [r for r in other.requests if r.method != "GET"]
        assert done.returncode == 2
        line = done.stderr.strip().splitlines()[-1]
        assert line.startswith(f"hoshu-bot: state store sqlite {state} belongs to Backlog space "
                               f"{emu.state.space.space_key}, but BACKLOG_BASE_URL and BACKLOG_API_KEY "
                               "reach space production; to start there, point BOT_STATE_PATH (or "
                               "DATABASE_URL) at a new store")
        assert writes == []

    def test_a_project_re_created_under_the_same_key_is_exit_2(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        state = tmp_path / "state.db"
        env = bot_env(emu, state)
        assert cli(env, "run", "--once", cwd=tmp_path).returncode == 0
        old = emu.state._project_keys["ACME"]
        new = recreate(emu, "ACME")
        done = cli(env, "run", "--once", cwd=tmp_path)
        assert done.returncode == 2
        line = done.stderr.strip().splitlines()[-1]
        assert f"project ACME (id {old} in the store, {new} now)" in line
        assert "was re-created" in line and "BOT_STATE_PATH" in line
