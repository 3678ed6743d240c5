"""The pieces under the worker tests: one feed record read on its own, and a configured user resolved."""

from __future__ import annotations

from typing import Any

import pytest

from bot.backlog.feed import parse_page, parse_record
from bot.backlog.models import Activity, SkippedActivity, User
from bot.backlog.people import find, handle, is_handle_of, resolve
from bot.errors import ConfigError

USER = {"id": 1003, "userId": None, "name": "山田 太郎", "nulabAccount": {"nulabId": "x", "name": "山田",
                                                                       "uniqueId": "yamada"}}
BASE = {"id": 7, "project": {"id": 101, "projectKey": "ACME"}, "createdUser": USER,
        "created": "2026-11-26T01:00:00Z"}


def record(**over: Any) -> dict[str, Any]:
    return {**BASE, **over}


class TestRecords:
    @pytest.mark.parametrize(("raw", "reason"), [
        (record(type=1, content={"id": "019d465a", "key_id": 3}), "content.id is str"),
        (record(type=3, content={"id": 1}), "content.key_id is NoneType"),
        (record(type=2, content={"id": 1, "key_id": True}), "content.key_id is bool"),
        (record(type=3, content={"id": 1, "key_id": 2, "comment": "text"}), "content.comment is str"),
        (record(type=14, content={"link": {"id": 1}}), "content.link is not a list"),
        (record(type=47, content={"link": [{"key_id": 2}]}), "link[0].id is NoneType"),
        (record(type=1, content={"id": 1, "key_id": 2}, createdUser=None), "createdUser is missing"),
        (record(type=1, content={"id": 1, "key_id": 2}, created=None), "created is missing"),
        (record(type="新", content={}), "type is str"),
    ], ids=["hex-id", "no-key", "bool-key", "comment-text", "link-object", "link-no-id", "no-author",
            "no-time", "text-type"])
    def test_a_record_not_understood_is_skipped_with_its_id_and_reason(
        self, raw: dict[str, Any], reason: str
    ) -> None:
        got = parse_record(raw)
        assert isinstance(got, SkippedActivity)
        assert got.id == 7
        assert reason in got.reason

    def test_documents_and_unknown_types_are_envelopes_and_digit_strings_are_ids(self) -> None:
        page = parse_page([
            record(type=36, content={"id": "019d465a5b2c", "title": "手順書"}),
            record(type=1, content={"id": "55", "key_id": "12", "summary": "件名"}),  # idobata: ids as text
            record(type=14, content={"link": [{"id": 5, "key_id": 3, "title": "t",
                                               "comment": {"id": 9, "content": "対応します"}}],
                                     "changes": [{"field": "status", "new_value": "4"}, 3]}),
            "not a record",
        ])
        assert page.size == 4
        doc, issue, bulk, junk = page.records
        assert isinstance(doc, Activity) and doc.type == 36 and doc.content.id is None
        assert isinstance(issue, Activity) and (issue.content.id, issue.content.key_id) == (55, 12)
        assert isinstance(bulk, Activity) and bulk.content.links[0].comment_id == 9
        assert bulk.content.changes[0].original_value is None  # type 14 has no old_value
        assert isinstance(junk, SkippedActivity) and junk.id is None
        assert issue.created_user is not None and handle(issue.created_user) == "id:1003"


def user(n: int, login: str | None, mail: str | None) -> User:
    return User(n, login, f"user {n}", 2, mail)


MEMBERS = [user(1, "sato", "sato@hoshu.example.jp"), user(2, None, "suzuki@hoshu.example.jp"),
           user(3, "a@b", "other@example.jp"), user(4, None, "a@b")]


class TestPeople:
    @pytest.mark.parametrize(("entry", "expected"), [
        ("sato", 1), ("SATO@hoshu.example.jp", 1), ("id:2", 2), ("suzuki@hoshu.example.jp", 2),
        ("id:9", None), ("suzuki", None), ("a@b", None), ("id:x", None),
    ])
    def test_an_entry_names_one_user_or_none(self, entry: str, expected: int | None) -> None:
        found = find(entry, MEMBERS)
        assert (found.id if found else None) == expected

    def test_unknown_and_ambiguous_entries_name_the_file_and_entry(self) -> None:
        with pytest.raises(ConfigError, match=r"service.toml: staff.users\[0\]: 'suzuki' is not a user of"):
            resolve("suzuki", MEMBERS, file="service.toml", field="staff.users[0]", where="HOSHU")
        with pytest.raises(ConfigError, match=r"'a@b' matches several users of project HOSHU \(id:3, id:4\)"):
            resolve("a@b", MEMBERS, file="service.toml", field="staff.users[1]", where="HOSHU")

    def test_a_handle_is_compared_by_numeric_id_when_it_carries_one(self) -> None:
        assert is_handle_of("id:1", MEMBERS[0]) and is_handle_of("sato", MEMBERS[0])
        assert not is_handle_of("id:2", MEMBERS[0]) and not is_handle_of("", MEMBERS[1])
        assert not is_handle_of("suzuki", MEMBERS[1])  # no login: only its id names it
