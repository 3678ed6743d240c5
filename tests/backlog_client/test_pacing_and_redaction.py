"""Pacing before a budget runs out, budget kinds, and redaction of the API key (issue 3, parts 1 and 3)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import requests
import responses
from pydantic import SecretStr

from bot.backlog.models import RateLimitWindow
from bot.backlog.transport import pacing_delay, request_kind
from bot.backlog_client import BacklogClient
from bot.errors import BacklogAuthError, BacklogError
from tests.backlog_client.factories import API, BASE, KEY, T0, FakeClock, error_body, limit_headers


class TestRequestKind:
    @pytest.mark.parametrize(
        ("method", "path", "kind"),
        [("GET", "issues", "search"), ("GET", "issues/count", "search"), ("GET", "wikis", "search"),
         ("GET", "wikis/count", "search"), ("GET", "issues/ACME-1", "read"), ("GET", "wikis/3", "read"),
         ("GET", "space/activities", "read"), ("GET", "users/1/icon", "icon"), ("GET", "space/image", "icon"),
         ("POST", "issues", "update"), ("PATCH", "issues/ACME-1", "update"), ("DELETE", "wikis/3", "update")],
        ids=str,
    )
    def test_classifies_calls_into_the_four_budgets(self, method: str, path: str, kind: str) -> None:
        assert request_kind(method, path) == kind


class TestPacingDelay:
    @pytest.mark.parametrize(
        ("remaining", "reset_in", "expected"),
        [(600, 60, 0.0), (61, 60, 0.0), (60, 60, 1.0), (30, 60, 2.0), (1, 10, 10.0), (0, 10, 11.0)],
        ids=["full", "above-reserve", "at-reserve", "half-reserve", "last-call", "exhausted"],
    )
    def test_spreads_remaining_calls_over_the_time_to_reset_under_the_reserve(
        self, remaining: int, reset_in: int, expected: float
    ) -> None:
        window = RateLimitWindow(limit=600, remaining=remaining, reset=int(T0) + reset_in)
        assert pacing_delay(window, T0) == pytest.approx(expected)

    def test_a_window_whose_reset_has_passed_costs_nothing(self) -> None:
        assert pacing_delay(RateLimitWindow(600, 0, int(T0) - 1), T0) == 0.0

    def test_an_unknown_window_costs_nothing(self) -> None:
        assert pacing_delay(None, T0) == 0.0


class TestPacing:
    @responses.activate
    def test_sleeps_before_the_next_call_when_remaining_is_low(
        self, client: BacklogClient, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        responses.get(f"{API}/priorities", json=[], headers=limit_headers(150, 5, T0 + 20))
        responses.get(f"{API}/priorities", json=[], headers=limit_headers(150, 4, T0 + 20))
        caplog.set_level(logging.DEBUG, logger="bot.backlog.transport")
        client.get_priorities()
        assert clock.sleeps == []
        client.get_priorities()
        assert clock.sleeps == [pytest.approx(20 / 5)]
        assert any("budget low" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)

    @responses.activate
    def test_budgets_are_tracked_per_kind(self, client: BacklogClient, clock: FakeClock) -> None:
        responses.get(f"{API}/issues", json=[], headers=limit_headers(150, 1, T0 + 30))
        responses.get(f"{API}/priorities", json=[], headers=limit_headers(600, 590, T0 + 30))
        client.list_issues()
        client.get_priorities()  # a read: the low search budget does not slow it
        assert clock.sleeps == []
        state = client.transport.rate_limits()
        assert state.search == RateLimitWindow(150, 1, int(T0 + 30))
        assert state.read == RateLimitWindow(600, 590, int(T0 + 30))
        assert state.update is None

    @responses.activate
    def test_an_exhausted_budget_waits_for_the_reset(self, client: BacklogClient, clock: FakeClock) -> None:
        responses.post(f"{API}/issues/ACME-1/comments", status=201, headers=limit_headers(150, 0, T0 + 40),
                       json={"id": 1, "content": "a", "created": "2026-11-26T00:00:00Z"})
        responses.post(f"{API}/issues/ACME-1/comments", status=201, headers=limit_headers(150, 149, T0 + 100),
                       json={"id": 2, "content": "b", "created": "2026-11-26T00:00:00Z"})
        client.add_comment("ACME-1", "a")
        client.add_comment("ACME-1", "b")
        assert clock.sleeps == [41.0]
        assert len(responses.calls) == 2


class TestRedaction:
    def test_repr_hides_the_key(self, client: BacklogClient) -> None:
        assert KEY not in repr(client)
        assert "apiKey=***" in repr(client)
        assert KEY not in repr(client.transport)

    def test_accepts_a_secretstr(self, make_client: Callable[..., BacklogClient]) -> None:
        assert KEY not in repr(make_client(api_key=SecretStr(KEY)))

    def test_base_url_is_never_guessed(self) -> None:
        with pytest.raises(ValueError, match="explicit"):
            BacklogClient("hoshu", KEY)

    @responses.activate
    def test_key_appears_in_no_log_record_and_no_exception(
        self, client: BacklogClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        leaky = requests.ConnectionError(f"failed {BASE}/api/v2/space?apiKey={KEY}")
        responses.get(f"{API}/space", body=leaky)
        responses.get(f"{API}/issues/ACME-1", status=404, json=error_body(6))
        responses.post(f"{API}/issues", body=requests.ReadTimeout(f"{API}/issues?apiKey={KEY} timed out"))
        failures: list[BacklogError] = []
        calls = (client.get_space, lambda: client.get_issue("ACME-1"), lambda: client.add_issue(1, "s", 1, 1))
        for call in calls:
            with pytest.raises(BacklogError) as info:
                call()
            failures.append(info.value)
        for err in failures:
            assert KEY not in str(err)
            assert KEY not in repr(err)
            assert err.__cause__ is None
        assert caplog.records
        for record in caplog.records:
            assert KEY not in record.getMessage()
            assert "apiKey=" not in record.getMessage() or "apiKey=***" in record.getMessage()

    @responses.activate
    def test_the_key_travels_as_a_query_parameter(self, client: BacklogClient) -> None:
        responses.get(f"{API}/priorities", json=[],
                      match=[responses.matchers.query_param_matcher({"apiKey": KEY})])
        client.get_priorities()

    @responses.activate
    def test_every_call_carries_a_connect_and_read_timeout(
        self, make_client: Callable[..., BacklogClient]
    ) -> None:
        client = make_client(timeout=(2, 7))
        responses.get(f"{API}/priorities", json=[],
                      match=[responses.matchers.request_kwargs_matcher({"timeout": (2, 7)})])
        client.get_priorities()

    @responses.activate
    def test_invalid_key_raises_auth_error_at_once_with_exactly_one_request(
        self, client: BacklogClient, clock: FakeClock
    ) -> None:
        body = error_body(11, message="Authentication failure")
        responses.get(f"{API}/users/myself", status=401, json=body)
        with pytest.raises(BacklogAuthError) as info:
            client.get_myself()
        assert info.value.code == 11
        assert len(responses.calls) == 1
        assert clock.sleeps == []
