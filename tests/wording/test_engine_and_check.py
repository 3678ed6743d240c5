"""The wording engine and its check (issue 15): strict variables, escaping of every value, customer
overrides, one edit changing one text, and a broken template stopping ``check`` and ``run``."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.backlog.text import render
from bot.config.loader import BotConfig, load_config
from bot.errors import ConfigError
from bot.inquiry.texts import Hours, acknowledgement
from bot.sandbox import BacklogEmulator
from bot.wording import TemplateProblem, Wording
from bot.wording.check import check_config
from tests.e2e.rig import bot_env, cli, emulator_clock
from tests.support.paths import CONFIG_DIR
from tests.wording.conftest import every_sample

AT = datetime.fromisoformat("2026-11-30T11:00:00+09:00")


def _copy_config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    return target


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _hours() -> Hours:
    return Hours(Decimal("2.5"), Decimal("3.5"), AT.date().replace(month=10, day=1),
                 AT.date().replace(day=31, month=12), Decimal(0))


class TestEngine:
    def test_an_unknown_variable_is_an_error_never_an_empty_string(self, tmp_path: Path) -> None:
        _write(tmp_path / "templates" / "customer" / "x.j2", "こんにちは {{ nobody }}")
        wording = Wording.load(tmp_path)
        with pytest.raises(TemplateProblem) as caught:
            wording.render("customer/x", "markdown", None, {})
        assert "nobody" in caught.value.problem
        assert caught.value.template == "customer/x"
        assert caught.value.file.endswith("customer/x.j2:1")

    @pytest.mark.parametrize(("rule", "expected"), [
        ("markdown", "名前: A\\|B \\*C\\* \\[\\[D\\]\\] ＜@U1\\> \\`E\\`"),
        ("backlog", "名前: A｜B *C* ［［D］］ ＜@U1> `E`"),
    ])
    def test_every_value_is_escaped_for_the_notation(self, tmp_path: Path, rule: str, expected: str) -> None:
        """The finalize hook: no value can open a table cell, emphasis, a link, a mention or code."""
        _write(tmp_path / "templates" / "customer" / "x.j2", "名前: {{ name }}")
        text = Wording.load(tmp_path).render("customer/x", rule, None,  # type: ignore[arg-type]
                                             {"name": "A|B *C* [[D]] <@U1> `E`"})
        assert text == expected

    def test_a_value_cannot_forge_a_reference_line(self, tmp_path: Path) -> None:
        _write(tmp_path / "templates" / "customer" / "x.j2", "{{ v }}")
        text = Wording.load(tmp_path).render("customer/x", "backlog", None, {"v": "hoshu-bot:ack:ACME-1"})
        assert "hoshu-bot:" not in text

    def test_structure_helpers_render_both_notations(self, tmp_path: Path) -> None:
        _write(tmp_path / "templates" / "customer" / "x.j2",
               '{{ heading(2, "見出し") }}\n\n{{ table(["a", "b"], [("1|2", "3")]) }}\n\n'
               '{{ bullets(["x"]) }}')
        w = Wording.load(tmp_path)
        assert w.render("customer/x", "markdown", None, {}) == (
            "## 見出し\n\n| a | b |\n| --- | --- |\n| 1\\|2 | 3 |\n\n- x")
        assert w.render("customer/x", "backlog", None, {}) == "** 見出し\n\n|a|b|h\n|1｜2|3|\n\n- x"

    def test_a_customer_override_changes_only_that_customers_texts(self, tmp_path: Path) -> None:
        """A signature for ACME in templates/customers/ACME/_signature.j2; BETA keeps the default."""
        config_dir = _copy_config(tmp_path)
        _write(config_dir / "templates" / "customers" / "ACME" / "_signature.j2",
               "株式会社ベンダー 保守窓口 03-0000-0000")
        config = load_config(config_dir)
        acme = render(acknowledgement(config.voice("ACME"), deadline=AT, hours=_hours()), "markdown")
        beta = render(acknowledgement(config.voice("BETA"), deadline=AT, hours=_hours()), "markdown")
        assert acme.endswith("\n\n株式会社ベンダー 保守窓口 03-0000-0000")
        assert "保守窓口 03" not in beta
        # Only the signature differs (and the salutation, which names each customer).
        assert acme.split("\n\n")[1:-1] == beta.split("\n\n")[1:-1]
        assert check_config(config) > 0

    def test_editing_one_template_changes_that_text_and_nothing_else(self, tmp_path: Path) -> None:
        """The acknowledgement's opening line edited: only the acknowledgement differs, by that line."""
        config_dir = _copy_config(tmp_path)
        ack = config_dir / "templates" / "customer" / "ack.j2"
        edited = ack.read_text(encoding="utf-8").replace(
            "保守サポート窓口にて内容を受け付けました。", "保守サポート窓口にて確かに承りました。")
        ack.write_text(edited, encoding="utf-8")
        before, after = load_config(CONFIG_DIR), load_config(config_dir)
        changed = set()
        for s_before, s_after in zip(every_sample(before), every_sample(after), strict=True):
            for rule in ("markdown", "backlog"):
                a = s_before.build(before.voice("ACME"))
                b = s_after.build(after.voice("ACME"))
                ta = a if isinstance(a, str) else render(a, rule)  # type: ignore[arg-type]
                tb = b if isinstance(b, str) else render(b, rule)  # type: ignore[arg-type]
                if ta != tb:
                    changed.add(s_before.template)
                    assert ta.replace("保守サポート窓口にて内容を受け付けました。",
                                      "保守サポート窓口にて確かに承りました。") == tb
        assert changed == {"customer/ack"}


    def test_a_quotes_warnings_are_worded_by_the_template_not_by_the_code(self, tmp_path: Path) -> None:
        """T6 in the quote: the template words it from its figures; the code's staff wording never shows."""
        config_dir = _copy_config(tmp_path)
        quote_j2 = config_dir / "templates" / "customer" / "quote.j2"
        wording = quote_j2.read_text(encoding="utf-8")
        edited = wording.replace("7 日以内のご依頼はお受けできない場合がございます。",
                                 "7 日以内のため、お受けできない場合がございます。")
        quote_j2.write_text(edited, encoding="utf-8")
        soon = [s for s in every_sample(load_config(config_dir))
                if s.template == "customer/quote" and s.label == "due-soon"]
        assert len(soon) == 1
        built = soon[0].build(load_config(config_dir).voice("ACME"))
        text = built if isinstance(built, str) else render(built, "markdown")
        assert "- 完了ご希望日まで 3 日です。7 日以内のため、お受けできない場合がございます。" in text
        assert "完了希望日まで" not in text  # the reason hour_tracker writes for staff and the CLI


class TestCheck:
    def test_the_shipped_templates_pass(self, shipped: BotConfig) -> None:
        assert check_config(shipped) > len(every_sample(shipped))

    @pytest.mark.parametrize(("file", "text", "words"), [
        ("customer/ack.j2", "{{ deadlne|datetime }}",
         ("customer/ack.j2", "template customer/ack", "deadlne")),
        ("customer/quote.j2", "{{ quote.wrked }}", ("customer/quote.j2", "template customer/quote", "wrked")),
        ("_hours.j2", "{{ hours.lft }}", ("_hours.j2", "template customer/ack", "lft")),
        ("customer/ack.j2", "{% if %}", ("customer/ack.j2", "template customer/ack", "line 1")),
        ("customer/ack.j2", "（H6 による）", ("customer/ack.j2", "template customer/ack", "'H6'")),
        ("customer/ackk.j2", "x", ("customer/ackk.j2", "template customer/ackk", "no text")),
        ("customer/ack.j2", "よろしくお願いします\U0001F600",
         ("customer/ack.j2", "template customer/ack", "4-byte")),
        ("customer/ack.j2", "hoshu-bot:ack:X-1", ("customer/ack.j2", "template customer/ack", "hoshu-bot:")),
    ], ids=["unknown-variable", "unknown-attribute", "in-a-partial", "syntax", "rule-id", "unused", "emoji",
            "machine-line"])
    def test_a_broken_template_names_the_file_the_template_and_the_problem(
        self, tmp_path: Path, file: str, text: str, words: tuple[str, ...]
    ) -> None:
        config_dir = _copy_config(tmp_path)
        _write(config_dir / "templates" / file, text)
        with pytest.raises(ConfigError) as caught:
            check_config(load_config(config_dir))
        line = str(caught.value)
        assert "\n" not in line
        for w in words:
            assert w in line

    def test_an_override_for_no_customer_is_refused(self, tmp_path: Path) -> None:
        config_dir = _copy_config(tmp_path)
        _write(config_dir / "templates" / "customers" / "NOPE" / "_signature.j2", "x")
        with pytest.raises(ConfigError, match="NOPE"):
            check_config(load_config(config_dir))


class TestBrokenTemplateStopsCommands:
    @pytest.mark.parametrize("command", [("check",), ("run", "--once")])
    def test_exit_2_with_one_line_and_nothing_written(self, tmp_path: Path, command: tuple[str, ...]) -> None:
        config_dir = _copy_config(tmp_path)
        (config_dir / "templates" / "customer" / "ack.j2").write_text("{{ deadlne }}", encoding="utf-8")
        with BacklogEmulator.start(clock=emulator_clock()) as emu:
            emu.add_issue_as("yamada", "ACME", "ログインできません", "至急")
            before = len(emu.state.activities)
            env = bot_env(emu, tmp_path / "state.db", BOT_CONFIG_DIR=str(config_dir))
            done = cli(env, *command, cwd=tmp_path)
            assert done.returncode == 2, done.stderr
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            assert len(lines) == 1, done.stderr
            assert "customer/ack.j2" in lines[0] and "template customer/ack" in lines[0]
            assert "deadlne" in lines[0]
            assert len(emu.state.activities) == before  # nothing written to Backlog
        assert not (tmp_path / "state.db").exists()
