"""Every template, for every project, in both notations: what a customer or staff member can read
(issue 15 "Must hold"): one reference line, no rule ID for customers, no 4-byte character, Backlog's
limits, and every value escaped so that a hostile customer name breaks nothing."""

from __future__ import annotations

import re

import pytest

from bot.backlog.refs import is_reference, with_reference
from bot.backlog.text import COMMENT_MAX, DESCRIPTION_MAX, SUMMARY_MAX, Doc, fit, render
from bot.config.loader import BotConfig
from bot.wording import NOTATIONS
from bot.wording.check import RULE_ID, text_problem
from bot.wording.samples import HOSTILE, Sample
from tests.hostile.checks import outside_code
from tests.wording.conftest import every_sample

REF = "hoshu-bot:ack:ACME-5"
SHOWN = "受付番号：ACME-5"
_MD_PIPE = re.compile(r"(?<!\\)\|")  # a cell border: a pipe not escaped by a backslash


def _built(config: BotConfig, sample: Sample, project: str, name: str) -> Doc | str:
    return sample.build(config.wording.voice(project, name))


def _structure(text: str, rule: str) -> list[str]:
    """The shape a renderer sees: per line, what kind of block it opens (and a table row's cell count)."""
    shape = []
    for line in text.splitlines():
        if rule == "markdown":
            if re.match(r"#{1,6} ", line):
                shape.append("heading")
            elif line.startswith("|"):
                shape.append(f"row{len(_MD_PIPE.findall(line))}")
            elif re.match(r"[-+*] ", line):
                shape.append("bullet")
            elif line.startswith("```"):
                shape.append("fence")
            elif line.strip():
                shape.append("text")
        elif re.match(r"\*{1,6} ", line):
            shape.append("heading")
        elif line.startswith("|"):
            shape.append(f"row{line.count('|')}")
        elif line.startswith("- "):
            shape.append("bullet")
        elif line.startswith("{code}") or line.startswith("{/code}"):
            shape.append("fence")
        elif line.strip():
            shape.append("text")
    return shape


def _cases(config: BotConfig) -> list[tuple[str, str, str]]:
    return [(c.project, c.name, s.template + (f":{s.label}" if s.label else ""))
            for c in config.customers for s in every_sample(config)]


class TestEveryTemplateForEveryProject:
    @pytest.mark.parametrize("rule", NOTATIONS)
    def test_one_reference_no_rule_id_no_4byte_and_within_limits(self, shipped: BotConfig, rule: str) -> None:
        """As written by the writer (reference appended, fitted), for every customer of the shipped config."""
        checked = 0
        for c in shipped.customers:
            for sample in every_sample(shipped):
                built = _built(shipped, sample, c.project, c.name)
                text = render(built, rule) if isinstance(built, Doc) else built  # type: ignore[arg-type]
                assert text_problem(sample.template, text) is None, (c.project, sample.template)
                if isinstance(built, str):
                    assert len(built) <= SUMMARY_MAX and "\n" not in built
                    assert "hoshu-bot:" not in built
                    continue
                written = fit(with_reference(text, REF), min(COMMENT_MAX, DESCRIPTION_MAX))
                assert written == with_reference(text, REF)  # nothing had to be cut
                # issue 20 item 2: one reference, the document number, and no machine line at all
                assert [line for line in written.splitlines() if is_reference(line)] == [SHOWN]
                assert "hoshu-bot:" not in written, (c.project, sample.template)
                assert all(ord(ch) <= 0xFFFF for ch in written)
                if sample.template.startswith("customer/"):
                    assert RULE_ID.search(written.removesuffix(SHOWN)) is None, (sample.template, written)
                checked += 1
        assert checked >= 2 * 30

    @pytest.mark.parametrize("rule", NOTATIONS)
    def test_a_hostile_customer_name_and_values_change_no_structure(
        self, shipped: BotConfig, rule: str
    ) -> None:
        """``|``, ``*``, ``[[``, ``@``, a backtick, ``<@U1>`` and ``#`` in every free value: the same
        headings, table rows (same cell count), bullets and fences as with plain values."""
        plain = every_sample(shipped)
        hostile = every_sample(shipped, hostile=True)
        for a, b in zip(plain, hostile, strict=True):
            assert (a.template, a.label) == (b.template, b.label)
            x = _built(shipped, a, "ACME", "株式会社アクメ")
            y = _built(shipped, b, "ACME", f"株式会社{HOSTILE}")
            if isinstance(x, str):
                assert isinstance(y, str) and "\n" not in y
                continue
            tx, ty = render(x, rule), render(y, rule)  # type: ignore[arg-type, arg-type]
            assert _structure(tx, rule) == _structure(ty, rule), (a.template, a.label, ty)
            assert "<@U1>" not in ty  # mentions neutralised
            # Outside code blocks (inside them nothing is live: tests/hostile/checks.py).
            live = outside_code(ty, rule)
            assert "[[x]]" not in live or (rule == "markdown" and "\\[\\[x\\]\\]" in live)

    def test_every_project_reads_its_own_name(self, shipped: BotConfig) -> None:
        """The greeting of the out-of-scope reply names the customer whose project it is, never another."""
        sample = next(s for s in every_sample(shipped) if s.template == "customer/out_of_scope")
        for c in shipped.customers:
            text = render(_built(shipped, sample, c.project, c.name), "backlog")  # type: ignore[arg-type]
            assert text.startswith(f"{c.name} ご担当者様")
            assert all(o.name not in text for o in shipped.customers if o.project != c.project)
