"""Errors like Backlog's (reference section 2, gotchas 1-2): 400/7, 401/11, 403/5, 404/6, errors[] body."""

from __future__ import annotations

import pytest
import requests

from bot.sandbox import BacklogEmulator
from tests.sandbox.conftest import NEW_ISSUE, Api, error_code


class TestAuthentication:
    @pytest.mark.parametrize("key", ["", "wrong-key"], ids=["missing", "unknown"])
    def test_bad_or_missing_api_key_is_401_code_11(self, emu: BacklogEmulator, key: str) -> None:
        params = {"apiKey": key} if key else {}
        response = requests.get(f"{emu.base_url}/api/v2/space", params=params, timeout=5)
        assert response.status_code == 401
        assert error_code(response) == 11
        assert response.json()["errors"][0]["moreInfo"] == ""

    def test_writes_are_authored_by_the_key_owner(self, api: Api) -> None:
        issue = api.as_user("yamada").post("issues", NEW_ISSUE).json()
        assert issue["createdUser"]["userId"] == "yamada"


class TestValidation:
    @pytest.mark.parametrize(
        "missing", ["projectId", "summary", "issueTypeId", "priorityId"], ids=lambda name: f"without-{name}"
    )
    def test_missing_required_issue_parameter_is_400_code_7(self, api: Api, missing: str) -> None:
        form = {k: v for k, v in NEW_ISSUE.items() if k != missing}
        response = api.post("issues", form)
        assert response.status_code == 400
        assert error_code(response) == 7

    @pytest.mark.parametrize(
        ("field", "limit"),
        [("summary", 255), ("description", 100_000)],
        ids=["summary-255", "description-100000"],
    )
    def test_issue_text_over_the_limit_is_400_code_7_and_at_the_limit_is_fine(
        self, api: Api, field: str, limit: int
    ) -> None:
        assert api.post("issues", {**NEW_ISSUE, field: "あ" * limit}).status_code == 201
        too_long = api.post("issues", {**NEW_ISSUE, field: "あ" * (limit + 1)})
        assert too_long.status_code == 400
        assert error_code(too_long) == 7

    def test_comment_over_50000_characters_is_400_code_7(self, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        assert api.post("issues/ACME-1/comments", {"content": "x" * 50_000}).status_code == 201
        response = api.post("issues/ACME-1/comments", {"content": "x" * 50_001})
        assert (response.status_code, error_code(response)) == (400, 7)

    @pytest.mark.parametrize(
        ("path", "form"),
        [
            ("issues", {**NEW_ISSUE, "summary": "障害 🚨"}),
            ("issues", {**NEW_ISSUE, "description": "絵文字 😀 入り"}),
            ("issues/ACME-1/comments", {"content": "了解です👍"}),
            ("issues/ACME-1", {"comment": "更新🙏"}),
        ],
        ids=["summary", "description", "comment", "patch-comment"],
    )
    def test_four_byte_characters_are_rejected_like_backlog(
        self, api: Api, path: str, form: dict[str, str]
    ) -> None:
        """Gotcha 1: Backlog answers 400 ``Incorrect String: %F0...`` for 4-byte UTF-8."""
        api.post("issues", NEW_ISSUE)
        send = api.patch if path == "issues/ACME-1" else api.post
        response = send(path, form)
        assert response.status_code == 400
        assert error_code(response) == 7
        assert response.json()["errors"][0]["message"].startswith("Incorrect String: %F0")

    def test_rejected_patch_changes_nothing(self, api: Api, emu: BacklogEmulator) -> None:
        api.post("issues", NEW_ISSUE)
        response = api.patch("issues/ACME-1", {"statusId": "2", "comment": "🙏"})
        assert response.status_code == 400
        assert api.get("issues/ACME-1").json()["status"]["id"] == 1
        assert [a.type for a in emu.state.activities] == [1]

    @pytest.mark.parametrize(
        "form",
        [{"statusId": "6"}, {"issueTypeId": "11"}, {"assigneeId": "1005"}, {"estimatedHours": "abc"}],
        ids=[
            "status-of-another-project",
            "type-of-another-project",
            "assignee-not-member",
            "hours-not-number",
        ],
    )
    def test_bad_update_values_are_400_code_7(self, api: Api, form: dict[str, str]) -> None:
        api.post("issues", NEW_ISSUE)
        response = api.patch("issues/ACME-1", form)
        assert (response.status_code, error_code(response)) == (400, 7)

    def test_count_over_100_is_400_code_7(self, api: Api) -> None:
        response = api.get("issues", {"count": "101"})
        assert (response.status_code, error_code(response)) == (400, 7)


class TestMissingResources:
    @pytest.mark.parametrize(
        "path",
        [
            "projects/NOPE",
            "projects/NOPE/statuses",
            "issues/ACME-99",
            "issues/999999",
            "issues/NOPE-1/comments",
            "wikis/424242",
        ],
        ids=["project", "statuses", "issue-key", "issue-id", "comments", "wiki"],
    )
    def test_unknown_resources_are_404_code_6(self, api: Api, path: str) -> None:
        response = api.get(path)
        assert (response.status_code, error_code(response)) == (404, 6)

    def test_unknown_project_on_create_is_404_code_6(self, api: Api) -> None:
        response = api.post("issues", {**NEW_ISSUE, "projectId": "9999"})
        assert (response.status_code, error_code(response)) == (404, 6)

    def test_a_customer_cannot_see_another_customers_project(self, api: Api) -> None:
        tanaka = api.as_user("tanaka")
        response = tanaka.get("projects/ACME")
        assert (response.status_code, error_code(response)) == (404, 6)
        api.post("issues", NEW_ISSUE)
        assert tanaka.get("issues", {"projectId[]": "101"}).json() == []


class TestWikiAvailability:
    def test_wiki_on_a_project_without_wiki_is_403_code_5(self, api: Api) -> None:
        """Our reading: BETA has useWiki=false; Backlog's exact error is undocumented (reference 6)."""
        listing = api.get("wikis", {"projectIdOrKey": "BETA"})
        creation = api.post("wikis", {"projectId": "102", "name": "報告", "content": "x"})
        assert (listing.status_code, error_code(listing)) == (403, 5)
        assert (creation.status_code, error_code(creation)) == (403, 5)

    def test_duplicate_page_name_is_400_code_7(self, api: Api) -> None:
        assert api.post("wikis", {"projectId": "101", "name": "報告", "content": "a"}).status_code == 201
        response = api.post("wikis", {"projectId": "101", "name": "報告", "content": "b"})
        assert (response.status_code, error_code(response)) == (400, 7)
