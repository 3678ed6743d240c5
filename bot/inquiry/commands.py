"""Staff `/bot` commands found in Backlog comments: parsing, validation and who may give them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation

__all__ = [
    "COMMAND_WORDS",
    "Approve",
    "Command",
    "CommandError",
    "Consume",
    "Decline",
    "Estimate",
    "Help",
    "Pause",
    "Purchase",
    "Reject",
    "Resume",
    "Schedule",
    "Send",
    "Unknown",
    "authorise",
    "is_command_line",
    "parse_commands",
    "parse_hours",
]

# Rule H10: hours are counted in steps of 0.5 h.
HOUR_STEP = Decimal("0.5")

_PREFIX = re.compile(r"^/bot(?:\s+|$)", re.IGNORECASE)
_HOURS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours|時間)?$", re.IGNORECASE)
_KIND = re.compile(r"^E\d{1,2}$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-~〜]\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Estimate:
    """`/bot estimate 3h E6 note`: the hours quoted to the customer (flow ⑤), optionally the E1-E11 kind."""

    hours: Decimal
    kind: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Schedule:
    """`/bot schedule 2026-12-05 10:00-13:00`: when the work happens, for the T7 off-hours multipliers.

    An end at or before the start means the work runs past midnight into the next day (T7 "after 22:00").
    """

    date: date
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        """True when the span ends on the next day (e.g. 22:00-02:00)."""
        return self.end <= self.start


@dataclass(frozen=True)
class Consume:
    """`/bot consume 0.5h 基本機能の回答`: hours used without a quote (e.g. the C1 flat 0.5 h, E4)."""

    hours: Decimal
    note: str = ""


@dataclass(frozen=True)
class Purchase:
    """`/bot purchase 6h`: extra hours bought, whole hours only (H6), valid in the current quarter."""

    hours: Decimal


@dataclass(frozen=True)
class Send:
    """`/bot send`: post the prepared quote or explanation to the customer issue."""


@dataclass(frozen=True)
class Pause:
    """`/bot pause`: stop the SLA clocks while waiting for the customer (T2-T4)."""


@dataclass(frozen=True)
class Resume:
    """`/bot resume`: restart the paused SLA clocks."""


@dataclass(frozen=True)
class Reject:
    """`/bot reject`: decline the inquiry as out of scope (O1-O7) with the prepared explanation."""


@dataclass(frozen=True)
class Approve:
    """`/bot approve`: record the customer's approval of the pending quote for them (flow ⑥, issue 18),
    when they answered in words the bot does not take as an answer, by telephone or by mail."""


@dataclass(frozen=True)
class Decline:
    """`/bot decline`: record that the customer declined (見送り) the pending quote, for them (issue 18)."""


@dataclass(frozen=True)
class Help:
    """`/bot help` (or a bare `/bot`): reply with the list of commands."""


@dataclass(frozen=True)
class Unknown:
    """A `/bot` line whose first word is no command; the reply lists the commands."""

    word: str


@dataclass(frozen=True)
class CommandError:
    """A `/bot` line that names a command but cannot be obeyed; `reason` is a polite Japanese sentence."""

    word: str
    line: str
    reason: str


Command = (Estimate | Schedule | Consume | Purchase | Send | Pause | Resume | Reject | Approve | Decline
           | Help | Unknown)

#: The command words, in the order `/bot help` lists them.
COMMAND_WORDS: tuple[str, ...] = (
    "estimate",
    "schedule",
    "consume",
    "purchase",
    "send",
    "pause",
    "resume",
    "reject",
    "approve",
    "decline",
    "help",
)

_BARE: dict[str, Command] = {
    "send": Send(),
    "pause": Pause(),
    "resume": Resume(),
    "reject": Reject(),
    "approve": Approve(),
    "decline": Decline(),
    "help": Help(),
}


def _normalise(line: str) -> str:
    """NFKC folds full-width `／ｂｏｔ　３ｈ` into `/bot 3h`; Backlog users often type in IME full-width."""
    return unicodedata.normalize("NFKC", line).strip()


def is_command_line(line: str) -> bool:
    """True when the line starts with `/bot` after NFKC and leading blanks (any case)."""
    return _PREFIX.match(_normalise(line)) is not None


def parse_hours(token: str) -> Decimal:
    """Read `3h`, `0.5h`, `1.5時間` or `3` as hours; positive, in 0.5 h steps (H10).

    Raises:
        ValueError: with a polite Japanese reason when the token is not such a number of hours.
    """
    match = _HOURS.match(_normalise(token))
    if match is None:
        msg = f"「{token}」を時間数として読み取れませんでした。例: 3h、0.5h、1.5時間"
        raise ValueError(msg)
    try:
        hours = Decimal(match.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimal literals
        msg = f"「{token}」を時間数として読み取れませんでした。"
        raise ValueError(msg) from exc
    if hours <= 0:
        msg = "時間数は 0 より大きい値でご指定ください。"
        raise ValueError(msg)
    if hours % HOUR_STEP != 0:
        msg = f"時間数は 0.5 時間単位でご指定ください（{token} は指定できません。規則 H10）。"
        raise ValueError(msg)
    # 12.0 -> 12 and 0.50 -> 0.5 (never normalize(): it turns 12 into 1.2E+1).
    return hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.quantize(HOUR_STEP)


def _estimate(args: list[str]) -> Command:
    if not args:
        msg = "時間数をご指定ください。例: /bot estimate 3h E6"
        raise ValueError(msg)
    hours = parse_hours(args[0])
    rest = args[1:]
    kind: str | None = None
    if rest and _KIND.match(rest[0]):
        kind = rest[0].upper()
        rest = rest[1:]
    return Estimate(hours=hours, kind=kind, note=" ".join(rest))


def _schedule(args: list[str]) -> Command:
    usage = "日付と時間帯をご指定ください。例: /bot schedule 2026-12-05 10:00-13:00"
    if len(args) < 2:
        raise ValueError(usage)
    day = _DATE.match(args[0])
    span = _TIME_RANGE.match("".join(args[1:]))
    if day is None or span is None:
        raise ValueError(usage)
    try:
        when = date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
        start = time(int(span.group(1)), int(span.group(2)))
        end = time(int(span.group(3)), int(span.group(4)))
    except ValueError as exc:
        msg = f"存在しない日付または時刻です（{' '.join(args)}）。正しい日時をご指定ください。"
        raise ValueError(msg) from exc
    if start == end:
        msg = "開始時刻と終了時刻が同じです。作業の時間帯をご指定ください。"
        raise ValueError(msg)
    return Schedule(date=when, start=start, end=end)


def _consume(args: list[str]) -> Command:
    if not args:
        msg = "時間数をご指定ください。例: /bot consume 0.5h 基本機能の回答"
        raise ValueError(msg)
    return Consume(hours=parse_hours(args[0]), note=" ".join(args[1:]))


def _purchase(args: list[str]) -> Command:
    if not args:
        msg = "購入時間数をご指定ください。例: /bot purchase 6h"
        raise ValueError(msg)
    hours = parse_hours(args[0])
    if hours != hours.to_integral_value():
        msg = "追加購入は 1 時間単位です（規則 H6）。整数の時間数でご指定ください。"
        raise ValueError(msg)
    return Purchase(hours=hours)


_WITH_ARGS = {
    "estimate": _estimate,
    "schedule": _schedule,
    "consume": _consume,
    "purchase": _purchase,
}


def _parse_line(line: str) -> Command | CommandError:
    words = _PREFIX.sub("", line, count=1).split()
    if not words:
        return Help()
    word, args = words[0].lower(), words[1:]
    if word in _BARE:
        # Trailing words after a bare command are tolerated: staff often add a remark.
        return _BARE[word]
    parser = _WITH_ARGS.get(word)
    if parser is None:
        return Unknown(word=words[0])
    try:
        return parser(args)
    except ValueError as exc:
        return CommandError(word=word, line=line, reason=str(exc))


def parse_commands(text: str) -> tuple[Command | CommandError, ...]:
    """Every `/bot` line of a comment, in order, as a command or as the polite reason it is refused.

    Only lines that start with `/bot` count (after NFKC, so `／ｂｏｔ` and `/Bot` too); quoted `>` lines
    and ordinary prose are ignored, so a quoted earlier command is never obeyed twice.
    """
    results: list[Command | CommandError] = []
    for raw in text.splitlines():
        line = _normalise(raw)
        if _PREFIX.match(line):
            results.append(_parse_line(line))
    return tuple(results)


def authorise(user_id: str, staff_users: Iterable[str]) -> bool:
    """True when the comment's author is a configured staff user; customers' `/bot` lines are refused.

    Backlog userIds are compared exactly (no case folding): `Sato` is not `sato`.
    """
    return user_id in set(staff_users)
