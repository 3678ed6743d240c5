"""Every malformed configuration file tried stops the command with exit 2 and a one-line reason (issue 8).

Each of the shipped files in turn is emptied, truncated, filled with binary bytes, broken as TOML,
given a wrong type, a negative number, a duplicated key, replaced by a directory or removed; the
command then exits 2 and prints exactly one line on stderr naming the file (README "Configuration").
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.support.paths import CONFIG_DIR as CONFIG
from tests.support.paths import MAIL_FIXTURES

FILES = ("customers.toml", "service.toml", "monitoring.toml", "categories.toml", "estimates.toml",
         "scope.toml")


STRING_VALUE = r'^(\s*[A-Za-z_]+\s*=\s*)"[^"\n]*"'
NUMBER_VALUE = r"^(\s*[A-Za-z_]+\s*=\s*)\d+(\.\d+)?\s*$"


def _first(pattern: str, repl: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, repl, text, count=1, flags=re.MULTILINE)


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "binary bytes": lambda p: p.write_bytes(b"\xff\xfe\x00\x81\x9f garbage \x00"),
    "broken TOML": lambda p: p.write_text(p.read_text(encoding="utf-8") + "\n[[oops\n", encoding="utf-8"),
    "truncated mid-table": lambda p: p.write_text(p.read_text(encoding="utf-8")[: len(p.read_text()) // 2]
                                                  + "\n[x\n", encoding="utf-8"),
    "a number where text is expected": lambda p: p.write_text(
        _first(STRING_VALUE, r"\g<1>12345")(p.read_text(encoding="utf-8")),
        encoding="utf-8"),
    "text where a number is expected": lambda p: p.write_text(
        _first(NUMBER_VALUE, r'\g<1>"many"')(p.read_text(encoding="utf-8")),
        encoding="utf-8"),
    "a duplicated key": lambda p: p.write_text(
        _first(r"^(\s*[A-Za-z_]+\s*=.*)$", r"\g<1>\n\g<1>")(p.read_text(encoding="utf-8")), encoding="utf-8"),
    "a directory instead": lambda p: (p.unlink(), p.mkdir()),
    "missing": lambda p: p.unlink(),
}
NEEDS = {"a number where text is expected": STRING_VALUE, "text where a number is expected": NUMBER_VALUE}
# A mutation applies to a file only where its pattern occurs (not every file has a numeric value).
CASES = [(f, m) for f in FILES for m in MUTATIONS
         if m not in NEEDS or re.search(NEEDS[m], (CONFIG / f).read_text(encoding="utf-8"), re.MULTILINE)]


def command_for(name: str, tmp: Path) -> list[str]:
    if name == "monitoring.toml":
        eml = tmp / "mail.eml"
        shutil.copy(MAIL_FIXTURES / "kintone_utf8_base64.eml", eml)
        return ["parse-mail", str(eml)]
    return ["quote", "--customer", "ACME", "--hours", "1", "--at", "2026-11-26T10:00+09:00"]


class TestMalformedConfiguration:
    @pytest.mark.parametrize(("name", "mutation"), CASES, ids=[f"{f} {m}" for f, m in CASES])
    def test_exit_2_with_one_line_naming_the_file(
        self, name: str, mutation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        config = tmp_path / "config"
        shutil.copytree(CONFIG, config)
        before = (config / name).read_bytes()
        MUTATIONS[mutation](config / name)
        target = config / name
        assert not target.is_file() or target.read_bytes() != before, "the mutation changed the file"
        monkeypatch.setenv("BOT_CONFIG_DIR", str(config))
        monkeypatch.setenv("BOT_STATE_PATH", str(tmp_path / "state.db"))
        monkeypatch.chdir(tmp_path)
        code = main(command_for(name, tmp_path))
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2, err
        assert len(lines) == 1, err
        assert name in lines[0]
