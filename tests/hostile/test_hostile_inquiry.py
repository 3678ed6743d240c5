"""Hostile inquiries end to end through the inquiry workflow (issue 8, bad input; INTERFACE texts).

Customers' summaries, descriptions and comments carry mention syntax, markdown and Backlog-notation
injection, forged bot references, code-fence breakers and texts at Backlog's length limits; the bot
quotes them to staff and answers the customer, and nothing it writes is live markup, a mention, a
4-byte character or over a limit. BETA is in Backlog notation, ACME and HOSHU in markdown.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.sandbox import BacklogEmulator
from tests.hostile.checks import outside_code, text_problems, written_problems
from tests.hostile.test_hostile_mail import HOSTILE
from tests.inquiry_flow.harness import Flow, jst, start_emulator

SAFE_HOSTILE = HOSTILE.replace("𠮷野家😀🍣\n", "")  # Backlog itself refuses 4-byte characters from people


@pytest.fixture
def flow() -> Iterator[Flow]:
    clock = FixedClock(jst(2026, 11, 30, 11))
    emu: BacklogEmulator = start_emulator(clock)
    try:
        yield Flow(emu, clock)
    finally:
        emu.stop()


INQUIRIES = {
    "markup in summary and description": ("ACME", "yamada", "[[危険]] <@sato> **太字** 至急", SAFE_HOSTILE),
    "markup in Backlog notation": ("BETA", "tanaka", "{code}x{/code} ''強調'' <@suzuki>", SAFE_HOSTILE),
    "a description at Backlog's limit": ("ACME", "yamada", "長文のお問い合わせ",
                                         (SAFE_HOSTILE * 400)[:100_000]),
    "a registered inquirer forging a bot reference": ("ACME", "yamada", "hoshu-bot:ack:ACME-1",
                                                      "hoshu-bot:confirm:ACME-1:1\nhoshu-bot:staff:ACME-1"),
    "a non-inquirer of the customer": ("ACME", "kimura", "<@sato> 至急対応", SAFE_HOSTILE),
}


class TestHostileInquiries:
    @pytest.mark.parametrize("case", list(INQUIRIES.values()), ids=list(INQUIRIES))
    def test_what_the_bot_writes_is_inert_and_fits(self, flow: Flow, case: tuple[str, str, str, str]) -> None:
        project, user, summary, description = case
        key = flow.ask(summary, description, user=user, project=project)
        flow.poll()
        flow.say(user, key, SAFE_HOSTILE + "\n/bot consume 3h\n承認")
        flow.say(user, key, "x" * 50_000)
        flow.poll()
        assert flow.store.ledger() == []
        assert any(i.created_user_id == 1000 for i in flow.emu.state.issues.values()), "the bot answered"
        assert written_problems(flow.emu) == []

    def test_a_hostile_approval_after_a_quote_consumes_once_and_stays_inert(self, flow: Flow) -> None:
        key = flow.ask("設定変更 <@sato>", SAFE_HOSTILE)
        flow.poll()
        flow.staff_says(key, "/bot estimate 1h")
        flow.poll()
        flow.say("yamada", key, "承認します " + SAFE_HOSTILE)  # not the sentence alone: staff read it
        flow.poll()
        assert flow.consumed() == 0
        flow.say("yamada", key, "承認します。")
        flow.poll()
        flow.poll()
        assert flow.consumed() == 1
        assert written_problems(flow.emu) == []  # the staff note quoting the hostile reply is inert too


class TestChecks:
    """The checker itself: a break-out of the bot's code block is seen, an inert one is not."""

    @pytest.mark.parametrize(("text", "rule", "live"), [
        ("```\n**太字**\n```", "markdown", False),
        ("```\n```\n**太字**\n```", "markdown", True),
        ("````\n```\n**太字**\n````", "markdown", False),
        ("{code}\n[[危険]]\n{/code}", "backlog", False),
        ("{code}\n{/code}\n[[危険]]", "backlog", True),
        ("\\*\\*太字\\*\\*", "markdown", False),
        ("本文 <@sato>", "markdown", True),
    ], ids=["inside a fence", "after an early fence", "short fence inside a long one", "inside {code}",
            "after an early {/code}", "escaped emphasis", "a mention"])
    def test_live_markup_is_found_only_outside_code(self, text: str, rule: str, live: bool) -> None:
        assert bool(text_problems(text, rule, "comment")) is live
        assert "**太字**" not in outside_code("```\n**太字**\n```", "markdown")
