"""BacklogClient: the bot's only door to the Backlog API v2, returning typed values (issue 3).

Transport rules (timeouts, retries, pacing, redaction) live in ``bot.backlog_transport``; this module
maps endpoints to frozen models from ``bot.backlog_models``. No raw dict leaves it. Text written here
is sent as given: callers make it safe with ``bot.backlog_text`` first (INTERFACE "What the bot writes").
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar

from pydantic import SecretStr

from bot.backlog_models import (
    Activity,
    Category,
    Comment,
    CustomField,
    Issue,
    IssueType,
    Priority,
    Project,
    RateLimitState,
    Space,
    Status,
    User,
    WikiPage,
    parse_activity,
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
from bot.backlog_transport import (
    Params,
    Reply,
    Scalar,
    Transport,
    encode_custom_fields,
    encode_fields,
)
from bot.errors import BacklogError

Order = Literal["asc", "desc"]
CustomFields = Mapping[int, Scalar | Sequence[Scalar]]
T = TypeVar("T")


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


H = TypeVar("H", bound=_HasId)
PAGE = 100  # the API's maximum ``count`` everywhere (reference §11.3)


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


class BacklogClient:
    """Typed Backlog API client. The base URL is explicit config, never guessed (reference §11.8)."""

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
        return f"BacklogClient(base_url={self._t.base_url!r}, apiKey=***)"

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
        return [parse_status(d) for d in _list(self._get(f"projects/{_seg(project)}/statuses"))]

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
        created_since: date | None,
    ) -> Params:
        return encode_fields({
            "projectId": project_ids, "statusId": status_ids, "issueTypeId": issue_type_ids,
            "assigneeId": assignee_ids, "id": ids, "parentIssueId": parent_issue_ids, "keyword": keyword,
            "updatedSince": updated_since, "updatedUntil": updated_until, "createdSince": created_since,
        })

    def list_issues(
        self, *, project_ids: Sequence[int] = (), status_ids: Sequence[int] = (),
        issue_type_ids: Sequence[int] = (), assignee_ids: Sequence[int] = (), ids: Sequence[int] = (),
        parent_issue_ids: Sequence[int] = (), keyword: str | None = None, updated_since: date | None = None,
        updated_until: date | None = None, created_since: date | None = None, sort: str = "updated",
        order: Order = "asc", offset: int = 0, count: int = PAGE,
    ) -> list[Issue]:
        """One page of issues (a search call). ``updated_since`` is date-only: filter ``updated`` yourself."""
        params = self._issue_filters(project_ids, status_ids, issue_type_ids, assignee_ids, ids,
                                     parent_issue_ids, keyword, updated_since, updated_until, created_since)
        params += encode_fields({"sort": sort, "order": order, "offset": offset, "count": count})
        return [parse_issue(d) for d in _list(self._get("issues", params))]

    def iter_issues(self, **filters: Any) -> Iterator[Issue]:
        """Every issue matching ``filters`` (same names as ``list_issues``), page by page via ``offset``.

        A stable sort (``updated`` asc by default) keeps pages from shifting; ids are de-duplicated.
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
    ) -> int:
        params = self._issue_filters(project_ids, status_ids, issue_type_ids, assignee_ids, ids,
                                     parent_issue_ids, keyword, updated_since, updated_until, created_since)
        return int(_obj(self._get("issues/count", params))["count"])

    def get_issue(self, key_or_id: str | int) -> Issue:
        return parse_issue(_obj(self._get(f"issues/{_seg(key_or_id)}")))

    def add_issue(
        self, project_id: int, summary: str, issue_type_id: int, priority_id: int, *,
        description: str | None = None, assignee_id: int | None = None, notified_user_ids: Sequence[int] = (),
        category_ids: Sequence[int] = (), parent_issue_id: int | None = None, start_date: date | None = None,
        due_date: date | None = None, estimated_hours: Decimal | None = None,
        actual_hours: Decimal | None = None, custom_fields: CustomFields | None = None,
    ) -> Issue:
        """Create an issue (201 + ``Location: .../view/KEY-1``). Never retried once it may have arrived."""
        form = encode_fields({
            "projectId": project_id, "summary": summary, "issueTypeId": issue_type_id,
            "priorityId": priority_id, "description": description, "assigneeId": assignee_id,
            "notifiedUserId": notified_user_ids, "categoryId": category_ids, "parentIssueId": parent_issue_id,
            "startDate": start_date, "dueDate": due_date, "estimatedHours": estimated_hours,
            "actualHours": actual_hours,
        }) + encode_custom_fields(custom_fields)
        reply = self._t.call("POST", "issues", form=form)
        return self._created(reply, r"/view/([A-Z][A-Z0-9_]*-\d+)$", self.get_issue, parse_issue)

    def update_issue(
        self, key_or_id: str | int, *, summary: str | None = None, description: str | None = None,
        status_id: int | None = None, resolution_id: int | None = None, issue_type_id: int | None = None,
        priority_id: int | None = None, assignee_id: int | None = None,
        estimated_hours: Decimal | None = None, actual_hours: Decimal | None = None,
        start_date: date | None = None, due_date: date | None = None,
        comment: str | None = None, notified_user_ids: Sequence[int] = (),
        custom_fields: CustomFields | None = None,
    ) -> Issue:
        """PATCH an issue; ``comment`` lands in the same change (one activity)."""
        form = encode_fields({
            "summary": summary, "description": description, "statusId": status_id,
            "resolutionId": resolution_id, "issueTypeId": issue_type_id, "priorityId": priority_id,
            "assigneeId": assignee_id, "estimatedHours": estimated_hours, "actualHours": actual_hours,
            "startDate": start_date, "dueDate": due_date, "comment": comment,
            "notifiedUserId": notified_user_ids,
        }) + encode_custom_fields(custom_fields)
        return parse_issue(_obj(self._t.call("PATCH", f"issues/{_seg(key_or_id)}", form=form).body))

    # --- comments -----------------------------------------------------------------------------
    def list_comments(
        self, issue: str | int, min_id: int | None = None, count: int = PAGE, order: Order = "asc"
    ) -> list[Comment]:
        params = encode_fields({"minId": min_id, "count": count, "order": order})
        return [parse_comment(d) for d in _list(self._get(f"issues/{_seg(issue)}/comments", params))]

    def iter_comments(self, issue: str | int, min_id: int | None = None) -> Iterator[Comment]:
        """Comments after ``min_id`` in id order; ``minId`` inclusivity is unconfirmed, so ids <= min_id
        and repeats are dropped (reference §5)."""
        yield from _walk_ids(lambda m: self.list_comments(issue, min_id=m), min_id)

    def add_comment(self, issue: str | int, content: str, notified_user_ids: Sequence[int] = ()) -> Comment:
        form = encode_fields({"content": content, "notifiedUserId": notified_user_ids})
        return parse_comment(_obj(self._t.call("POST", f"issues/{_seg(issue)}/comments", form=form).body))

    # --- wiki ---------------------------------------------------------------------------------
    def list_wikis(self, project: str | int, keyword: str | None = None) -> list[WikiPage]:
        """Pages without ``content`` (a search call); fetch one with ``get_wiki`` to read it."""
        params = encode_fields({"projectIdOrKey": str(project), "keyword": keyword})
        return [parse_wiki(d) for d in _list(self._get("wikis", params))]

    def get_wiki(self, wiki_id: int) -> WikiPage:
        return parse_wiki(_obj(self._get(f"wikis/{_seg(wiki_id)}")))

    def add_wiki(self, project_id: int, name: str, content: str, mail_notify: bool = False) -> WikiPage:
        form = encode_fields(
            {"projectId": project_id, "name": name, "content": content, "mailNotify": mail_notify})
        reply = self._t.call("POST", "wikis", form=form)
        return self._created(reply, r"/wiki/(\d+)$", lambda k: self.get_wiki(int(k)), parse_wiki)

    def update_wiki(
        self, wiki_id: int, name: str | None = None, content: str | None = None, mail_notify: bool = False
    ) -> WikiPage:
        """Last write wins: Backlog has no version check on wiki updates (reference §6)."""
        form = encode_fields({"name": name, "content": content, "mailNotify": mail_notify})
        return parse_wiki(_obj(self._t.call("PATCH", f"wikis/{_seg(wiki_id)}", form=form).body))

    # --- activities ---------------------------------------------------------------------------
    @staticmethod
    def _activity_params(min_id: int | None, max_id: int | None, count: int, order: Order,
                         activity_type_ids: Sequence[int]) -> Params:
        return encode_fields({"activityTypeId": activity_type_ids, "minId": min_id, "maxId": max_id,
                              "count": count, "order": order})

    def list_space_activities(
        self, min_id: int | None = None, max_id: int | None = None, count: int = PAGE, order: Order = "asc",
        activity_type_ids: Sequence[int] = (),
    ) -> list[Activity]:
        params = self._activity_params(min_id, max_id, count, order, activity_type_ids)
        return [parse_activity(d) for d in _list(self._get("space/activities", params))]

    def list_project_activities(
        self, project: str | int, min_id: int | None = None, max_id: int | None = None, count: int = PAGE,
        order: Order = "asc", activity_type_ids: Sequence[int] = (),
    ) -> list[Activity]:
        params = self._activity_params(min_id, max_id, count, order, activity_type_ids)
        return [parse_activity(d) for d in _list(self._get(f"projects/{_seg(project)}/activities", params))]

    def iter_space_activities(
        self, min_id: int | None = None, activity_type_ids: Sequence[int] = ()
    ) -> Iterator[Activity]:
        """Every space activity after ``min_id``, oldest first, de-duplicated by id."""
        yield from _walk_ids(
            lambda m: self.list_space_activities(min_id=m, activity_type_ids=activity_type_ids), min_id)

    def iter_project_activities(self, project: str | int, min_id: int | None = None) -> Iterator[Activity]:
        yield from _walk_ids(lambda m: self.list_project_activities(project, min_id=m), min_id)

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _created(
        reply: Reply, pattern: str, fetch: Callable[[str], T], parse: Callable[[Mapping[str, Any]], T]
    ) -> T:
        # A 201 carries the new object; should the body be empty, the Location header names it.
        if isinstance(reply.body, Mapping):
            return parse(reply.body)
        match = re.search(pattern, reply.location or "")
        if match is None:
            msg = f"Backlog created something but named neither body nor Location (status {reply.status})"
            raise BacklogError(msg, status=reply.status)
        return fetch(match.group(1))


def _walk_ids(fetch: Callable[[int | None], Sequence[H]], min_id: int | None) -> Iterator[H]:
    """minId paging in ascending order: stop on a short page or when a page brings nothing new."""
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
