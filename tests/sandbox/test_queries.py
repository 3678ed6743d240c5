"""Issue search, comment and activity paging, updates recorded as changes (reference sections 4, 5, 8)."""

from __future__ import annotations

import pytest

from bot.sandbox import BacklogEmulator
from tests.sandbox.conftest import NEW_ISSUE, Api, FakeClock, error_code


def _create(api: Api, clock: FakeClock, summaries: list[str]) -> list[str]:
    keys = []
    for summary in summaries:
        keys.append(api.post("issues", {**NEW_ISSUE, "summary": summary}).json()["issueKey"])
        clock.advance(3600)
    return keys


def _summaries(api: Api, params: object) -> list[str]:
    response = api.get("issues", params)
    assert response.status_code == 200
    return [i["summary"] for i in response.json()]


class TestIssueSearch:
    def test_default_order_is_newest_first_and_asc_reverses(self, api: Api, clock: FakeClock) -> None:
        _create(api, clock, ["a", "b", "c"])
        assert _summaries(api, {}) == ["c", "b", "a"]
        assert _summaries(api, {"sort": "created", "order": "asc"}) == ["a", "b", "c"]

    def test_offset_and_count_page_through(self, api: Api, clock: FakeClock) -> None:
        _create(api, clock, [f"s{n}" for n in range(5)])
        pages = [_summaries(api, {"order": "asc", "offset": str(o), "count": "2"}) for o in (0, 2, 4)]
        assert pages == [["s0", "s1"], ["s2", "s3"], ["s4"]]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ([("projectId[]", "101")], ["acme"]),
            ([("projectId[]", "101"), ("projectId[]", "103")], ["acme", "hoshu"]),
            ([("statusId[]", "2")], ["beta"]),
            ([("issueTypeId[]", "2")], ["acme"]),
            ([("assigneeId[]", "1002")], ["hoshu"]),
            ([("createdUserId[]", "1003")], ["acme"]),
            ([("keyword", "alert")], ["hoshu"]),
            ([("keyword", "本文")], ["beta"]),
        ],
        ids=[
            "one-project",
            "two-projects",
            "status",
            "type",
            "assignee",
            "creator",
            "keyword-case-insensitive",
            "keyword-description",
        ],
    )
    def test_filters(
        self, emu: BacklogEmulator, api: Api, clock: FakeClock, params: list[tuple[str, str]],
        expected: list[str],
    ) -> None:
        emu.add_issue_as("yamada", "ACME", "acme", issueTypeId="2")
        beta = emu.add_issue_as("hoshu-bot", "BETA", "beta", "本文あり")
        emu.update_issue_as("hoshu-bot", beta["issueKey"], statusId="2")
        emu.add_issue_as("hoshu-bot", "HOSHU", "hoshu", "ALERT: 監視", assigneeId="1002")
        clock.advance(emu.search_lag)  # the keyword index has caught up
        assert sorted(_summaries(api, [*params, ("order", "asc")])) == expected
        assert api.get("issues/count", params).json() == {"count": len(expected)}

    def test_a_plain_spelling_of_a_multi_value_filter_is_refused(self, api: Api) -> None:
        """Strict: ``projectId=`` (not ``projectId[]=``) would be ignored by a lenient server and list
        every project; the emulator answers 400 code 7 naming it (bot.sandbox.params)."""
        response = api.get("issues", [("projectId", "101")])
        assert (response.status_code, error_code(response)) == (400, 7)
        assert "projectId" in response.json()["errors"][0]["message"]

    def test_date_filters_are_whole_jst_days(self, emu: BacklogEmulator, api: Api, clock: FakeClock) -> None:
        """2026-11-26T15:00Z is already 2026-11-27 in Tokyo."""
        clock.now = 1795705200.0  # 2026-11-26T15:00:00Z = 2026-11-27 00:00 JST
        emu.add_issue_as("yamada", "ACME", "late")
        clock.now -= 60  # 23:59 JST on the 26th
        emu.add_issue_as("yamada", "ACME", "early")
        assert _summaries(api, {"updatedSince": "2026-11-27"}) == ["late"]
        assert _summaries(api, {"updatedUntil": "2026-11-26"}) == ["early"]
        assert sorted(_summaries(api, {"createdSince": "2026-11-26"})) == ["early", "late"]

    def test_sort_by_updated_follows_the_latest_change(
        self, emu: BacklogEmulator, api: Api, clock: FakeClock
    ) -> None:
        _create(api, clock, ["a", "b"])
        api.post("issues/ACME-1/comments", {"content": "bump"})
        assert _summaries(api, {"sort": "updated"}) == ["a", "b"]


class TestUpdates:
    def test_patch_records_each_change_status_ids_in_activities_names_in_the_log(
        self, emu: BacklogEmulator, api: Api
    ) -> None:
        api.post("issues", NEW_ISSUE)
        response = api.patch(
            "issues/ACME-1",
            {
                "statusId": "5",
                "assigneeId": "1001",
                "estimatedHours": "1.5",
                "actualHours": "0.25",
                "customField_1": "2",
                "comment": "見積もりは 1.5 時間です。",
            },
        )
        assert response.status_code == 200
        issue = response.json()
        assert (issue["status"]["name"], issue["assignee"]["userId"]) == ("お客様確認待ち", "sato")
        assert (issue["estimatedHours"], issue["actualHours"]) == (1.5, 0.25)
        changes = emu.state.activities[-1].content["changes"]
        assert changes == [
            {"field": "status", "new_value": "5", "old_value": "1", "type": "standard"},  # ids in activities
            {"field": "assigner", "new_value": "佐藤 一郎", "old_value": "", "type": "standard"},
            {"field": "estimatedHours", "new_value": "1.5", "old_value": "", "type": "standard"},
            {"field": "actualHours", "new_value": "0.25", "old_value": "", "type": "standard"},
            {"field": "見積時間", "new_value": "2", "old_value": "", "type": "custom"},
        ]
        comments = api.get("issues/ACME-1/comments").json()
        assert comments[0]["content"] == "見積もりは 1.5 時間です。"
        assert [c["field"] for c in comments[0]["changeLog"]] == [c["field"] for c in changes]
        assert comments[0]["changeLog"][0]["newValue"] == "お客様確認待ち"  # names in the changeLog

    def test_multi_value_custom_fields_use_indexed_keys(self, emu: BacklogEmulator, api: Api) -> None:
        emu.state.projects[101].custom_fields[1].type_id = 6  # make 問い合わせ区分 a multi-list
        api.post("issues", NEW_ISSUE)
        issue = api.patch("issues/ACME-1", {"customField_2[0]": "1", "customField_2[1]": "4"}).json()
        value = next(f["value"] for f in issue["customFields"] if f["id"] == 2)
        assert [v["id"] for v in value] == [1, 4]

    def test_patch_without_changes_or_comment_records_nothing(self, emu: BacklogEmulator, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        assert api.patch("issues/ACME-1", {"statusId": "1"}).status_code == 200
        assert [a.type for a in emu.state.activities] == [1]
        assert emu.state.comments == {}

    def test_delete_removes_the_issue_and_records_activity_4(self, emu: BacklogEmulator, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        api.post("issues/ACME-1/comments", {"content": "c"})
        deleted = api.session.delete(api.url("issues/ACME-1"), params={"apiKey": api.api_key}, timeout=5)
        assert (deleted.status_code, deleted.json()["issueKey"]) == (200, "ACME-1")
        assert api.get("issues/ACME-1").status_code == 404
        assert emu.state.comments == {}
        assert [a.type for a in emu.state.activities] == [1, 3, 4]

    def test_empty_assignee_unassigns(self, api: Api) -> None:
        api.post("issues", {**NEW_ISSUE, "assigneeId": "1002"})
        assert api.patch("issues/ACME-1", {"assigneeId": ""}).json()["assignee"] is None


class TestIdWindows:
    def test_comments_page_with_exclusive_min_and_max_ids(self, emu: BacklogEmulator, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        ids = [api.post("issues/ACME-1/comments", {"content": f"c{n}"}).json()["id"] for n in range(5)]
        newest_first = [c["id"] for c in api.get("issues/ACME-1/comments").json()]
        assert newest_first == ids[::-1]
        after = api.get("issues/ACME-1/comments", {"minId": str(ids[1]), "order": "asc", "count": "2"}).json()
        assert [c["id"] for c in after] == ids[2:4]
        before = api.get("issues/ACME-1/comments", {"maxId": str(ids[2]), "order": "asc"}).json()
        assert [c["id"] for c in before] == ids[:2]
        assert api.get("issues/ACME-1/comments/count").json() == {"count": 5}

    def test_project_activities_poll_with_min_id_and_type_filter(
        self, emu: BacklogEmulator, api: Api
    ) -> None:
        emu.add_issue_as("yamada", "ACME", "問い合わせ")
        emu.add_comment_as("yamada", "ACME-1", "追記です")
        emu.add_issue_as("tanaka", "BETA", "別顧客")
        acme = api.get("projects/ACME/activities", {"order": "asc"}).json()
        assert [(a["type"], a["project"]["projectKey"]) for a in acme] == [(1, "ACME"), (3, "ACME")]
        newer = api.get("projects/ACME/activities", {"order": "asc", "minId": str(acme[0]["id"])}).json()
        assert [a["type"] for a in newer] == [3]
        assert newer[0]["content"]["comment"]["content"] == "追記です"
        only_created = api.get("space/activities", {"activityTypeId[]": "1"}).json()
        assert [a["project"]["projectKey"] for a in only_created] == ["BETA", "ACME"]

    def test_a_customer_sees_only_their_projects_activities(self, emu: BacklogEmulator, api: Api) -> None:
        emu.add_issue_as("yamada", "ACME", "アクメ")
        emu.add_issue_as("tanaka", "BETA", "ベータ")
        seen = api.as_user("tanaka").get("space/activities").json()
        assert [a["project"]["projectKey"] for a in seen] == ["BETA"]


class TestWikis:
    def test_update_keyword_and_activities(self, emu: BacklogEmulator, api: Api, clock: FakeClock) -> None:
        page = api.post(
            "wikis", {"projectId": "101", "name": "月次報告/2026-10", "content": "消費 2h"}
        ).json()
        api.post("wikis", {"projectId": "101", "name": "手順書", "content": "設定方法"})
        updated = api.patch(f"wikis/{page['id']}", {"content": "消費 3h"})
        assert updated.status_code == 200
        assert updated.json()["content"] == "消費 3h"
        wanted = {"projectIdOrKey": "ACME", "keyword": "月次"}
        assert api.get("wikis", wanted).json() == []  # the index has not caught up yet
        assert len(api.get("wikis", {"projectIdOrKey": "ACME"}).json()) == 2  # the plain list has
        clock.advance(emu.search_lag)
        assert [
            w["name"] for w in api.get("wikis", {"projectIdOrKey": "ACME", "keyword": "月次"}).json()
        ] == ["月次報告/2026-10"]
        assert api.get("wikis/count", {"projectIdOrKey": "101"}).json() == {"count": 2}
        types = [a["type"] for a in api.get("projects/ACME/activities", {"order": "asc"}).json()]
        assert types == [5, 5, 6]

    def test_wiki_list_requires_a_project(self, api: Api) -> None:
        assert api.get("wikis").status_code == 400
