"""Whether an alert or staff issue is finished in Backlog, read at most once per interval (M2, C8).

A repeat or a due summary asks before it writes: a finished issue starts a new generation. Each open
issue is read once per ``interval``; once its id is known, all known issues are read together in one
``GET /issues?id[]=...`` (a documented filter, up to 100 per call), so a storm over 50 fingerprints costs
one read per interval instead of one per fingerprint (issue 12). The first read of an issue after a
start is ``GET /issues/:key`` (which also gives its id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from bot.backlog.models import Issue
from bot.rules.statuses import DONE_STATUSES

PAGE = 100


class IssueReader(Protocol):
    def get_issue(self, issue_key: str) -> Issue: ...
    def list_issues(self, *, ids: list[int], count: int) -> list[Issue]: ...


class ClosedChecks:
    """Remembers when each issue was last read, its id, and which were found finished."""

    def __init__(self, client: IssueReader, interval: timedelta) -> None:
        self.client = client
        self.interval = interval
        self._checked: dict[str, datetime] = {}
        self._ids: dict[str, int] = {}
        self._closed: set[str] = set()

    def opened(self, issue_key: str, issue_id: int | None, now: datetime) -> None:
        """An issue the bot just opened is open: no read before one interval has passed."""
        self._checked[issue_key] = now
        if issue_id is not None:
            self._ids[issue_key] = issue_id

    def closed(self, issue_key: str | None, now: datetime) -> bool:
        """Whether Backlog shows ``issue_key`` finished (as of a read at most one interval old)."""
        if issue_key is None:
            return False
        if issue_key in self._closed:
            return True
        last = self._checked.get(issue_key)
        if last is not None and now - last < self.interval:
            return False
        if issue_key not in self._ids:
            issue = self.client.get_issue(issue_key)
            self._ids[issue_key] = issue.id
            self._note(issue, now)
        else:
            self._read_known(now)
        return issue_key in self._closed

    def _read_known(self, now: datetime) -> None:
        keys = list(self._ids)
        for i in range(0, len(keys), PAGE):
            chunk = keys[i:i + PAGE]
            for issue in self.client.list_issues(ids=[self._ids[k] for k in chunk], count=PAGE):
                self._note(issue, now)
            for key in chunk:  # an issue the read did not return (deleted, moved): read it alone next time
                if self._checked.get(key) != now:
                    self._ids.pop(key, None)

    def _note(self, issue: Issue, now: datetime) -> None:
        self._checked[issue.key] = now
        if issue.status.name in DONE_STATUSES:
            self._closed.add(issue.key)
            self._ids.pop(issue.key, None)  # finished: never read again
