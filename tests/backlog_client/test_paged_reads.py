"""The reads other modules page with (issue 11): statuses by id, issues by creator, comments both ways,
and bulk-update activities (type 14) parsed with their linked issues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from responses import matchers

from bot.backlog.feed import parse_activity
from bot.backlog_client import BacklogClient
from bot.sandbox import BacklogEmulator
from tests.backlog_client.factories import API, FakeClock, comment_json


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=clock) as emulator:
        yield emulator


@pytest.fixture
def bot(emu: BacklogEmulator, clock: FakeClock) -> BacklogClient:
    return BacklogClient(emu.base_url, emu.api_key, timeout=(2, 2), sleep=clock.sleep, clock=clock,
                         rng=lambda: 0.5)


def test_status_names_map_ids_of_the_project(bot: BacklogClient) -> None:
    names = bot.status_names("ACME")
    assert names[1] == "未対応"
    assert names[5] == "お客様確認待ち"  # a custom status, space-wide id (sandbox README)


def test_issues_by_creator_newest_first_page_to_the_end(bot: BacklogClient, emu: BacklogEmulator,
                                                        clock: FakeClock) -> None:
    acme = bot.get_project("ACME")
    for n in range(130):
        emu.add_issue_as("hoshu-bot" if n % 2 else "yamada", "ACME", f"件名 {n}")
        clock.now += 1
    me = bot.get_myself()
    mine = list(bot.iter_issues(project_ids=[acme.id], created_user_ids=[me.id], sort="created",
                                order="desc"))
    assert [i.summary for i in mine[:2]] == ["件名 129", "件名 127"]
    assert len(mine) == 65 and {i.created_user.id for i in mine if i.created_user} == {me.id}
    sent = [r.query for r in emu.requests if r.path == "/api/v2/issues"]
    assert sent[0]["createdUserId[]"] == [str(me.id)] and sent[0]["sort"] == ["created"]
    assert bot.count_issues(project_ids=[acme.id], created_user_ids=[me.id]) == 65


def test_comments_newest_first_page_with_max_id_to_the_oldest(bot: BacklogClient, emu: BacklogEmulator,
                                                             clock: FakeClock) -> None:
    key = emu.add_issue_as("yamada", "ACME", "コメントの多い課題")["issueKey"]
    for n in range(250):
        emu.add_comment_as("yamada", key, f"コメント {n}")
    newest = list(bot.iter_comments_newest_first(key))
    assert [c.content for c in newest[:2]] == ["コメント 249", "コメント 248"]
    assert len(newest) == 250 and newest[-1].content == "コメント 0"
    ids = [c.id for c in newest]
    assert ids == sorted(ids, reverse=True)
    pages = [r.query for r in emu.requests if r.path.endswith("/comments")]
    assert len(pages) == 3 and pages[1]["maxId"] == [str(ids[99])] and pages[1]["order"] == ["desc"]
    assert [c.id for c in bot.iter_comments_newest_first(key, max_id=ids[10])][:1] == [ids[11]]
    assert len(list(bot.iter_comments(key))) == 250  # oldest first, minId paging, to the end


@responses.activate
def test_newest_first_drops_repeats_when_max_id_is_inclusive(client: BacklogClient) -> None:
    # Whether maxId is inclusive is undocumented (reference §5): either answer gives each comment once.
    first = [comment_json(i) for i in range(300, 200, -1)]
    second = [comment_json(i) for i in range(201, 150, -1)]  # repeats 201: an inclusive maxId
    responses.get(f"{API}/issues/ACME-1/comments", json=first,
                  match=[matchers.query_param_matcher({"apiKey": "k3y-SECRET-abcdef0123456789",
                                                       "count": "100", "order": "desc"})])
    responses.get(f"{API}/issues/ACME-1/comments", json=second)
    ids = [c.id for c in client.iter_comments_newest_first("ACME-1")]
    assert ids == list(range(300, 150, -1))


def test_bulk_update_activity_names_its_issues() -> None:
    # The shape of backlog4j's IssueMultiUpdatedContent / LinkJSONImpl (tx_id, comment, link[], changes).
    activity = parse_activity({
        "id": 77, "type": 14, "project": {"id": 1, "projectKey": "ACME"},
        "content": {"tx_id": 5012, "comment": {"content": ""},
                    "link": [{"id": 11, "key_id": 3, "title": "ログイン不可"},
                             {"id": 12, "key_id": 4, "title": "帳票の文字化け"}],
                    "changes": [{"field": "status", "new_value": "4", "old_value": "", "type": "standard"}]},
        "createdUser": {"id": 1001, "userId": "sato", "name": "佐藤"}, "created": "2026-12-01T01:00:00Z",
    })
    assert (activity.content.id, activity.content.key_id, activity.content.tx_id) == (None, None, 5012)
    assert [(x.id, x.key_id, x.title) for x in activity.content.links] == [
        (11, 3, "ログイン不可"), (12, 4, "帳票の文字化け")]
    assert activity.content.changes[0].new_value == "4"
