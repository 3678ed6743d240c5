"""Read-side filters of the emulated space: issue search, id-window paging for comments and activities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from bot.sandbox import forms
from bot.sandbox.forms import Form, invalid
from bot.sandbox.model import Issue, SpaceState, User, Wiki

T = TypeVar("T")
MAX_COUNT = 100


def jst_day(epoch: float) -> date:
    """The Asia/Tokyo day of an instant: date-only filters are JST days (our reading, reference 10)."""
    return (datetime.fromtimestamp(epoch, UTC) + timedelta(hours=9)).date()


def count_param(form: Form, default: int = 20) -> int:
    """``count`` is 1-100 everywhere (gotcha 3); out of range is 400/7."""
    count = forms.opt_int(form, "count")
    if count is None:
        return default
    if not 1 <= count <= MAX_COUNT:
        raise invalid("count must be between 1 and 100.")
    return count


def order_param(form: Form) -> str:
    order = forms.one(form, "order") or "desc"
    if order not in ("asc", "desc"):
        raise invalid("order must be asc or desc.")
    return order


def visible_project_ids(state: SpaceState, user: User) -> set[int]:
    """Projects the user can see: all for administrators, else those they are a member of."""
    return {p.id for p in state.projects.values() if user.role_type == 1 or user.id in p.member_ids}


def matching_issues(state: SpaceState, user: User, form: Form, now: float) -> list[Issue]:
    """``GET /issues`` and ``/issues/count`` filters (only the ``[]`` spelling of arrays counts).

    ``keyword`` goes through the lagging search index (``bot.sandbox.search``); the rest filters on
    stored fields, current at once."""
    visible = visible_project_ids(state, user)
    tests: list[Callable[[Issue], bool]] = [lambda i: i.project_id in visible]
    for name, attr in (
        ("projectId", "project_id"),
        ("statusId", "status_id"),
        ("issueTypeId", "issue_type_id"),
        ("assigneeId", "assignee_id"),
        ("createdUserId", "created_user_id"),
        ("priorityId", "priority_id"),
        ("id", "id"),
    ):
        wanted = set(forms.ints(form, name))
        if wanted:
            tests.append(lambda i, attr=attr, wanted=wanted: getattr(i, attr) in wanted)  # type: ignore[misc]
    keyword = forms.one(form, "keyword") or ""
    if keyword:
        index = state.search
        tests.append(lambda i: index.matches(("issue", i.id), (i.summary, i.description), now, keyword))
    for name, attr, is_since in (
        ("createdSince", "created", True),
        ("createdUntil", "created", False),
        ("updatedSince", "updated", True),
        ("updatedUntil", "updated", False),
    ):
        raw = forms.one(form, name)
        if raw:
            bound = forms.day(raw, name)
            if is_since:
                tests.append(lambda i, attr=attr, bound=bound: jst_day(getattr(i, attr)) >= bound)  # type: ignore[misc]
            else:
                tests.append(lambda i, attr=attr, bound=bound: jst_day(getattr(i, attr)) <= bound)  # type: ignore[misc]
    return [i for i in state.issues.values() if all(test(i) for test in tests)]


def issue_page(state: SpaceState, user: User, form: Form, now: float) -> list[Issue]:
    """Sorted (``sort`` created|updated|id, ``order`` default desc) and paged by ``offset``/``count``."""
    found = matching_issues(state, user, form, now)
    sort = forms.one(form, "sort") or "created"
    keys: dict[str, Callable[[Issue], tuple[float, int]]] = {
        "created": lambda i: (i.created, i.id),
        "updated": lambda i: (i.updated, i.id),
        "id": lambda i: (float(i.id), i.id),
    }
    if sort not in keys:
        raise invalid(f"sort {sort!r} is not supported by the emulator.")
    found.sort(key=keys[sort], reverse=order_param(form) == "desc")
    offset = forms.opt_int(form, "offset") or 0
    if offset < 0:
        raise invalid("offset must be zero or more.")
    return found[offset : offset + count_param(form)]


def id_window(items: Sequence[T], ident: Callable[[T], int], form: Form, *, newest: bool = False) -> list[T]:
    """``minId``/``maxId`` (both exclusive), ``order`` (default desc) and ``count`` (default 20, ≤ 100).

    Exclusivity is our reading (the reference marks it UNCONFIRMED); clients de-duplicate by id anyway.
    Which records a full ``minId`` + ``order=asc`` answer holds is unconfirmed too (reference §13): those
    straight after ``minId`` (our reading, the default) or, with ``newest``, the newest ``count`` of them,
    still in ascending order.
    """
    min_id, max_id = forms.opt_int(form, "minId"), forms.opt_int(form, "maxId")
    chosen = [
        item
        for item in items
        if (min_id is None or ident(item) > min_id) and (max_id is None or ident(item) < max_id)
    ]
    descending = order_param(form) == "desc"
    chosen.sort(key=ident, reverse=descending)
    count = count_param(form)
    if newest and min_id is not None and not descending:
        return chosen[-count:]
    return chosen[:count]


def matching_wikis(state: SpaceState, form: Form, project_id: int, now: float) -> list[Wiki]:
    """``GET /wikis``: every page of one project; with ``keyword``, those the lagging search index
    finds by name or content (without it the list is current at once)."""
    keyword = forms.one(form, "keyword") or ""
    return sorted(
        (
            w
            for w in state.wikis.values()
            if w.project_id == project_id
            and (not keyword or state.search.matches(("wiki", w.id), (w.name, w.content), now, keyword))
        ),
        key=lambda w: w.id,
    )
