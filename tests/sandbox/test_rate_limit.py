"""Rate limits (reference section 3): per user, per kind, a one-minute window opened by its first request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox import BacklogEmulator
from bot.sandbox.ratelimit import RateLimiter, kind_of
from tests.sandbox.conftest import NEW_ISSUE, Api, FakeClock, error_code


@pytest.fixture
def limited(clock: FakeClock) -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(limits={"update": 3}, clock=clock) as emulator:
        yield emulator


class TestRateLimit:
    def test_fourth_update_in_a_window_is_429_code_13_and_headers_count_down(
        self, limited: BacklogEmulator, clock: FakeClock
    ) -> None:
        api = Api(limited, limited.api_key)
        answers = [api.post("issues", NEW_ISSUE) for _ in range(4)]
        assert [r.status_code for r in answers] == [201, 201, 201, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0", "0"]
        assert {r.headers["X-RateLimit-Limit"] for r in answers} == {"3"}
        assert {r.headers["X-RateLimit-Reset"] for r in answers} == {str(int(clock.now) + 60)}
        assert error_code(answers[3]) == 13
        assert len(limited.state.issues) == 3

    def test_the_window_resets_one_minute_after_its_first_request(
        self, limited: BacklogEmulator, clock: FakeClock
    ) -> None:
        api = Api(limited, limited.api_key)
        api.post("issues", NEW_ISSUE)
        clock.advance(30)
        api.post("issues", NEW_ISSUE)
        api.post("issues", NEW_ISSUE)
        clock.advance(29)
        assert api.post("issues", NEW_ISSUE).status_code == 429
        clock.advance(1)
        again = api.post("issues", NEW_ISSUE)
        assert again.status_code == 201
        assert again.headers["X-RateLimit-Remaining"] == "2"

    def test_budgets_are_per_user_and_per_kind(self, limited: BacklogEmulator) -> None:
        bot = Api(limited, limited.api_key)
        for _ in range(3):
            bot.post("issues", NEW_ISSUE)
        assert bot.post("issues", NEW_ISSUE).status_code == 429
        assert bot.get("issues/ACME-1").status_code == 200
        assert bot.get("issues").headers["X-RateLimit-Limit"] == "150"
        assert bot.as_user("sato").post("issues", NEW_ISSUE).status_code == 201

    def test_every_response_carries_the_headers_even_errors(self, api: Api) -> None:
        for response in (api.get("space"), api.get("projects/NOPE"), api.post("issues", {})):
            assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(
                response.headers
            )

    def test_rate_limit_endpoint_reports_live_budgets(self, api: Api) -> None:
        api.post("issues", NEW_ISSUE)
        body = api.get("rateLimit").json()["rateLimit"]
        assert body["update"]["remaining"] == 149
        assert body["read"]["limit"] == 600


class TestKinds:
    @pytest.mark.parametrize(
        ("method", "path", "kind"),
        [
            ("GET", "/api/v2/issues", "search"),
            ("GET", "/api/v2/issues/count", "search"),
            ("GET", "/api/v2/wikis", "search"),
            ("GET", "/api/v2/wikis/count", "search"),
            ("GET", "/api/v2/issues/ACME-1", "read"),
            ("GET", "/api/v2/wikis/3", "read"),
            ("GET", "/api/v2/space/activities", "read"),
            ("GET", "/api/v2/users/1000/icon", "icon"),
            ("POST", "/api/v2/issues", "update"),
            ("PATCH", "/api/v2/issues/ACME-1", "update"),
            ("DELETE", "/api/v2/issues/ACME-1", "update"),
        ],
        ids=str,
    )
    def test_each_request_spends_its_kind(self, method: str, path: str, kind: str) -> None:
        assert kind_of(method, path) == kind

    def test_unknown_limit_kind_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown rate-limit kinds"):
            RateLimiter(lambda: 0.0, {"write": 1})
