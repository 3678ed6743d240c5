"""Backlog behaviours the bot must survive, pinned in the emulator (issue 11, Deliver 4; the table in
bot/sandbox/README.md names each source)."""

from __future__ import annotations

import pytest

from bot.errors import BacklogInvalidRequestError
from bot.sandbox import BacklogEmulator
from tests.sandbox.conftest import NEW_ISSUE, Api, FakeClock, error_code


def _keyword(api: Api, word: str) -> list[str]:
    response = api.get("issues", {"keyword": word})
    assert response.status_code == 200
    return [i["issueKey"] for i in response.json()]


class TestSearchLag:
    def test_a_new_issue_is_found_by_keyword_only_after_the_lag(self, api: Api, clock: FakeClock,
                                                                  emu: BacklogEmulator) -> None:
        assert emu.search_lag == 5.0  # on by default: a few seconds of the emulator's clock
        key = api.post("issues", {**NEW_ISSUE, "description": "hoshu-bot:alert:abc:1"}).json()["issueKey"]
        assert _keyword(api, "hoshu-bot:alert:abc:1") == []
        assert [i["issueKey"] for i in api.get("issues", {"createdUserId[]": "1000"}).json()] == [key]
        clock.advance(4.9)
        assert _keyword(api, "hoshu-bot:alert:abc") == []
        clock.advance(0.1)
        assert _keyword(api, "hoshu-bot:alert:abc") == [key]

    def test_an_edited_description_is_found_by_its_old_text_until_the_lag(
        self, api: Api, clock: FakeClock, emu: BacklogEmulator
    ) -> None:
        emu.search_lag = 120  # tests may set minutes
        api.post("issues", {**NEW_ISSUE, "description": "古い本文"})
        clock.advance(120)
        api.patch("issues/ACME-1", {"description": "新しい本文"})
        assert (_keyword(api, "古い"), _keyword(api, "新しい")) == (["ACME-1"], [])
        clock.advance(120)
        assert (_keyword(api, "古い"), _keyword(api, "新しい")) == ([], ["ACME-1"])

    def test_keyword_covers_summary_and_description_not_comments(
        self, api: Api, clock: FakeClock, emu: BacklogEmulator
    ) -> None:
        emu.search_lag = 0
        api.post("issues", NEW_ISSUE)
        api.post("issues/ACME-1/comments", {"content": "コメントだけにある語"})
        assert _keyword(api, "コメントだけ") == []
        assert _keyword(api, "ログイン画面") == ["ACME-1"]


class TestStrictParameters:
    def test_an_unknown_query_parameter_is_400_code_7(self, api: Api) -> None:
        response = api.get("issues", {"sortt": "created"})
        assert (response.status_code, error_code(response)) == (400, 7)
        response = api.get("issues/ACME-1/comments", {"minid": "3"})
        assert (response.status_code, error_code(response)) == (400, 7)

    def test_an_unknown_form_parameter_is_400_and_writes_nothing(self, api: Api,
                                                                 emu: BacklogEmulator) -> None:
        response = api.post("issues", {**NEW_ISSUE, "assignee": "1001"})
        assert (response.status_code, error_code(response)) == (400, 7)
        assert emu.state.issues == {}

    def test_custom_fields_and_documented_parameters_pass(self, api: Api) -> None:
        assert api.post("issues", {**NEW_ISSUE, "customField_1": "1.5"}).status_code == 201
        params = {"customField_1_min": "1", "createdUserId[]": "1000", "sort": "created", "offset": "0"}
        assert api.get("issues", params).status_code == 200


class TestFieldOnlyUpdate:
    def test_a_status_change_alone_leaves_a_comment_with_empty_content(self, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        api.patch("issues/ACME-1", {"statusId": "5"})
        [comment] = api.get("issues/ACME-1/comments").json()
        assert comment["content"] == ""
        assert comment["changeLog"][0]["field"] == "status"
        activity = api.get("projects/ACME/activities").json()[0]
        assert (activity["type"], activity["content"]["comment"]["content"]) == (2, "")


class TestBulkUpdate:
    def test_one_type_14_activity_names_the_issues_and_each_issue_is_updated(
        self, api: Api, emu: BacklogEmulator
    ) -> None:
        first = api.post("issues", NEW_ISSUE).json()
        second = api.post("issues", {**NEW_ISSUE, "summary": "帳票が文字化けする"}).json()
        activity = emu.bulk_update_as("sato", ["ACME-1", "ACME-2"], statusId="4", comment="まとめて完了")
        content = activity["content"]
        assert activity["type"] == 14 and "id" not in content and "key_id" not in content
        assert isinstance(content["tx_id"], int) and content["comment"] == {"content": "まとめて完了"}
        comments = [api.get(f"issues/ACME-{n}/comments").json()[0] for n in (1, 2)]
        assert content["link"] == [  # each issue with its own comment (backlog-js MultiUpdateLink)
            {"id": first["id"], "key_id": 1, "title": "ログイン画面が表示されない",
             "comment": {"id": comments[0]["id"], "content": "まとめて完了"}},
            {"id": second["id"], "key_id": 2, "title": "帳票が文字化けする",
             "comment": {"id": comments[1]["id"], "content": "まとめて完了"}},
        ]
        # no old_value (backlog-js MultiUpdateChange)
        assert content["changes"] == [{"field": "status", "new_value": "4", "type": "standard"}]
        assert [api.get(f"issues/ACME-{n}").json()["status"]["name"] for n in (1, 2)] == ["完了", "完了"]
        assert api.get("issues/ACME-2/comments").json()[0]["content"] == "まとめて完了"
        types = [a["type"] for a in api.get("space/activities", {"order": "asc"}).json()]
        assert types == [1, 1, 14]  # no type 2 per issue
        seen = api.get("space/activities", {"activityTypeId[]": "14"}).json()
        assert [a["id"] for a in seen] == [activity["id"]]

    def test_a_bulk_update_across_projects_is_refused(self, api: Api, emu: BacklogEmulator) -> None:
        api.post("issues", NEW_ISSUE)
        emu.add_issue_as("hoshu-bot", "BETA", "ベータの課題")
        with pytest.raises(BacklogInvalidRequestError) as refused:
            emu.bulk_update_as("sato", ["ACME-1", "BETA-1"], statusId="4")
        assert refused.value.code == 7
        assert api.get("issues/ACME-1").json()["status"]["name"] == "未対応"
