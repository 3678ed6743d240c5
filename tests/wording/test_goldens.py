"""Golden files of every template in both notations (issue 15), reviewed in the diff.

Regenerate after changing a template or its values, then read the diff before committing::

    UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/wording/test_goldens.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.backlog.text import Doc, render
from bot.config.loader import BotConfig, load_config
from bot.wording import NOTATIONS, Wording
from bot.wording.samples import Sample
from tests.support.paths import CONFIG_DIR
from tests.wording.conftest import every_sample

GOLDEN = Path(__file__).parent / "golden"
_CONFIG = load_config(CONFIG_DIR)
SAMPLES = every_sample(_CONFIG)


def golden_name(sample: Sample, rule: str) -> str:
    label = f".{sample.label}" if sample.label else ""
    return f"{sample.template.replace('/', '.')}{label}.{rule}.txt"


def _cases() -> list[tuple[Sample, str]]:
    out: list[tuple[Sample, str]] = []
    voice = _CONFIG.wording.voice("ACME", "株式会社アクメ")
    for s in SAMPLES:
        is_line = isinstance(s.build(voice), str)  # a title or a staff command's one-line result
        out += [(s, "plain")] if is_line else [(s, r) for r in NOTATIONS]
    return out


def _text(sample: Sample, rule: str) -> str:
    built = sample.build(Wording.load(CONFIG_DIR).voice("ACME", "株式会社アクメ"))
    return render(built, rule) if isinstance(built, Doc) else built  # type: ignore[arg-type]


@pytest.mark.parametrize(("sample", "rule"), _cases(), ids=[golden_name(s, r) for s, r in _cases()])
def test_every_template_renders_exactly_its_golden_file(sample: Sample, rule: str) -> None:
    """Each sample of each template, byte for byte as reviewed (``UPDATE_GOLDEN=1`` rewrites them)."""
    text = _text(sample, rule) + "\n"
    path = GOLDEN / golden_name(sample, rule)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text


def test_every_template_has_a_golden_file_and_no_golden_file_is_stale(shipped: BotConfig) -> None:
    """Every shipped template has at least one sample, and every golden file belongs to a sample."""
    assert {s.template for s in SAMPLES} == set(shipped.wording.names())
    expected = {golden_name(s, r) for s, r in _cases()}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected
