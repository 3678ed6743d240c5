"""Id-window paging for Backlog lists that page by ``minId``/``maxId`` (comments, activities).

Backlog does not say whether ``minId``/``maxId`` are inclusive (reference §5), so every walk drops
ids outside the bound and repeats, and stops on a short page or one that brings nothing new. Nor does it
say whether a full ``minId`` answer holds the records straight after ``minId`` or the newest ones
(reference §13): ``pages_after``, which the activity feed uses, works for either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

PAGE = 100  # the API's maximum ``count`` everywhere (reference §11.3)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


H = TypeVar("H", bound=_HasId)


def walk_up(fetch: Callable[[int | None], Sequence[H]], min_id: int | None) -> Iterator[H]:
    """Ascending: ``fetch(last)`` returns the page after ``last``; yields in id order."""
    last = min_id
    seen: set[int] = set()
    while True:
        page = fetch(last)
        fresh = [x for x in page if x.id not in seen and (min_id is None or x.id > min_id)]
        for item in sorted(fresh, key=lambda x: x.id):
            seen.add(item.id)
            yield item
        if len(page) < PAGE or not fresh:
            return
        last = max(x.id for x in fresh)


def walk_down(fetch: Callable[[int | None], Sequence[H]], max_id: int | None) -> Iterator[H]:
    """Descending: ``fetch(first)`` returns the page before ``first``; yields newest first."""
    first = max_id
    seen: set[int] = set()
    while True:
        page = fetch(first)
        fresh = [x for x in page if x.id not in seen and (max_id is None or x.id < max_id)]
        for item in sorted(fresh, key=lambda x: x.id, reverse=True):
            seen.add(item.id)
            yield item
        if len(page) < PAGE or not fresh:
            return
        first = min(x.id for x in fresh)


class _MaybeId(Protocol):
    @property
    def id(self) -> int | None: ...


R = TypeVar("R", bound=_MaybeId)


def _bounded(page: Sequence[R], lo: int | None, hi: int | None) -> list[R]:
    """The page's records strictly inside (lo, hi), each id once, in id order (no id: left out)."""
    inside = {r.id: r for r in page if r.id is not None and (lo is None or r.id > lo)
              and (hi is None or r.id < hi)}
    return [inside[i] for i in sorted(inside)]


def pages_after(
    fetch: Callable[[int | None, int | None], tuple[Sequence[R], int]], after: int | None,
    on_newer: Callable[[int | None, int], None] | None = None,
) -> Iterator[list[R]]:
    """Every record with an id above ``after``, oldest first, one contiguous page at a time (issue 18 item 6).

    ``fetch(lo, hi)`` asks for the records between ``lo`` and ``hi`` (``minId``/``maxId``, ``order=asc``,
    ``hi`` None: no upper bound) and returns them with the answer's size (records it could not read
    included). Nobody documents which records a full answer holds: the ones straight after ``minId``
    (our reading) or the newest ones. So a full page is not trusted to be the next one: the gap below
    its lowest id is asked for first (one more call, empty under our reading), and a page found there
    means the answer was newer than asked for (``on_newer(lo, lowest)`` is told, once per such page).
    Either way every record is yielded once, in id order, and a quiet feed costs one call.
    Inclusive or exclusive bounds work alike (ids outside them and repeats are dropped).
    """
    lo: int | None = after
    hi: int | None = None
    waiting: list[list[R]] = []  # full pages whose gap below is being read, the lowest last
    while True:
        page, size = fetch(lo, hi)
        fresh = _bounded(page, lo, hi)
        if fresh and hi is not None and on_newer is not None:
            on_newer(lo, hi)  # the gap below a full page held records: that page was newer than asked for
        if size >= PAGE and fresh:
            waiting.append(fresh)
            hi = fresh[0].id
            continue
        if fresh:
            yield fresh
            lo = fresh[-1].id
        if not waiting:
            return
        done = waiting.pop()
        yield done
        lo = done[-1].id
        hi = waiting[-1][0].id if waiting else None
