"""A scenario harness: the emulator, the real client, writer and store, and the workflow at a fixed now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import BotConfig, Customer, load_config
from bot.inquiry.workflow import InquiryWorkflow, PollResult
from bot.rules.sla import Clock, ClockKind
from bot.sandbox import BacklogEmulator, writes
from bot.state import StateStore
from bot.state.inquiries import InquiryRecords, InquiryRow
from tests.refs import refers_to
from tests.support.paths import CONFIG_DIR

JST = ZoneInfo("Asia/Tokyo")


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Asia/Tokyo instant (tests never read the wall clock)."""
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def shared_config(extra: tuple[Customer, ...] = ()) -> BotConfig:
    """The shipped configuration (ACME, BETA; brochure values), optionally with more customers."""
    config = load_config(CONFIG_DIR)
    return replace(config, customers=config.customers + extra) if extra else config


class Flow:
    """One bot (fresh store) against a running emulator, all at the harness's fixed ``now``."""

    def __init__(self, emu: BacklogEmulator, clock: FixedClock, config: BotConfig | None = None) -> None:
        self.emu = emu
        self.clock = clock
        self.config = config or shared_config()
        self.store = StateStore.memory()
        self.records = InquiryRecords(self.store)
        self.client = BacklogClient(emu.base_url, emu.api_key, timeout=(5, 5), max_retries=0,
                                    sleep=lambda _s: None, clock=lambda: clock().timestamp(),
                                    rng=lambda: 0.5)
        self.directory = Directory(self.client)
        self.writer = BacklogWriter(self.client, self.store, self.directory, clock)
        self.wf = InquiryWorkflow(self.config, self.store, self.client, self.writer, self.directory, clock)
        self.wf.poll(clock())  # first start: begins after the newest activity

    # ---- driving ----------------------------------------------------------------------------------
    def at(self, when: datetime) -> Flow:
        self.clock.set(when)
        return self

    def poll(self) -> PollResult:
        return self.wf.poll(self.clock())

    def ask(self, summary: str, description: str = "", *, user: str = "yamada", project: str = "ACME") -> str:
        """A customer opens an issue at the current fixed time; returns its key."""
        return str(self.emu.add_issue_as(user, project, summary, description)["issueKey"])

    def say(self, user: str, issue_key: str, text: str) -> int:
        return int(self.emu.add_comment_as(user, issue_key, text)["id"])

    def staff_says(self, issue_key: str, text: str, user: str = "sato") -> int:
        """A staff comment on the inquiry's staff issue."""
        return self.say(user, self.staff_issue(issue_key), text)

    # ---- observing --------------------------------------------------------------------------------
    def row(self, issue_key: str) -> InquiryRow:
        row = self.records.get(issue_key)
        assert row is not None, f"no inquiry row for {issue_key}"
        return row

    def staff_issue(self, issue_key: str) -> str:
        key = self.row(issue_key).staff_issue_key
        assert key is not None
        return key

    def comments(self, issue_key: str, *, by: str | None = "hoshu-bot") -> list[str]:
        found = self.client.list_comments(issue_key, count=100, order="asc")
        # Markdown escapes \( \) \*...: the tests read the text as a person does.
        return [c.content.replace("\\", "") for c in found
                if by is None or (c.created_user is not None and c.created_user.user_id == by)]

    def bot_comments_with(self, issue_key: str, fragment: str) -> list[str]:
        return [c for c in self.comments(issue_key) if refers_to(c, fragment)]

    def consumed(self, customer: str = "ACME") -> Decimal:
        return sum((e.hours for e in self.store.ledger(customer) if e.kind == "consume"), Decimal(0))

    def clock_of(self, issue_key: str, kind: ClockKind) -> Clock:
        clocks = [sc for sc in self.records.clocks(issue_key) if sc.clock.kind is kind]
        assert clocks, f"no {kind.value} clock on {issue_key}"
        return max(clocks, key=lambda sc: sc.seq).clock


Shapes = Literal["emulator", "documented", "none"]


def reshape_changes(emu: BacklogEmulator, after: int, shapes: Shapes) -> None:
    """Rewrite the ``changes[]`` of activities after id ``after`` as Backlog documents them (reference §8):
    status ids as strings, ``assigner``/``limitDate`` kept, and fields whose activity name nobody has
    documented (estimated and actual hours) left out; or (``none``) no ``changes`` at all. The bot must
    act the same on every form, since it reads the issue instead.
    """
    if shapes == "emulator":
        return
    with emu.state.lock:
        for activity in emu.state.activities:
            if activity.id <= after or "changes" not in activity.content:
                continue
            statuses = {s.name: s.id for s in emu.state.projects[activity.project_id].statuses}
            documented = []
            for change in activity.content["changes"]:
                field = change["field"]
                shaped = change if field != "status" else {  # a name becomes its id; an id stays
                    **change, "new_value": str(statuses.get(change["new_value"], change["new_value"])),
                    "old_value": str(statuses.get(change["old_value"], change["old_value"])),
                }
                if field not in ("estimatedHours", "actualHours"):
                    documented.append(shaped)
            activity.content["changes"] = documented if shapes == "documented" else []


def newest_activity(emu: BacklogEmulator) -> int:
    with emu.state.lock:
        return max((a.id for a in emu.state.activities), default=0)


def delete_issue(emu: BacklogEmulator, user: str, key: str, when: datetime) -> None:
    """``DELETE /issues/:key`` by ``user`` (activity type 4); the bot's client never deletes."""
    with emu.state.lock:
        writes.delete_issue(emu.state, emu.state.user(user), emu.state.issue(key), when.timestamp())


#: Keyword search finds a write only this long after it (issue 11): the flows must not depend on it.
SEARCH_LAG_SECONDS = 600.0


def start_emulator(clock: FixedClock) -> BacklogEmulator:
    """The emulator stamps activities with the same fixed clock as the bot; its search lags 10 minutes."""
    stamp: Callable[[], float] = lambda: clock().timestamp()  # noqa: E731 - a one-line adapter
    return BacklogEmulator.start(clock=stamp, limits={"read": 100_000, "update": 100_000, "search": 100_000},
                                 search_lag=SEARCH_LAG_SECONDS)
