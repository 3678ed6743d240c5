"""Id-window paging for Backlog lists that page by ``minId``/``maxId`` (comments, activities).

Backlog does not say whether ``minId``/``maxId`` are inclusive (reference §5), so both walks drop
ids outside the bound and repeats, and stop on a short page or one that brings nothing new.
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
