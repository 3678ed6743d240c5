"""BacklogClient: the bot's only door to the Backlog API v2, returning typed values (issue 3).

Reads are inherited from ``bot.backlog.reads.BacklogReads``; this module adds the writes. Transport
rules (timeouts, retries, pacing, redaction) live in ``bot.backlog.transport``. No raw dict leaves
it. Text written here is sent as given: callers make it safe with ``bot.backlog.text`` first
(INTERFACE "What the bot writes").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from bot.backlog.form import encode_custom_fields, encode_fields
from bot.backlog.models import Comment, Issue, WikiPage
from bot.backlog.paging import PAGE
from bot.backlog.parse import parse_comment, parse_issue, parse_wiki
from bot.backlog.reads import BacklogReads, CustomFields, Order, _obj, _seg
from bot.backlog.transport import Reply
from bot.errors import BacklogError

T = TypeVar("T")
__all__ = ["PAGE", "BacklogClient", "CustomFields", "Order"]


class BacklogClient(BacklogReads):
    """Typed Backlog API client: the reads of ``BacklogReads`` plus issue, comment and wiki writes.

    A write that may have reached Backlog is never retried (``bot.backlog.transport``); finding it
    again is the caller's job (``bot.backlog.writer``).
    """

    # --- issue and comment writes -------------------------------------------------------------
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

    def add_comment(self, issue: str | int, content: str, notified_user_ids: Sequence[int] = ()) -> Comment:
        form = encode_fields({"content": content, "notifiedUserId": notified_user_ids})
        return parse_comment(_obj(self._t.call("POST", f"issues/{_seg(issue)}/comments", form=form).body))

    # --- wiki writes ---------------------------------------------------------------------------
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
