"""Paging that assumes nothing (issue 18 item 6): a full activity page is paged on until caught up, and a
``minId`` answer holding the newest records instead of those straight after ``minId`` is detected and
the gap read. Both readings of Backlog, through ``pages_after`` and through the worker (``run --once``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.backlog.paging import PAGE, pages_after
from bot.sandbox import BacklogEmulator
from tests.feed.support import StepClock, bot_comments, run_once, staff_issue


@dataclass(frozen=True)
class Rec:
    id: int | None


class Feed:
    """A feed of ids answering ``fetch(lo, hi)`` as one reading of Backlog would; counts its calls."""

    def __init__(self, ids: list[int], *, newest: bool, inclusive: bool = False, unreadable: int = 0) -> None:
        self.ids, self.newest, self.inclusive, self.calls = sorted(ids), newest, inclusive, 0
        self.unreadable = unreadable  # records without an id in every answer (counted in its size)

    def __call__(self, lo: int | None, hi: int | None) -> tuple[list[Rec], int]:
        self.calls += 1
        if self.inclusive:
            inside = [i for i in self.ids if (lo is None or i >= lo) and (hi is None or i <= hi)]
        else:
            inside = [i for i in self.ids if (lo is None or i > lo) and (hi is None or i < hi)]
        room = PAGE - (self.unreadable if inside else 0)
        page = inside[-room:] if self.newest else inside[:room]
        records = [Rec(i) for i in page] + [Rec(None)] * (self.unreadable if inside else 0)
        return records, len(records)


IDS = [n for n in range(1, 700) if n % 7]  # gaps, as activities of invisible projects leave them


@pytest.mark.parametrize("newest", [False, True], ids=["after-minId", "newest"])
@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive", "inclusive"])
@pytest.mark.parametrize("unreadable", [0, 3], ids=["all-read", "some-unreadable"])
def test_every_record_after_the_cursor_comes_once_in_order(
    newest: bool, inclusive: bool, unreadable: int
) -> None:
    feed = Feed(IDS, newest=newest, inclusive=inclusive, unreadable=unreadable)
    told: list[tuple[int | None, int]] = []
    pages = list(pages_after(feed, 20, lambda lo, hi: told.append((lo, hi))))
    got = [r.id for page in pages for r in page]
    assert got == [i for i in IDS if i > 20]
    assert all(page == sorted(page, key=lambda r: r.id or 0) for page in pages)
    assert bool(told) is newest  # a newer-than-asked answer is noticed only when Backlog gives one


@pytest.mark.parametrize("newest", [False, True], ids=["after-minId", "newest"])
def test_a_quiet_feed_costs_one_call_and_a_short_page_one_call(newest: bool) -> None:
    feed = Feed(IDS, newest=newest)
    assert list(pages_after(feed, IDS[-1], None)) == []
    assert feed.calls == 1
    feed.calls = 0
    assert [r.id for p in pages_after(feed, IDS[-5], None) for r in p] == IDS[-4:]
    assert feed.calls == 1


def test_a_full_page_costs_one_more_call_when_it_was_the_next_one() -> None:
    """Under our reading each full page is checked by one call for the gap below it (empty)."""
    feed = Feed(list(range(1, 251)), newest=False)
    assert sum(len(p) for p in pages_after(feed, 0, None)) == 250
    assert feed.calls == 5  # 100 (+1 gap check), 100 (+1), 50


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def emu(clock: StepClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock) as e:
        yield e


@pytest.mark.parametrize("newest", [False, True], ids=["after-minId", "newest"])
def test_the_worker_reads_every_inquiry_of_a_long_feed_once(
    newest: bool, emu: BacklogEmulator, clock: StepClock, tmp_path: Path
) -> None:
    """250 activities since the last poll, inquiries at the start, the middle and the end."""
    run_once(emu, tmp_path)  # first start
    clock.t += 60
    memo = str(emu.add_issue_as("sato", "HOSHU", "社内メモ")["issueKey"])
    keys = []
    for n in range(250):
        if n in (0, 120, 249):
            keys.append(str(emu.add_issue_as("yamada", "ACME", f"お問い合わせ {n}")["issueKey"]))
        else:
            emu.add_comment_as("sato", memo, f"作業記録 {n}")
    emu.min_id_newest = newest
    err = run_once(emu, tmp_path)
    for key in keys:
        assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1, key
        staff_issue(emu, key)
    assert ("records newer than those after" in err) is newest
