"""What every customer template writes, walked for machine syntax and for the glossary (issue 20).

The writer adds the one reference line; the templates' own words must carry none of: a bot reference,
key=value data, a hash, a staff login, a rule ID. And one term per thing (config/templates/README.md):
消化 not 消費, 当四半期 not 今四半期, お見送り not 却下; every customer text greets and closes.
"""

from __future__ import annotations

import re

import pytest

from bot.backlog.refs import FORMS, shown, with_reference
from bot.backlog.text import render
from bot.config.loader import BotConfig
from bot.wording.samples import Sample
from tests.wording.conftest import every_sample

MACHINE = {
    "a bot reference": re.compile(r"hoshu-bot:"),
    "key=value data": re.compile(r"\b[a-z]{1,8}=[\w.%-]+"),
    "a hash": re.compile(r"\b[0-9a-f]{16,}\b"),
    "a rule ID": re.compile(r"(?<![A-Za-z0-9])[HTCEORMP]\d{1,2}(?![0-9])"),
}
AVOIDED = ("消費", "今四半期", "却下", "一次回答", "土日祝・休業日", "SLA")


def _customer_texts(config: BotConfig) -> list[tuple[str, str]]:
    out = []
    for s in every_sample(config):
        if not s.template.startswith("customer/"):
            continue
        built = s.build(config.voice("ACME"))
        for rule in ("markdown", "backlog"):
            text = built if isinstance(built, str) else render(built, rule)  # type: ignore[arg-type]
            out.append((f"{s.template}[{s.label}]/{rule}", text))
    return out


def test_no_customer_text_carries_machine_syntax(config: BotConfig) -> None:
    staff = set(config.service.staff.users) | {config.service.staff.bot_user}
    found = []
    for name, text in _customer_texts(config):
        for what, pattern in MACHINE.items():
            if (m := pattern.search(text)) is not None:
                found.append(f"{name}: {what} ({m.group(0)})")
        found.extend(f"{name}: a staff login ({u})" for u in staff if re.search(rf"\b{u}\b", text))
    assert found == []


def test_no_document_number_carries_machine_syntax() -> None:
    """The one line the writer adds to a customer text (issue 20 item 2): every kind's document number,
    with long ids, passes the same checks as the templates' words."""
    samples = {"k": "ACME-12345", "p": "ACME", "n": "12", "c": "987654321", "t": "80", "d": "2026-10-01",
               "m": "2026-11"}
    for form in FORMS:
        ref = "hoshu-bot:" + form.machine.format(**samples)
        line = with_reference("本文", ref).splitlines()[-1]
        assert line == shown(ref)
        assert [what for what, pattern in MACHINE.items() if pattern.search(line)] == [], line


@pytest.mark.parametrize("word", AVOIDED)
def test_one_term_per_thing(config: BotConfig, word: str) -> None:
    users = [name for name, text in _customer_texts(config) if word in text]
    assert users == [], f"「{word}」 in {users}"


def _comment_like(s: Sample) -> bool:
    # Titles are one line; the report is a wiki page with its own heading; the alert summary and the
    # notice issue are short follow-ups on an issue that already greeted.
    return not s.template.endswith("_title") and s.template not in (
        "customer/report", "customer/alert_summary", "customer/notice_issue")


def test_every_customer_comment_greets_the_company_and_closes(config: BotConfig) -> None:
    missing = []
    for s in every_sample(config):
        if not s.template.startswith("customer/") or not _comment_like(s):
            continue
        built = s.build(config.voice("ACME"))
        text = built if isinstance(built, str) else render(built, "markdown")  # type: ignore[arg-type]
        paragraphs = text.split("\n\n")
        if paragraphs[0] != "株式会社アクメ ご担当者様" or paragraphs[-2:] != [
                "今後ともよろしくお願いいたします。", "保守サポート窓口"]:
            missing.append(f"{s.template}[{s.label}]")
    assert missing == []
