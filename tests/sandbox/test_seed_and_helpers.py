"""Seeds (bundled default, files, generated scale seeds), the scenario helpers and thread safety."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests

from bot.errors import BacklogInvalidRequestError, BacklogNotFoundError
from bot.sandbox import BacklogEmulator, default_seed, seed_for
from tests.sandbox.conftest import NEW_ISSUE, Api, FakeClock


class TestDefaultSeed:
    def test_holds_the_shared_example_data(self, emu: BacklogEmulator) -> None:
        state = emu.state
        projects = {p.key: p for p in state.projects.values()}
        assert set(projects) == {"ACME", "BETA", "HOSHU"}
        assert (projects["ACME"].text_formatting_rule, projects["ACME"].use_wiki) == ("markdown", True)
        assert (projects["BETA"].text_formatting_rule, projects["BETA"].use_wiki) == ("backlog", False)
        logins = {u.user_id for u in state.users.values()}
        assert logins == {"hoshu-bot", "sato", "suzuki", "yamada", "kimura", "tanaka"}
        members = {k: {state.users[i].user_id for i in p.member_ids} for k, p in projects.items()}
        assert {"yamada", "kimura"} <= members["ACME"] and "tanaka" not in members["ACME"]
        assert "tanaka" in members["BETA"]
        for project in projects.values():
            assert [t.name for t in project.issue_types] == [
                "タスク",
                "バグ",
                "要望",
                "その他",
                "監視アラート",
            ]
        assert emu.state.users[emu.state.bot_user_id].user_id == "hoshu-bot"

    def test_api_keys_map_to_seeded_users(self, emu: BacklogEmulator) -> None:
        for login in ("hoshu-bot", "sato", "kimura"):
            key = emu.api_key_for(login)
            me = requests.get(f"{emu.base_url}/api/v2/users/myself", params={"apiKey": key}, timeout=5).json()
            assert me["userId"] == login


class TestSeedSources:
    def test_toml_file_with_existing_issues_comments_and_wikis(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        seed = tmp_path / "seed.toml"
        seed.write_text(
            """
[space]
botUser = "bot"
[[users]]
userId = "bot"
[[users]]
userId = "cust"
[[projects]]
projectKey = "X"
members = ["cust"]
issueTypes = ["タスク"]
statuses = [{ name = "お客様確認待ち" }]
[[issues]]
project = "X"
summary = "既存の課題"
createdUser = "cust"
created = 2026-11-01T00:00:00Z
status = 2
comments = [{ user = "bot", content = "対応中です", created = 2026-11-02T00:00:00Z }]
[[wikis]]
project = "X"
name = "Home"
content = "hello"
""",
            encoding="utf-8",
        )
        with BacklogEmulator.start(seed, clock=clock) as emu:
            api = Api(emu, emu.api_key)
            issue = api.get("issues/X-1").json()
            assert (issue["status"]["id"], issue["createdUser"]["userId"]) == (2, "cust")
            assert issue["created"] == "2026-11-01T00:00:00Z"
            assert [c["content"] for c in api.get("issues/X-1/comments").json()] == ["対応中です"]
            assert [s["name"] for s in api.get("projects/X/statuses").json()][-1] == "お客様確認待ち"
            assert [a["type"] for a in api.get("projects/X/activities", {"order": "asc"}).json()] == [1, 3, 5]

    def test_json_file_and_dict_seeds(self, tmp_path: Path, clock: FakeClock) -> None:
        path = tmp_path / "seed.json"
        path.write_text(json.dumps(default_seed(), default=str), encoding="utf-8")
        with BacklogEmulator.start(path, clock=clock) as emu:
            assert emu.state.project("ACME").name == "株式会社アクメ"
        with BacklogEmulator.start(default_seed(), clock=clock) as emu:
            assert emu.state.project("HOSHU").use_wiki

    @pytest.mark.parametrize("customers", [200, 1000], ids=["200", "1000"])
    def test_generated_seeds_serve_many_customer_projects(self, clock: FakeClock, customers: int) -> None:
        with BacklogEmulator.start(seed_for(customers), clock=clock) as emu:
            api = Api(emu, emu.api_key)
            last = f"CUST{customers:03d}"
            assert api.get(f"projects/{last}").json()["projectKey"] == last
            assert len(emu.state.projects) == customers + 3
            statuses = api.get(f"projects/{last}/statuses").json()
            assert statuses[-1]["name"] == "お客様確認待ち"
            assert len({s.id for p in emu.state.projects.values() for s in p.statuses}) == 4 + 2 + customers


class TestLifecycle:
    def test_stop_closes_the_port_and_may_be_called_twice(self, clock: FakeClock) -> None:
        with BacklogEmulator.start(clock=clock) as emu:
            assert requests.get(f"{emu.base_url}/api/v2/space", params={"apiKey": emu.api_key}, timeout=5).ok
        emu.stop()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{emu.base_url}/api/v2/space", params={"apiKey": emu.api_key}, timeout=5)


class TestScenarioHelpers:
    def test_add_issue_as_behaves_like_the_http_call_by_that_user(
        self, emu: BacklogEmulator, api: Api
    ) -> None:
        by_helper = emu.add_issue_as("yamada", "ACME", "画面が真っ白です", "昨日から")
        by_http = (
            api.as_user("yamada")
            .post(
                "issues",
                {**NEW_ISSUE, "summary": "画面が真っ白です", "description": "昨日から", "issueTypeId": "1"},
            )
            .json()
        )
        ignore = {"id", "issueKey", "keyId"}
        assert {k: v for k, v in by_helper.items() if k not in ignore} == {
            k: v for k, v in by_http.items() if k not in ignore
        }
        assert [(a.type, emu.state.users[a.created_user_id].user_id) for a in emu.state.activities] == [
            (1, "yamada"),
            (1, "yamada"),
        ]

    def test_add_comment_as_generates_a_comment_activity(self, emu: BacklogEmulator) -> None:
        issue = emu.add_issue_as("kimura", "ACME", "質問")
        comment = emu.add_comment_as("kimura", issue["issueKey"], "追加情報です")
        assert comment["createdUser"]["userId"] == "kimura"
        last = emu.state.activities[-1]
        assert (last.type, last.content["comment"]) == (3, {"id": comment["id"], "content": "追加情報です"})

    def test_helpers_validate_like_the_api(self, emu: BacklogEmulator) -> None:
        with pytest.raises(BacklogInvalidRequestError, match="Incorrect String"):
            emu.add_issue_as("yamada", "ACME", "😀")
        with pytest.raises(BacklogNotFoundError):
            emu.add_issue_as("tanaka", "ACME", "他社の課題")


class TestThreadSafety:
    def test_concurrent_writes_keep_keys_unique_and_complete(self, clock: FakeClock) -> None:
        """Sixteen clients creating and commenting at once: no lost write, no duplicate key."""
        with BacklogEmulator.start(limits={"update": 1000}, clock=clock) as emu:
            self._hammer(emu)

    def _hammer(self, emu: BacklogEmulator) -> None:
        errors: list[BaseException] = []

        def client(n: int) -> None:
            try:
                api = Api(emu, emu.api_key)
                for m in range(5):
                    key = api.post("issues", {**NEW_ISSUE, "summary": f"t{n}-{m}"}).json()["issueKey"]
                    assert api.post(f"issues/{key}/comments", {"content": "c"}).status_code == 201
            except BaseException as exc:  # collected: a failure in a thread must fail the test
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        issues = list(emu.state.issues.values())
        assert len(issues) == 80
        assert sorted(i.key_id for i in issues) == list(range(1, 81))
        assert len(emu.state.comments) == 80
        assert len({a.id for a in emu.state.activities}) == len(emu.state.activities) == 160
        assert len(emu.requests) == 160
