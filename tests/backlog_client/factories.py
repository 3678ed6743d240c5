"""JSON factories, constants and a fake clock shared by the Backlog client tests."""

from __future__ import annotations

from typing import Any

BASE = "https://hoshu.backlog.com"
API = f"{BASE}/api/v2"
KEY = "k3y-SECRET-abcdef0123456789"
T0 = 1_800_000_000.0  # a fixed epoch second; tests never read the wall clock


class FakeClock:
    """``clock()`` returns the current fake time; ``sleep(s)`` records s and moves the time forward."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def user_json(uid: int = 1, user_id: str = "hoshu-bot", name: str = "保守ボット") -> dict[str, Any]:
    return {"id": uid, "userId": user_id, "name": name, "roleType": 2, "lang": "ja",
            "mailAddress": f"{user_id}@vendor.example.jp", "lastLoginTime": None}


def issue_json(iid: int = 100, key: str = "ACME-12", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": iid, "projectId": 10, "issueKey": key, "keyId": int(key.split("-")[1]),
        "issueType": {"id": 7, "projectId": 10, "name": "タスク", "color": "#7ea800", "displayOrder": 0},
        "summary": "ログイン画面の不具合", "description": "本文", "resolution": None,
        "priority": {"id": 3, "name": "中"},
        "status": {"id": 1, "projectId": 10, "name": "未対応", "color": "#ed8077", "displayOrder": 1000},
        "assignee": None, "category": [], "versions": [], "milestone": [],
        "startDate": None, "dueDate": "2026-12-03T15:00:00Z", "estimatedHours": 1.5, "actualHours": None,
        "parentIssueId": None, "createdUser": user_json(), "created": "2026-11-26T01:02:03Z",
        "updatedUser": user_json(), "updated": "2026-11-26T02:00:00Z",
        "customFields": [], "attachments": [], "sharedFiles": [], "stars": [],
    }
    body.update(over)
    return body


def comment_json(cid: int, content: str = "了解しました。") -> dict[str, Any]:
    return {"id": cid, "projectId": 10, "issueId": 100, "content": content, "changeLog": None,
            "createdUser": user_json(), "created": "2026-11-26T03:00:00Z", "updated": "2026-11-26T03:00:00Z",
            "stars": [], "notifications": []}


def activity_json(aid: int, kind: int = 3) -> dict[str, Any]:
    return {"id": aid, "project": {"id": 10, "projectKey": "ACME", "name": "株式会社アクメ"}, "type": kind,
            "content": {"id": 100, "key_id": 12, "summary": "件名", "description": "本文",
                        "comment": {"id": 900 + aid, "content": "コメント"},
                        "changes": [{"field": "status", "new_value": "2", "old_value": "1",
                                     "type": "standard"}]},
            "notifications": [], "createdUser": user_json(), "created": "2026-11-26T04:00:00Z"}


def limit_headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset))}


def error_body(*codes: int, message: str = "エラー") -> dict[str, Any]:
    return {"errors": [{"message": f"{message} {c}", "code": c, "moreInfo": ""} for c in codes]}
