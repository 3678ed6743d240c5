"""Which query and form parameters each emulated endpoint knows; anything else is 400 code 7.

Sources: the parameter tables of the official API pages (reference §4-§8; e.g.
https://developer.nulab.com/docs/backlog/api/2/get-issue-list/). A third-party report says the real
API refuses unknown parameters; strict is right either way, since it catches a mistyped one that
Backlog would otherwise ignore silently (our reading, unverified). ``apiKey`` is always allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.sandbox.forms import invalid

_ISSUE_FILTERS = frozenset({
    "projectId[]", "issueTypeId[]", "categoryId[]", "versionId[]", "milestoneId[]", "statusId[]",
    "priorityId[]", "assigneeId[]", "createdUserId[]", "resolutionId[]", "parentChild", "attachment",
    "sharedFile", "createdSince", "createdUntil", "updatedSince", "updatedUntil", "startDateSince",
    "startDateUntil", "dueDateSince", "dueDateUntil", "hasDueDate", "id[]", "parentIssueId[]", "keyword",
})
_PAGING = frozenset({"minId", "maxId", "count", "order"})
_ISSUE_WRITE = frozenset({
    "summary", "parentIssueId", "description", "startDate", "dueDate", "estimatedHours", "actualHours",
    "issueTypeId", "categoryId[]", "versionId[]", "milestoneId[]", "priorityId", "assigneeId",
    "notifiedUserId[]", "attachmentId[]",
})
CUSTOM = "customField_*"

# Handler name -> the parameters it knows (``CUSTOM`` admits ``customField_N`` and its variants).
KNOWN: dict[str, frozenset[str]] = {
    "get_issues": _ISSUE_FILTERS | {"sort", "order", "offset", "count", "expand[]", CUSTOM},
    "count_issues": _ISSUE_FILTERS | {CUSTOM},
    "post_issue": _ISSUE_WRITE | {"projectId", CUSTOM},
    "patch_issue": _ISSUE_WRITE | {"statusId", "resolutionId", "comment", CUSTOM},
    "get_comments": _PAGING,
    "post_comment": frozenset({"content", "notifiedUserId[]", "attachmentId[]"}),
    "get_wikis": frozenset({"projectIdOrKey", "keyword"}),
    "count_wikis": frozenset({"projectIdOrKey"}),
    "post_wiki": frozenset({"projectId", "name", "content", "mailNotify"}),
    "patch_wiki": frozenset({"name", "content", "mailNotify"}),
    "get_space_activities": _PAGING | {"activityTypeId[]"},
    "get_project_activities": _PAGING | {"activityTypeId[]"},
    "get_project_users": frozenset({"excludeGroupMembers"}),
    "get_projects": frozenset({"archived", "all"}),
}
_CUSTOM_NAME = re.compile(r"^customField_\d+(?:_min|_max|_otherValue|\[\d*\])?$")


def check(handler: str, names: Iterable[str]) -> None:
    """Raises 400/7 naming the first parameter ``handler`` does not know (endpoints not listed take none)."""
    known = KNOWN.get(handler, frozenset())
    for name in names:
        if name == "apiKey" or name in known or (CUSTOM in known and _CUSTOM_NAME.match(name)):
            continue
        raise invalid(f"Unknown parameter: {name}")
