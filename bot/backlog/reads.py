"""The reading half of ``BacklogClient``: every GET the bot makes, returning typed values (issue 3).

``bot.backlog_client.BacklogClient`` adds the writes; use that class. Transport rules (timeouts,
retries, pacing, redaction) live in ``bot.backlog.transport``; the parsers in ``bot.backlog.parse``.
Lists that page do so to their end: issues by ``offset`` (``iter_issues``), comments and activities
by ``minId``/``maxId`` (``iter_comments``, ``iter_comments_newest_first``, ``iter_*_activities``).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from pydantic import SecretStr

from bot.backlog.feed import parse_page
from bot.backlog.form import Params, Scalar, encode_fields
from bot.backlog.models import (
    Activity,
    ActivityPage,
    Category,
    Comment,
    CustomField,
    Issue,
    IssueType,
    Priority,
    Project,
    RateLimitState,
    SkippedActivity,
    Space,
    Status,
    User,
    WikiPage,
)
from bot.backlog.paging import PAGE, pages_after, walk_down, walk_up
from bot.backlog.parse import (
    parse_category,
    parse_comment,
    parse_custom_field,
    parse_issue,
    parse_issue_type,
    parse_priority,
    parse_project,
    parse_rate_limit,
    parse_space,
    parse_status,
    parse_user,
    parse_wiki,
)
from bot.backlog.transport import Transport
from bot.errors import BacklogError

Order = Literal["asc", "desc"]
CustomFields = Mapping[int, Scalar | Sequence[Scalar]]


def _seg(value: str | int) -> str:
    # Keys and ids only; anything else would let a caller steer the request elsewhere.
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", text):
        msg = f"not a Backlog id or key: {text!r}"
        raise ValueError(msg)
    return text


def _list(body: Any) -> list[Mapping[str, Any]]:
    if not isinstance(body, list):
        msg = "Backlog answered with something other than a list"
        raise BacklogError(msg)
    return body


def _obj(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        msg = "Backlog answered with something other than an object"
        raise BacklogError(msg)
    return body


class BacklogReads:
    """Typed Backlog API reads. The base URL is explicit config, never guessed (reference §11.8)."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | str,
        *,
        timeout: tuple[float, float] = (5, 30),
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._t = Transport(base_url, api_key, timeout=timeout, max_retries=max_retries, sleep=sleep,
                            clock=clock, rng=rng)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._t.base_url!r}, apiKey=***)"

    def close(self) -> None:
        self._t.close()

    @property
    def transport(self) -> Transport:
        return self._t

    def _get(self, path: str, params: Params | None = None) -> Any:
        return self._t.call("GET", path, params=params).body

    # --- space, users, project metadata -------------------------------------------------------
    def get_space(self) -> Space:
        return parse_space(_obj(self._get("space")))

    def get_myself(self) -> User:
        user = parse_user(_obj(self._get("users/myself")))
        assert user is not None  # noqa: S101 - a non-empty object always parses
        return user

    def get_project(self, key_or_id: str | int) -> Project:
        return parse_project(_obj(self._get(f"projects/{_seg(key_or_id)}")))

    def get_statuses(self, project: str | int) -> list[Status]:
        """``GET /projects/:key/statuses``: the project's statuses (ids are per project, reference §11.7)."""
        return [parse_status(d) for d in _list(self._get(f"projects/{_seg(project)}/statuses"))]

    def status_names(self, project: str | int) -> dict[int, str]:
        """Status id -> name for one project (one read). Activity ``changes`` carry status *ids* as
        strings (reference §8): map them with this, and cache it per project on the caller's side."""
        return {s.id: s.name for s in self.get_statuses(project)}

    def get_issue_types(self, project: str | int) -> list[IssueType]:
        return [parse_issue_type(d) for d in _list(self._get(f"projects/{_seg(project)}/issueTypes"))]

    def get_priorities(self) -> list[Priority]:
        return [parse_priority(d) for d in _list(self._get("priorities"))]

    def get_categories(self, project: str | int) -> list[Category]:
        return [parse_category(d) for d in _list(self._get(f"projects/{_seg(project)}/categories"))]

    def get_custom_fields(self, project: str | int) -> list[CustomField]:
        return [parse_custom_field(d) for d in _list(self._get(f"projects/{_seg(project)}/customFields"))]

    def get_project_users(self, project: str | int) -> list[User]:
        body = _list(self._get(f"projects/{_seg(project)}/users", [("excludeGroupMembers", "false")]))
        return [u for u in (parse_user(d) for d in body) if u is not None]

    def get_rate_limit(self) -> RateLimitState:
        """Live budgets from ``GET /rateLimit``; ``transport.rate_limits()`` gives the header view."""
        return parse_rate_limit(_obj(self._get("rateLimit")))

    # --- issues -------------------------------------------------------------------------------
    @staticmethod
    def _issue_filters(
        project_ids: Sequence[int], status_ids: Sequence[int], issue_type_ids: Sequence[int],
        assignee_ids: Sequence[int], ids: Sequence[int], parent_issue_ids: Sequence[int],
        keyword: str | None, updated_since: date | None, updated_until: date | None,
        created_since: date | None, created_user_ids: Sequence[int] = (), created_until: date | None = None,
    ) -> Params:
        return encode_fields({
            "projectId": project_ids, "statusId": status_ids, "issueTypeId": issue_type_ids,
            "assigneeId": assignee_ids, "createdUserId": created_user_ids, "id": ids,
            "parentIssueId": parent_issue_ids, "keyword": keyword, "updatedSince": updated_since,
            "updatedUntil": updated_until, "createdSince": created_since, "createdUntil": created_until,
        })

    def list_issues(
        self, *, project_ids: Sequence[int] = (), status_ids: Sequence[int] = (),
        issue_type_ids: Sequence[int] = (), assignee_ids: Sequence[int] = (), ids: Sequence[int] = (),
        parent_issue_ids: Sequence[int] = (), keyword: str | None = None, updated_since: date | None = None,
        updated_until: date | None = None, created_since: date | None = None,
        created_user_ids: Sequence[int] = (), created_until: date | None = None, sort: str = "updated",
        order: Order = "asc", offset: int = 0, count: int = PAGE,
    ) -> list[Issue]:
        """One page of ``GET /issues`` (a *search* call, reference §3): ``projectId[]``, ``statusId[]``,
        ``createdUserId[]``, ... are filters on stored fields; ``keyword`` is Backlog's search index
        (undocumented terms and lag: never use it to decide whether a write happened, reference §8).
        ``sort``/``order``/``offset``/``count`` page it. The ``*_since``/``*_until`` dates are
        date-only (reference §10): filter ``created``/``updated`` yourself."""
        params = self._issue_filters(project_ids, status_ids, issue_type_ids, assignee_ids, ids,
                                     parent_issue_ids, keyword, updated_since, updated_until, created_since,
                                     created_user_ids, created_until)
        params += encode_fields({"sort": sort, "order": order, "offset": offset, "count": count})
        return [parse_issue(d) for d in _list(self._get("issues", params))]

    def iter_issues(self, **filters: Any) -> Iterator[Issue]:
        """Every issue matching ``filters`` (same names as ``list_issues``), page by page via ``offset``
        until a short page. Stop iterating early to read fewer pages (``sort="created",
        order="desc"`` gives the newest first). A stable sort keeps pages from shifting; ids are
        de-duplicated.
        """
        filters.pop("offset", None)
        filters.pop("count", None)
        offset, seen = 0, set[int]()
        while True:
            page = self.list_issues(offset=offset, count=PAGE, **filters)
            for issue in page:
                if issue.id not in seen:
                    seen.add(issue.id)
                    yield issue
            if len(page) < PAGE:
                return
            offset += PAGE

    def count_issues(
        self, *, project_ids: Sequence[int] = (), status_ids: Sequence[int] = (),
        issue_type_ids: Sequence[int] = (), assignee_ids: Sequence[int] = (), ids: Sequence[int] = (),
        parent_issue_ids: Sequence[int] = (), keyword: str | None = None, updated_since: date | None = None,
        updated_until: date | None = None, created_since: date | None = None,
        created_user_ids: Sequence[int] = (), created_until: date | None = None,
    ) -> int:
        """``GET /issues/count`` with the filters of ``list_issues`` (a search call)."""
        params = self._issue_filters(project_ids, status_ids, issue_type_ids, assignee_ids, ids,
                                     parent_issue_ids, keyword, updated_since, updated_until, created_since,
                                     created_user_ids, created_until)
        return int(_obj(self._get("issues/count", params))["count"])

    def get_issue(self, key_or_id: str | int) -> Issue:
        """``GET /issues/:key`` (a read call, not search): the issue as it is now."""
        return parse_issue(_obj(self._get(f"issues/{_seg(key_or_id)}")))

    # --- comments -----------------------------------------------------------------------------
    def list_comments(
        self, issue: str | int, min_id: int | None = None, count: int = PAGE, order: Order = "asc",
        max_id: int | None = None,
    ) -> list[Comment]:
        """One page of ``GET /issues/:key/comments`` (a read call): ``minId``/``maxId`` bound the ids,
        ``order`` asc (oldest first) or desc (newest first), ``count`` 1-100 (reference §5)."""
        params = encode_fields({"minId": min_id, "maxId": max_id, "count": count, "order": order})
        return [parse_comment(d) for d in _list(self._get(f"issues/{_seg(issue)}/comments", params))]

    def iter_comments(self, issue: str | int, min_id: int | None = None) -> Iterator[Comment]:
        """Every comment after ``min_id``, oldest first, paging with ``minId`` to the end; ``minId``
        inclusivity is unconfirmed, so ids <= min_id and repeats are dropped (reference §5)."""
        yield from walk_up(lambda m: self.list_comments(issue, min_id=m, order="asc"), min_id)

    def iter_comments_newest_first(self, issue: str | int, max_id: int | None = None) -> Iterator[Comment]:
        """Every comment before ``max_id`` (all when None), newest first, paging with ``maxId``
        (``order=desc``) to the oldest. Stop iterating to read fewer pages: finding a recent write
        needs only as many pages as cover the time it may have landed in."""
        yield from walk_down(lambda m: self.list_comments(issue, max_id=m, order="desc"), max_id)

    # --- wiki ---------------------------------------------------------------------------------
    def list_wikis(self, project: str | int, keyword: str | None = None) -> list[WikiPage]:
        """``GET /wikis?projectIdOrKey=``: every page of the project, without ``content`` (a search call,
        not paged). Without ``keyword`` this is a plain listing: match a page by ``name`` yourself
        rather than trusting the search index. Fetch one with ``get_wiki`` to read it."""
        params = encode_fields({"projectIdOrKey": str(project), "keyword": keyword})
        return [parse_wiki(d) for d in _list(self._get("wikis", params))]

    def get_wiki(self, wiki_id: int) -> WikiPage:
        return parse_wiki(_obj(self._get(f"wikis/{_seg(wiki_id)}")))

    # --- activities ---------------------------------------------------------------------------
    @staticmethod
    def _activity_params(min_id: int | None, max_id: int | None, count: int, order: Order,
                         activity_type_ids: Sequence[int]) -> Params:
        return encode_fields({"activityTypeId": activity_type_ids, "minId": min_id, "maxId": max_id,
                              "count": count, "order": order})

    def space_activity_page(
        self, min_id: int | None = None, max_id: int | None = None, count: int = PAGE, order: Order = "asc",
        activity_type_ids: Sequence[int] = (),
    ) -> ActivityPage:
        """One answer of ``GET /space/activities``, read record by record (``bot.backlog.feed``): a record
        the bot does not understand is a ``SkippedActivity`` in it, never an exception (issue 18)."""
        params = self._activity_params(min_id, max_id, count, order, activity_type_ids)
        return parse_page(_list(self._get("space/activities", params)))

    def list_space_activities(
        self, min_id: int | None = None, max_id: int | None = None, count: int = PAGE, order: Order = "asc",
        activity_type_ids: Sequence[int] = (),
    ) -> list[Activity]:
        """The activities of one page that could be read (skipped records are left out: use
        ``space_activity_page`` where their ids or the page's size matter)."""
        return list(self.space_activity_page(min_id, max_id, count, order, activity_type_ids).activities)

    def list_project_activities(
        self, project: str | int, min_id: int | None = None, max_id: int | None = None, count: int = PAGE,
        order: Order = "asc", activity_type_ids: Sequence[int] = (),
    ) -> list[Activity]:
        params = self._activity_params(min_id, max_id, count, order, activity_type_ids)
        body = _list(self._get(f"projects/{_seg(project)}/activities", params))
        return list(parse_page(body).activities)

    def iter_space_activities(
        self, min_id: int | None = None, activity_type_ids: Sequence[int] = ()
    ) -> Iterator[Activity]:
        """Every space activity after ``min_id``, oldest first, de-duplicated by id (``pages_after``:
        either reading of a full ``minId`` page works; skipped records are left out)."""
        def fetch(lo: int | None, hi: int | None) -> tuple[tuple[Activity | SkippedActivity, ...], int]:
            page = self.space_activity_page(lo, hi, activity_type_ids=activity_type_ids)
            return page.records, page.size

        for page in pages_after(fetch, min_id):
            yield from (a for a in page if isinstance(a, Activity))

    def iter_project_activities(self, project: str | int, min_id: int | None = None) -> Iterator[Activity]:
        yield from walk_up(lambda m: self.list_project_activities(project, min_id=m), min_id)
