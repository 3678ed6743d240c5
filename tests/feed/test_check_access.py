"""``check`` verifies the bot user can act (issue 18 item 7) and names configured users it cannot resolve
(item 4): the real command against the emulator, one line per project."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import BacklogEmulator, default_seed, new_plan_seed
from tests.e2e.rig import bot_env, cli
from tests.feed.support import config_copy, replace_line

PROJECTS = ("ACME", "BETA", "HOSHU")


def check(emu: BacklogEmulator, tmp_path: Path, config: Path | None = None) -> dict[str, dict[str, Any]]:
    """``check --json`` -> {check name: {"ok", "detail"}}; the run has no traceback."""
    env = bot_env(emu, tmp_path / "state.db")
    if config is not None:
        env["BOT_CONFIG_DIR"] = str(config)
    done = cli(env, "check", "--json", cwd=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def seed_with_bot_role(role: int, base: dict[str, Any] | None = None) -> dict[str, Any]:
    seed = base or default_seed()
    next(u for u in seed["users"] if u["userId"] == "hoshu-bot")["roleType"] = role
    return seed


@pytest.fixture
def emu(request: pytest.FixtureRequest) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(getattr(request, "param", None)) as e:
        yield e


class TestBotAccess:
    def test_a_normal_user_member_of_every_project_passes(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        found = check(emu, tmp_path)
        for key in PROJECTS:
            line = found[f"bot access {key}"]
            assert line["ok"], line
            assert "role 2 (normal user (classic plan) / member or guest (new plan))" in line["detail"]
            assert found[f"project {key}"]["ok"], found[f"project {key}"]

    @pytest.mark.parametrize("emu", [seed_with_bot_role(3)], indirect=True)
    def test_a_reporter_fails_once_per_project(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        found = check(emu, tmp_path)
        for key in PROJECTS:
            line = found[f"bot access {key}"]
            assert not line["ok"]
            assert "role 3 (reporter (classic plan) / add issues only (new plan)) may not update issues" in (
                line["detail"])

    @pytest.mark.parametrize("emu", [seed_with_bot_role(7)], indirect=True)
    def test_an_unknown_role_is_said_to_be_unknown(self, emu: BacklogEmulator, tmp_path: Path) -> None:
        found = check(emu, tmp_path)
        for key in PROJECTS:
            assert not found[f"bot access {key}"]["ok"]
            detail = found[f"bot access {key}"]["detail"]
            assert "unknown role 7: cannot tell whether it may update issues" in detail

    def test_a_project_the_bot_is_not_a_member_of_fails_by_name(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        with emu.state.lock:
            emu.state.project("BETA").member_ids.remove(emu.state.bot_user_id)
        found = check(emu, tmp_path)
        assert found["bot access ACME"]["ok"] and found["bot access HOSHU"]["ok"]
        assert not found["bot access BETA"]["ok"]
        assert "hoshu-bot (id:1000) is not a member of project BETA" in found["bot access BETA"]["detail"]


class TestConfiguredUsers:
    @pytest.mark.parametrize("emu", [new_plan_seed()], indirect=True)
    def test_logins_on_a_new_plan_space_are_named_with_file_and_entry(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        found = check(emu, tmp_path)
        assert found["backlog key"]["detail"] == "authenticated as id:1000"
        hoshu = found["project HOSHU"]
        assert not hoshu["ok"]
        assert "service.toml: staff.users[0]: 'sato' is not a user of project HOSHU" in hoshu["detail"]
        assert "customers.toml: customer[0].inquirers[0]: 'yamada' is not a user of project ACME" in (
            found["project ACME"]["detail"])
        assert all(found[f"bot access {key}"]["ok"] for key in PROJECTS)  # membership is by numeric id

    @pytest.mark.parametrize("emu", [new_plan_seed()], indirect=True)
    def test_mail_addresses_and_ids_resolve_on_a_new_plan_space(
        self, emu: BacklogEmulator, tmp_path: Path
    ) -> None:
        def edit(name: str, text: str) -> str:
            if name == "service.toml":
                text = replace_line(text, r"users = \[", 'users = ["sato@hoshu.example.jp", "id:1002"]')
                text = replace_line(text, r"bot_user = ", 'bot_user = "id:1000"')
            if name == "customers.toml":
                text = replace_line(text, r'inquirers = \["yamada', 'inquirers = ["YAMADA@acme.example.jp"]')
                text = replace_line(text, r'inquirers = \["tanaka"\]', 'inquirers = ["id:1005"]')
            return text

        found = check(emu, tmp_path, config_copy(tmp_path, edit))
        for key in PROJECTS:
            assert found[f"project {key}"]["ok"], found[f"project {key}"]


def test_a_malformed_id_entry_is_a_configuration_error(tmp_path: Path) -> None:
    """``id:`` followed by anything but digits is refused when the file is read (exit 2, one line)."""
    config = config_copy(tmp_path, lambda _name, text: text.replace('["tanaka"]', '["id:tanaka"]'))
    with BacklogEmulator.start() as emu:
        env = {**bot_env(emu, tmp_path / "state.db"), "BOT_CONFIG_DIR": str(config)}
        done = cli(env, "check", cwd=tmp_path)
    assert done.returncode == 2
    assert "customers.toml" in done.stderr and "inquirers" in done.stderr and "'id:tanaka'" in done.stderr
    assert "Traceback" not in done.stderr
