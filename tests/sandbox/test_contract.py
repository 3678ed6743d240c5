"""Contract: payloads carry the fields the Backlog reference lists (sections 4-8), camelCase, ``Z`` times."""

from __future__ import annotations

import re

import pytest

from bot.sandbox import BacklogEmulator
from tests.sandbox.conftest import NEW_ISSUE, Api

USER = {"id", "userId", "name", "roleType", "lang", "nulabAccount", "mailAddress", "lastLoginTime"}
PROJECT = {
    "id",
    "projectKey",
    "name",
    "chartEnabled",
    "useResolvedForChart",
    "subtaskingEnabled",
    "projectLeaderCanEditProjectLeader",
    "useWiki",
    "useFileSharing",
    "useWikiTreeView",
    "useSubversion",
    "useGit",
    "useOriginalImageSizeAtWiki",
    "textFormattingRule",
    "archived",
    "displayOrder",
    "useDevAttributes",
}
STATUS = {"id", "projectId", "name", "color", "displayOrder"}
ISSUE = {
    "id",
    "projectId",
    "issueKey",
    "keyId",
    "issueType",
    "summary",
    "description",
    "resolution",
    "priority",
    "status",
    "assignee",
    "category",
    "versions",
    "milestone",
    "startDate",
    "dueDate",
    "estimatedHours",
    "actualHours",
    "parentIssueId",
    "createdUser",
    "created",
    "updatedUser",
    "updated",
    "customFields",
    "attachments",
    "sharedFiles",
    "stars",
}
COMMENT = {
    "id",
    "projectId",
    "issueId",
    "content",
    "changeLog",
    "createdUser",
    "created",
    "updated",
    "stars",
    "notifications",
}
WIKI = {
    "id",
    "projectId",
    "name",
    "content",
    "tags",
    "attachments",
    "sharedFiles",
    "stars",
    "createdUser",
    "created",
    "updatedUser",
    "updated",
}
WIKI_ITEM = {"id", "projectId", "name", "tags", "createdUser", "created", "updatedUser", "updated"}
ACTIVITY = {"id", "project", "type", "content", "notifications", "createdUser", "created"}
CUSTOM_FIELD = {
    "id",
    "projectId",
    "typeId",
    "name",
    "description",
    "required",
    "applicableIssueTypes",
    "allowAddItem",
}
ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class TestMetadataShapes:
    @pytest.mark.parametrize(
        ("path", "fields"),
        [
            ("projects/ACME", PROJECT),
            ("users/myself", USER),
        ],
        ids=["project", "myself"],
    )
    def test_single_objects_carry_the_reference_fields(self, api: Api, path: str, fields: set[str]) -> None:
        response = api.get(path)
        assert response.status_code == 200
        assert fields <= set(response.json())

    @pytest.mark.parametrize(
        ("path", "fields"),
        [
            ("projects/ACME/statuses", STATUS),
            ("projects/ACME/issueTypes", STATUS),
            ("projects/ACME/users", USER),
            ("projects/ACME/customFields", CUSTOM_FIELD),
            ("projects/ACME/categories", {"id", "name", "displayOrder"}),
            ("priorities", {"id", "name"}),
        ],
        ids=["statuses", "issue-types", "project-users", "custom-fields", "categories", "priorities"],
    )
    def test_lists_carry_the_reference_fields(self, api: Api, path: str, fields: set[str]) -> None:
        response = api.get(path)
        assert response.status_code == 200
        assert response.json()
        for item in response.json():
            assert fields <= set(item)

    def test_space_has_key_name_and_zulu_times(self, api: Api) -> None:
        space = api.get("space").json()
        assert space["spaceKey"] == "hoshu"
        assert ZULU.match(space["created"])

    def test_priorities_are_backlog_defaults(self, api: Api) -> None:
        assert api.get("priorities").json() == [
            {"id": 2, "name": "高"},
            {"id": 3, "name": "中"},
            {"id": 4, "name": "低"},
        ]

    def test_customer_projects_have_the_waiting_for_customer_status(self, api: Api) -> None:
        acme = [(s["id"], s["name"]) for s in api.get("projects/ACME/statuses").json()]
        beta = [(s["id"], s["name"]) for s in api.get("projects/BETA/statuses").json()]
        assert acme == [(1, "未対応"), (2, "処理中"), (3, "処理済み"), (4, "完了"), (5, "お客様確認待ち")]
        assert beta[-1] == (6, "お客様確認待ち")

    def test_rate_limit_body_has_all_four_kinds(self, api: Api) -> None:
        body = api.get("rateLimit").json()["rateLimit"]
        assert set(body) == {"read", "update", "search", "icon"}
        for quota in body.values():
            assert set(quota) == {"limit", "remaining", "reset"}


class TestIssueShapes:
    def test_creation_answers_201_with_location_and_the_issue(self, api: Api, emu: BacklogEmulator) -> None:
        response = api.post("issues", NEW_ISSUE)
        assert response.status_code == 201
        assert response.headers["Location"] == f"{emu.base_url}/view/ACME-1"
        issue = response.json()
        assert set(issue) >= ISSUE
        assert issue["issueKey"] == "ACME-1"
        assert issue["status"]["name"] == "未対応"
        assert issue["createdUser"]["userId"] == "hoshu-bot"
        assert ZULU.match(issue["created"]) and ZULU.match(issue["updated"])
        assert set(issue["createdUser"]) >= USER

    def test_get_issue_by_key_and_by_id_agree(self, api: Api) -> None:
        created = api.post("issues", NEW_ISSUE).json()
        assert api.get("issues/ACME-1").json() == api.get(f"issues/{created['id']}").json()

    def test_custom_fields_are_id_type_name_value(self, api: Api) -> None:
        issue = api.post("issues", {**NEW_ISSUE, "customField_1": "1.5", "customField_2": "5"}).json()
        fields = {f["name"]: f for f in issue["customFields"]}
        assert fields["見積時間"] == {"id": 1, "fieldTypeId": 3, "name": "見積時間", "value": 1.5}
        assert fields["問い合わせ区分"]["value"] == {"id": 5, "name": "C5 設定代行", "displayOrder": 4}

    def test_comment_creation_answers_201_with_comment_location(self, api: Api, emu: BacklogEmulator) -> None:
        api.post("issues", NEW_ISSUE)
        response = api.post("issues/ACME-1/comments", {"content": "確認します。"})
        assert response.status_code == 201
        comment = response.json()
        assert response.headers["Location"] == f"{emu.base_url}/view/ACME-1#comment-{comment['id']}"
        assert set(comment) >= COMMENT
        assert ZULU.match(comment["created"])


class TestWikiShapes:
    def test_page_creation_answers_201_and_list_items_lack_content(
        self, api: Api, emu: BacklogEmulator
    ) -> None:
        response = api.post("wikis", {"projectId": "101", "name": "月次報告/2026-11", "content": "# 報告"})
        assert response.status_code == 201
        page = response.json()
        assert response.headers["Location"] == f"{emu.base_url}/alias/wiki/{page['id']}"
        assert set(page) >= WIKI
        items = api.get("wikis", {"projectIdOrKey": "ACME"}).json()
        assert len(items) == 1
        assert set(items[0]) >= WIKI_ITEM
        assert "content" not in items[0]
        assert api.get(f"wikis/{page['id']}").json()["content"] == "# 報告"


class TestActivityShapes:
    def test_activities_have_snake_case_content(self, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        api.patch("issues/ACME-1", {"statusId": "2", "comment": "対応を開始します。"})
        activities = api.get("projects/ACME/activities").json()
        assert [a["type"] for a in activities] == [2, 1]
        for activity in activities:
            assert set(activity) >= ACTIVITY
            assert set(activity["project"]) >= PROJECT
            assert ZULU.match(activity["created"])
        updated = activities[0]["content"]
        assert {"id", "key_id", "summary", "description", "comment", "changes"} <= set(updated)
        # Status ids as strings in the activity (DOC get-recent-updates example), names in the
        # comment's changeLog (backlog4j issue_comments.json): this test used to pin names here.
        assert updated["changes"] == [
            {"field": "status", "new_value": "2", "old_value": "1", "type": "standard"}
        ]
        assert updated["comment"]["content"] == "対応を開始します。"
        [comment] = api.get("issues/ACME-1/comments").json()
        assert [(c["field"], c["newValue"], c["originalValue"]) for c in comment["changeLog"]] == [
            ("status", "処理中", "未対応")
        ]
