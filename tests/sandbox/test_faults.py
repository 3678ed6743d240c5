"""Fault injection and request recording: the tools the client's retry and idempotency tests rely on."""

from __future__ import annotations

import pytest
import requests

from bot.sandbox import BacklogEmulator
from tests.sandbox.conftest import NEW_ISSUE, Api, error_code


class TestFaults:
    @pytest.mark.parametrize(
        ("mode", "status", "code"),
        [("500", 500, 1), ("503", 503, 1), ("429", 429, 13)],
        ids=["500", "503", "429"],
    )
    def test_error_faults_answer_with_a_backlog_error_and_apply_nothing(
        self, emu: BacklogEmulator, api: Api, mode: str, status: int, code: int
    ) -> None:
        emu.fail_next(1, mode)
        response = api.post("issues", NEW_ISSUE)
        assert (response.status_code, error_code(response)) == (status, code)
        assert emu.state.issues == {}
        assert api.post("issues", NEW_ISSUE).status_code == 201

    def test_faults_hit_only_the_next_n_matching_paths(self, emu: BacklogEmulator, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        emu.fail_next(2, "503", path_contains="/comments")
        assert api.get("issues/ACME-1").status_code == 200
        statuses = [api.post("issues/ACME-1/comments", {"content": "c"}).status_code for _ in range(3)]
        assert statuses == [503, 503, 201]

    def test_drop_closes_without_answer_and_applies_nothing(self, emu: BacklogEmulator, api: Api) -> None:
        emu.fail_next(1, "drop")
        with pytest.raises(requests.ConnectionError):
            api.post("issues", NEW_ISSUE)
        assert emu.state.issues == {}
        assert emu.requests[-1].status == 0
        assert emu.requests[-1].fault == "drop"

    def test_drop_after_apply_closes_without_answer_but_keeps_the_write(
        self, emu: BacklogEmulator, api: Api
    ) -> None:
        emu.fail_next(1, "drop_after_apply", path_contains="/api/v2/issues")
        with pytest.raises(requests.ConnectionError):
            api.post("issues", NEW_ISSUE)
        assert [i.summary for i in emu.state.issues.values()] == [NEW_ISSUE["summary"]]
        assert [a.type for a in emu.state.activities] == [1]

    def test_slow_answers_after_the_delay_and_a_short_client_timeout_gives_up(
        self, emu: BacklogEmulator
    ) -> None:
        emu.slow_seconds = 0.3
        emu.fail_next(1, "slow")
        with pytest.raises(requests.Timeout):
            requests.post(
                f"{emu.base_url}/api/v2/issues", params={"apiKey": emu.api_key}, data=NEW_ISSUE, timeout=0.05
            )
        emu.fail_next(1, "slow")
        response = requests.get(f"{emu.base_url}/api/v2/space", params={"apiKey": emu.api_key}, timeout=5)
        assert response.status_code == 200

    def test_unknown_mode_is_refused(self, emu: BacklogEmulator) -> None:
        with pytest.raises(ValueError, match="unknown fault mode"):
            emu.fail_next(1, "explode")


class TestRecording:
    def test_every_request_is_recorded_in_order_with_kind_user_and_status(
        self, emu: BacklogEmulator, api: Api
    ) -> None:
        api.get("projects/ACME")
        api.post("issues", {**NEW_ISSUE, "notifiedUserId[]": ["1001", "1002"]})
        api.get("issues", {"projectId[]": "101", "count": "5"})
        requests.get(f"{emu.base_url}/api/v2/space", params={"apiKey": "nope"}, timeout=5)
        seen = [(r.method, r.path, r.status, r.kind, r.user) for r in emu.requests]
        assert seen == [
            ("GET", "/api/v2/projects/ACME", 200, "read", "hoshu-bot"),
            ("POST", "/api/v2/issues", 201, "update", "hoshu-bot"),
            ("GET", "/api/v2/issues", 200, "search", "hoshu-bot"),
            ("GET", "/api/v2/space", 401, "read", ""),
        ]
        assert emu.requests[1].form["notifiedUserId[]"] == ["1001", "1002"]
        assert emu.requests[2].query["projectId[]"] == ["101"]

    def test_the_api_key_is_never_kept_in_the_record(self, emu: BacklogEmulator, api: Api) -> None:
        api.get("space")
        assert emu.requests[0].query["apiKey"] == ["***"]

    def test_clear_requests_empties_the_record(self, emu: BacklogEmulator, api: Api) -> None:
        api.get("space")
        emu.clear_requests()
        assert emu.requests == []
