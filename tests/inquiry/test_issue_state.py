"""Issue 11: the pure half of reading state from issues: field comparison and the status-name cache."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.backlog.models import Status
from bot.inquiry.issue_state import IssueFields, StatusNames, compare
from bot.state.inquiries import InquiryRow

JST = ZoneInfo("Asia/Tokyo")


def row(**data: object) -> InquiryRow:
    at = datetime(2026, 11, 30, 11, tzinfo=JST)
    return InquiryRow("ACME-1", "ACME", 1, "件名", "yamada", at, "未対応", at, data=dict(data))


class TestCompare:
    def test_hours_compare_as_numbers_so_a_respelling_is_no_change(self) -> None:
        known = IssueFields("未対応", estimated=Decimal("2"))
        assert compare(known, IssueFields("未対応", estimated=Decimal("2.0"))) == frozenset()
        assert compare(known, IssueFields("未対応", estimated=Decimal("2.5"))) == {"estimated"}

    def test_every_tracked_field_is_compared(self) -> None:
        known = IssueFields("未対応")
        now = IssueFields("完了", Decimal(1), Decimal(2), "sato", date(2026, 12, 3))
        assert compare(known, now) == {"status", "estimated", "actual", "assignee", "due"}

    def test_the_store_round_trips_what_it_was_told(self) -> None:
        now = IssueFields("未対応", Decimal("1.50"), None, "sato", date(2026, 12, 3))
        back = IssueFields.known(row(fields=now.to_json()))
        assert back == now
        assert compare(back, now) == frozenset()

    def test_a_row_that_never_saw_the_fields_knows_only_its_status(self) -> None:
        assert IssueFields.known(row()) == IssueFields("未対応")


class TestStatusNames:
    def make(self, lists: list[dict[int, str]]) -> tuple[StatusNames, list[str]]:
        asked: list[str] = []

        def fetch(project: str) -> dict[int, str]:
            asked.append(project)
            return lists[min(len(asked), len(lists)) - 1]

        return StatusNames(fetch), asked

    def test_names_come_by_id_from_the_projects_list_once(self) -> None:
        names, asked = self.make([{1: "未対応", 5: "お客様確認待ち"}])
        assert names.name("ACME", Status(5, 101, "", 0)) == "お客様確認待ち"  # the issue names none
        assert names.name("ACME", Status(1, 101, "未対応", 0)) == "未対応"
        assert names.name("ACME", Status(5, 101, "お客様確認待ち", 0)) == "お客様確認待ち"
        assert asked == ["ACME"]

    def test_a_status_renamed_since_refreshes_the_list_once(self) -> None:
        names, asked = self.make([{5: "確認待ち"}, {5: "お客様確認待ち"}])
        assert names.name("ACME", Status(5, 101, "確認待ち", 0)) == "確認待ち"
        assert names.name("ACME", Status(5, 101, "お客様確認待ち", 0)) == "お客様確認待ち"
        assert names.name("ACME", Status(5, 101, "お客様確認待ち", 0)) == "お客様確認待ち"
        assert asked == ["ACME", "ACME"]

    def test_an_unknown_id_refreshes_the_list_once_then_falls_back_to_the_issues_name(self) -> None:
        names, asked = self.make([{1: "未対応"}, {1: "未対応", 7: "保留"}])
        assert names.name("ACME", Status(1, 101, "未対応", 0)) == "未対応"
        assert names.name("ACME", Status(7, 101, "保留", 0)) == "保留"  # added since: one refresh
        assert asked == ["ACME", "ACME"]
        assert names.name("ACME", Status(9, 101, "謎", 0)) == "謎"  # unknown after a refresh too
        assert names.name("ACME", Status(9, 101, "謎", 0)) == "謎"
        assert asked == ["ACME", "ACME", "ACME"]

    def test_projects_are_cached_apart(self) -> None:
        names, asked = self.make([{5: "お客様確認待ち"}])
        names.name("ACME", Status(5, 101, "", 0))
        names.name("BETA", Status(5, 102, "", 0))
        assert asked == ["ACME", "BETA"]
