"""Form/query encoding and endpoint mapping against `responses` (issue 3, parts 1 and 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs

import responses
from requests import PreparedRequest
from responses import matchers

from bot.backlog.form import encode_custom_fields, encode_fields
from bot.backlog_client import BacklogClient
from tests.backlog_client.factories import API, KEY, activity_json, comment_json, issue_json


def form_matcher(expected: dict[str, list[str]]) -> Callable[[PreparedRequest], tuple[bool, str]]:
    """Exact form body, repeated keys included (``urlencoded_params_matcher`` collapses them)."""

    def match(request: PreparedRequest) -> tuple[bool, str]:
        body = request.body if isinstance(request.body, str) else (request.body or b"").decode()
        got = parse_qs(body, keep_blank_values=True)
        return got == expected, f"form {got} != {expected}"

    return match


class TestEncoding:
    def test_lists_repeat_with_brackets_and_booleans_are_words(self) -> None:
        fields = {"statusId": [1, 2], "mailNotify": False, "x": None, "d": date(2026, 11, 26)}
        assert encode_fields(fields) == [
            ("statusId[]", "1"), ("statusId[]", "2"), ("mailNotify", "false"), ("d", "2026-11-26")]

    def test_custom_fields_single_and_multi_value(self) -> None:
        assert encode_custom_fields({3: "abc", 4: [11, 12], 5: Decimal("1.5")}) == [
            ("customField_3", "abc"), ("customField_4[0]", "11"), ("customField_4[1]", "12"),
            ("customField_5", "1.5")]

    @responses.activate
    def test_add_issue_sends_arrays_and_custom_fields_form_encoded(self, client: BacklogClient) -> None:
        responses.post(f"{API}/issues", status=201, json=issue_json(), match=[
            matchers.query_param_matcher({"apiKey": KEY}),
            form_matcher({
                "projectId": ["10"], "summary": ["件名"], "issueTypeId": ["7"], "priorityId": ["3"],
                "description": ["本文"], "notifiedUserId[]": ["1", "2"], "estimatedHours": ["1.50"],
                "customField_3": ["acme-corp"], "customField_4[0]": ["11"], "customField_4[1]": ["12"]}),
        ])
        issue = client.add_issue(10, "件名", 7, 3, description="本文", notified_user_ids=[1, 2],
                                 estimated_hours=Decimal("1.50"), custom_fields={3: "acme-corp", 4: [11, 12]})
        assert issue.key == "ACME-12"

    @responses.activate
    def test_list_issues_sends_filters_as_query_arrays(self, client: BacklogClient) -> None:
        responses.get(f"{API}/issues", json=[issue_json()], match=[matchers.query_param_matcher({
            "apiKey": KEY, "projectId[]": ["10", "20"], "statusId[]": ["1", "2"],
            "updatedSince": "2026-11-01",
            "keyword": "ログイン", "sort": "updated", "order": "asc", "offset": "0", "count": "100"})])
        issues = client.list_issues(project_ids=[10, 20], status_ids=[1, 2], updated_since=date(2026, 11, 1),
                                    keyword="ログイン")
        assert [i.key for i in issues] == ["ACME-12"]


class TestModels:
    @responses.activate
    def test_issue_is_typed_with_aware_datetimes_decimal_hours_and_jst_dates(
        self, client: BacklogClient
    ) -> None:
        custom = [{"id": 3, "fieldTypeId": 1, "name": "アラートキー", "value": "acme-corp"},
                  {"id": 4, "fieldTypeId": 6, "name": "区分", "value": [{"id": 11, "name": "障害"}]},
                  {"id": 5, "fieldTypeId": 3, "name": "金額", "value": 1200}]
        responses.get(f"{API}/issues/ACME-12", json=issue_json(customFields=custom))
        issue = client.get_issue("ACME-12")
        assert issue.created == datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)
        assert issue.estimated_hours == Decimal("1.5")
        assert isinstance(issue.estimated_hours, Decimal)
        assert issue.due_date == date(2026, 12, 4)  # 15:00Z is midnight JST the next day
        assert issue.status.name == "未対応"
        assert issue.custom_fields[0].value == "acme-corp"
        assert issue.custom_fields[1].items[0].name == "障害"
        assert issue.custom_fields[2].value == Decimal(1200)

    @responses.activate
    def test_activity_reads_snake_case_content(self, client: BacklogClient) -> None:
        responses.get(f"{API}/space/activities", json=[activity_json(7)])
        (act,) = client.list_space_activities()
        assert (act.project_key, act.content.key_id, act.content.comment_id) == ("ACME", 12, 907)
        assert act.content.changes[0].new_value == "2"


class TestPaging:
    @responses.activate
    def test_iter_issues_walks_every_page_by_offset(self, client: BacklogClient) -> None:
        first = [issue_json(i, f"ACME-{i}") for i in range(1, 101)]
        second = [issue_json(i, f"ACME-{i}") for i in range(101, 131)]
        responses.get(f"{API}/issues", json=first, match=[matchers.query_param_matcher(
            {"offset": "0"}, strict_match=False)])
        responses.get(f"{API}/issues", json=second, match=[matchers.query_param_matcher(
            {"offset": "100"}, strict_match=False)])
        assert [i.id for i in client.iter_issues(project_ids=[10])] == list(range(1, 131))

    @responses.activate
    def test_iter_comments_deduplicates_an_inclusive_min_id(self, client: BacklogClient) -> None:
        page1 = [comment_json(i) for i in range(5, 105)]
        page2 = [comment_json(i) for i in range(104, 110)]  # repeats 104: minId behaved inclusively
        responses.get(f"{API}/issues/ACME-12/comments", json=page1, match=[matchers.query_param_matcher(
            {"minId": "4"}, strict_match=False)])
        responses.get(f"{API}/issues/ACME-12/comments", json=page2, match=[matchers.query_param_matcher(
            {"minId": "104"}, strict_match=False)])
        ids = [c.id for c in client.iter_comments("ACME-12", min_id=4)]
        assert ids == list(range(5, 110))

    @responses.activate
    def test_iter_space_activities_stops_on_a_page_with_nothing_new(self, client: BacklogClient) -> None:
        responses.get(f"{API}/space/activities", json=[activity_json(i) for i in range(1, 101)])
        responses.get(f"{API}/space/activities", json=[activity_json(100)] * 100)
        assert len(list(client.iter_space_activities())) == 100

    @responses.activate
    def test_add_issue_falls_back_to_the_location_header(self, client: BacklogClient) -> None:
        responses.post(f"{API}/issues", status=201, body=b"",
                       headers={"Location": "https://hoshu.backlog.com/view/ACME-12"})
        responses.get(f"{API}/issues/ACME-12", json=issue_json())
        assert client.add_issue(10, "件名", 7, 3).key == "ACME-12"
