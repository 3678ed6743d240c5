"""Tests of `/bot` command parsing, validation (H6, H10) and staff authorisation."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from bot.inquiry.commands import (
    CommandError,
    Consume,
    Estimate,
    Help,
    Pause,
    Purchase,
    Reject,
    Resume,
    Schedule,
    Send,
    Unknown,
    authorise,
    is_command_line,
    parse_commands,
    parse_hours,
)

VALID = [
    ("/bot estimate 3h E6", Estimate(Decimal(3), "E6", "")),
    ("/bot estimate 3h e6 JavaScript 実装", Estimate(Decimal(3), "E6", "JavaScript 実装")),
    ("/bot estimate 1.5時間", Estimate(Decimal("1.5"), None, "")),
    ("/bot estimate 2 設定変更", Estimate(Decimal(2), None, "設定変更")),
    ("/bot estimate 0.5H", Estimate(Decimal("0.5"), None, "")),
    ("/bot estimate 3.0h", Estimate(Decimal(3), None, "")),
    ("/bot schedule 2026-12-05 10:00-13:00", Schedule(date(2026, 12, 5), time(10), time(13))),
    ("/bot schedule 2026/12/05 18:00 - 22:00", Schedule(date(2026, 12, 5), time(18), time(22))),
    ("/bot schedule 2026-12-05 22:00〜02:00", Schedule(date(2026, 12, 5), time(22), time(2))),
    ("/bot consume 0.5h 基本機能の回答", Consume(Decimal("0.5"), "基本機能の回答")),
    ("/bot consume 1h", Consume(Decimal(1), "")),
    ("/bot purchase 6h", Purchase(Decimal(6))),
    ("/bot send", Send()),
    ("/bot pause", Pause()),
    ("/bot resume", Resume()),
    ("/bot reject", Reject()),
    ("/bot help", Help()),
    ("/bot", Help()),
    ("/bot send お見積りを送ります", Send()),
    ("/bot frobnicate 3h", Unknown("frobnicate")),
    # NFKC: full-width slash, letters, digits and ideographic spaces, typed with an IME on.
    ("／ｂｏｔ　ｅｓｔｉｍａｔｅ　３ｈ　Ｅ６", Estimate(Decimal(3), "E6", "")),
    ("/Bot Send", Send()),
    ("/BOT PURCHASE ６h", Purchase(Decimal(6))),
    ("   /bot pause", Pause()),
    ("/bot schedule 2026-12-05 ２２：００～２３：００", Schedule(date(2026, 12, 5), time(22), time(23))),
]

INVALID = [
    ("/bot estimate", "estimate", "時間数をご指定ください"),
    ("/bot estimate abc", "estimate", "読み取れませんでした"),
    ("/bot estimate 0.3h", "estimate", "0.5 時間単位"),
    ("/bot estimate 0h", "estimate", "0 より大きい"),
    ("/bot estimate -1h", "estimate", "読み取れませんでした"),
    ("/bot consume 1.25h", "consume", "H10"),
    ("/bot consume", "consume", "時間数をご指定ください"),
    ("/bot purchase 1.5h", "purchase", "H6"),
    ("/bot purchase", "purchase", "購入時間数"),
    ("/bot schedule 2026-12-05", "schedule", "例: /bot schedule"),
    ("/bot schedule tomorrow 10:00-13:00", "schedule", "例: /bot schedule"),
    ("/bot schedule 2026-02-30 10:00-13:00", "schedule", "存在しない日付"),
    ("/bot schedule 2026-12-05 25:00-26:00", "schedule", "存在しない日付"),
    ("/bot schedule 2026-12-05 10:00-10:00", "schedule", "同じ"),
]


class TestParseCommands:
    @pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
    def test_reads_a_valid_command_line(self, text: str, expected: object) -> None:
        """Each valid `/bot` line becomes its typed command."""
        assert parse_commands(text) == (expected,)

    @pytest.mark.parametrize(("text", "word", "reason"), INVALID, ids=[t for t, _, _ in INVALID])
    def test_refuses_an_invalid_command_with_a_polite_reason(self, text: str, word: str, reason: str) -> None:
        """An invalid line yields a CommandError whose Japanese reason says what to write instead."""
        (result,) = parse_commands(text)
        assert isinstance(result, CommandError)
        assert result.word == word
        assert reason in result.reason
        assert "ください" in result.reason or "ません" in result.reason

    def test_reads_every_command_line_in_order_and_ignores_prose(self) -> None:
        """Several commands in one comment are all read, in order; other lines are ignored."""
        text = "お見積りです。\n/bot estimate 3h E6\n本文の /bot send は行頭ではない\n/bot send\n"
        assert parse_commands(text) == (Estimate(Decimal(3), "E6", ""), Send())

    def test_ignores_quoted_command_lines(self) -> None:
        """A quoted earlier command (`> /bot send`) is not obeyed again."""
        assert parse_commands("> /bot send\n了解しました") == ()

    def test_ignores_words_that_only_start_like_bot(self) -> None:
        """`/botany` and `/bots` are not commands: the prefix must end at a blank or the line end."""
        assert parse_commands("/botany is fun\n/bots send") == ()

    def test_returns_nothing_for_a_comment_without_commands(self) -> None:
        """An ordinary comment has no commands."""
        assert parse_commands("ご確認ありがとうございます。\n承認します。") == ()

    def test_schedule_knows_when_it_crosses_midnight(self) -> None:
        """22:00-02:00 ends the next day (T7 night band); 10:00-13:00 does not."""
        (night,) = parse_commands("/bot schedule 2026-12-05 22:00-02:00")
        (day,) = parse_commands("/bot schedule 2026-12-05 10:00-13:00")
        assert isinstance(night, Schedule)
        assert isinstance(day, Schedule)
        assert night.crosses_midnight
        assert not day.crosses_midnight


class TestParseHours:
    @pytest.mark.parametrize(
        ("token", "hours"),
        [("3h", "3"), ("0.5h", "0.5"), ("1.5時間", "1.5"), ("3", "3"), ("12.0", "12"), ("0.50h", "0.5")],
        ids=["3h", "0.5h", "1.5jikan", "bare", "12.0", "0.50h"],
    )
    def test_reads_hours_as_exact_decimals_h10(self, token: str, hours: str) -> None:
        """Hours are exact decimals printed without noise (12, never 1.2E+1 or 12.0)."""
        assert str(parse_hours(token)) == hours


class TestIsCommandLine:
    @pytest.mark.parametrize(
        ("line", "expected"),
        [("/bot send", True), ("／ｂｏｔ", True), ("> /bot send", False), ("text /bot", False)],
        ids=["plain", "full-width", "quoted", "mid-line"],
    )
    def test_recognises_lines_that_start_with_bot(self, line: str, expected: bool) -> None:
        """Only a line that begins with `/bot` is a command line."""
        assert is_command_line(line) is expected


class TestAuthorise:
    @pytest.mark.parametrize(
        ("user", "expected"),
        [
            ("sato", True),
            ("suzuki", True),
            ("yamada", False),
            ("kimura", False),
            ("Sato", False),
            ("", False),
        ],
        ids=["staff-sato", "staff-suzuki", "customer-inquirer", "customer-other", "case-differs", "empty"],
    )
    def test_only_configured_staff_may_command_the_bot(self, user: str, expected: bool) -> None:
        """Commands are obeyed only from configured staff userIds; a customer's `/bot` line is refused."""
        assert authorise(user, ("sato", "suzuki")) is expected
