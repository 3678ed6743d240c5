"""Configuration checked across files (issue 19 item 4), through the CLI: a ``[[customer_rule]]`` for a
customer that does not exist, a ``[[sender]]`` for an adapter that does not exist, a key no model reads
(with a "did you mean" when one is close), a customer template that renders no human text: each is exit 2
and one line naming the file and the field or the template. ``staff_project`` in monitoring.toml is read
by nothing (the staff project is named once, in service.toml): still loadable, with one warning line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from tests.e2e.rig import bot_env, cli, emulator_clock
from tests.operator.test_cli_polish import bot_env_free
from tests.operator.test_mailbox_needed import without_monitoring
from tests.support.paths import CONFIG_DIR, MAIL_FIXTURES


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A copy of the shipped configuration, templates included, to break one thing in."""
    out = without_monitoring(tmp_path)
    (out / "templates" / "customer").mkdir(parents=True)
    return out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(config: Path, tmp_path: Path) -> tuple[int, str, str]:
    env = {**bot_env_free(tmp_path), "BOT_CONFIG_DIR": str(config), "BOT_STATE_PATH": str(tmp_path / "s.db")}
    done = cli(env, "check", cwd=tmp_path)
    return done.returncode, done.stdout, done.stderr


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


class TestReferences:
    def test_a_customer_rule_for_an_unknown_customer(self, config: Path, tmp_path: Path) -> None:
        (config / "monitoring.toml").write_text(
            (CONFIG_DIR / "monitoring.toml").read_text(encoding="utf-8")
            + '\n[[customer_rule]]\ncustomer = "ACMEE"\nadapter = "esm"\n[[customer_rule.rule]]\n'
              'senders = ["x@acme.example.jp"]\nextract = [\'\'\'code: (?P<code>\\d+)\'\'\']\n',
            encoding="utf-8")
        n = len(tomllib.loads((CONFIG_DIR / "monitoring.toml").read_text(encoding="utf-8"))["customer_rule"])
        code, out, err = check(config, tmp_path)
        assert (code, out) == (2, "")
        assert one_line(err) == (
            f"hoshu-bot: {config / 'monitoring.toml'}: customer_rule[{n}].customer: no customer in "
            "customers.toml has the project key 'ACMEE'; did you mean 'ACME'?")

    def test_a_sender_for_an_unknown_adapter(self, config: Path, tmp_path: Path) -> None:
        edit(config / "monitoring.toml", 'adapter = "esm"', 'adapter = "esmm"')
        code, _, err = check(config, tmp_path)
        line = one_line(err)
        assert code == 2
        assert f"{config / 'monitoring.toml'}: sender[0].adapter: no adapter is named 'esmm'" in line
        assert line.endswith("did you mean 'esm'?")

    def test_every_command_that_reads_monitoring_checks_them(self, config: Path, tmp_path: Path) -> None:
        """parse-mail reads monitoring.toml with the customers: the same line, the same exit."""
        edit(config / "monitoring.toml", 'adapter = "esm"', 'adapter = "esmm"')
        env = {**bot_env_free(tmp_path), "BOT_CONFIG_DIR": str(config)}
        done = cli(env, "parse-mail", str(MAIL_FIXTURES / "dsc_customer_template.eml"), cwd=tmp_path)
        assert done.returncode == 2
        assert "sender[0].adapter: no adapter is named 'esmm'" in one_line(done.stderr)


class TestUnknownKeys:
    @pytest.mark.parametrize(("file", "old", "new", "expected"), [
        ("customers.toml", "monitoring = false", "montoring = false",
         "customer[0].montoring: unknown key 'montoring'; did you mean 'monitoring'?"),
        ("service.toml", "refuse_days = 7", "refuse_day = 7",
         "lead_times.refuse_day: unknown key 'refuse_day'; did you mean 'refuse_days'?"),
        ("monitoring.toml", "[grouping]\n", "[grouping]\ncomment_intervall_minutes = 5\n",
         "grouping.comment_intervall_minutes: unknown key 'comment_intervall_minutes'; "
         "did you mean 'comment_interval_minutes'?"),
        ("estimates.toml", "[[kind]]\n", "[[kind]]\nzzz = 1\n",
         "kind[0].zzz: unknown key 'zzz' (known here: id, label, minimum)"),
    ], ids=["customers", "service", "monitoring", "nothing-close"])
    def test_names_file_field_and_the_close_key(self, config: Path, tmp_path: Path, file: str, old: str,
                                                new: str, expected: str) -> None:
        edit(config / file, old, new)
        code, _, err = check(config, tmp_path)
        assert code == 2
        assert one_line(err) == f"hoshu-bot: {config / file}: {expected}"


class TestTemplatesSayHumanText:
    @pytest.mark.parametrize("body", ["", "\n\n  \n", "hoshu-bot:ack:ACME-1\n", "----\n**\n"],
                             ids=["empty", "blank-lines", "reference-only", "markup-only"])
    def test_a_customer_template_without_words_is_a_configuration_error(self, config: Path, tmp_path: Path,
                                                                        body: str) -> None:
        (config / "templates" / "customer" / "ack.j2").write_text(body, encoding="utf-8")
        code, out, err = check(config, tmp_path)
        assert (code, out) == (2, "")
        line = one_line(err)
        assert f"{config / 'templates' / 'customer' / 'ack.j2'}: template customer/ack: " in line
        assert "renders no text a person can read" in line


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


class TestStaffProjectNamedOnce:
    def test_check_warns_in_one_line_and_still_passes(self, emu: BacklogEmulator, config: Path,
                                                      tmp_path: Path) -> None:
        edit(config / "monitoring.toml", "[grouping]\n", 'staff_project = "HOSHU"\n\n[grouping]\n')
        env = bot_env(emu, tmp_path / "state.db", BOT_CONFIG_DIR=str(config))
        done = cli(env, "check", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        warned = [x for x in done.stdout.splitlines() if x.startswith("WARN")]
        assert warned == [
            f"WARN   deprecated setting: {config / 'monitoring.toml'}: staff_project is no longer read "
            '(deprecated): the staff project is service.toml [staff] project = "HOSHU"; remove the line']
        assert "staff_project" not in done.stderr  # said once, among the results

    def test_another_value_is_said_to_be_ignored_at_load(self, config: Path, tmp_path: Path) -> None:
        edit(config / "monitoring.toml", "[grouping]\n", 'staff_project = "OTHER"\n\n[grouping]\n')
        env = {**bot_env_free(tmp_path), "BOT_CONFIG_DIR": str(config)}
        done = cli(env, "parse-mail", str(MAIL_FIXTURES / "dsc_customer_template.eml"), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (line,) = [x for x in done.stderr.splitlines() if "staff_project" in x]
        assert re.search(r'staff_project = "OTHER" is ignored: the staff project is service.toml \[staff\] '
                         r'project = "HOSHU"; remove the line$', line)

    def test_the_shipped_file_no_longer_names_it(self) -> None:
        assert "staff_project" not in (CONFIG_DIR / "monitoring.toml").read_text(encoding="utf-8")
