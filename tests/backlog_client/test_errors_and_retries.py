"""Error mapping (errors[] → bot.errors) and the retry rules of the transport (issue 3, parts 2-3)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from bot.backlog.transport import error_from_response
from bot.backlog_client import BacklogClient
from bot.errors import (
    BacklogAuthError,
    BacklogError,
    BacklogInvalidRequestError,
    BacklogNotFoundError,
    BacklogPermissionError,
    BacklogRateLimitedError,
    BacklogTransientError,
)
from tests.backlog_client.factories import API, T0, FakeClock, error_body, issue_json, limit_headers

ERROR_TABLE = [
    (401, (11,), BacklogAuthError, 11),
    (401, (12,), BacklogAuthError, 12),
    (403, (2,), BacklogPermissionError, 2),
    (403, (5,), BacklogPermissionError, 5),
    (404, (6,), BacklogNotFoundError, 6),
    (400, (7,), BacklogInvalidRequestError, 7),
    (400, (9,), BacklogInvalidRequestError, 9),
    (429, (13,), BacklogRateLimitedError, 13),
    (500, (1,), BacklogTransientError, 1),
    (503, (), BacklogTransientError, None),
    (401, (), BacklogAuthError, None),
    (403, (), BacklogPermissionError, None),
    (404, (), BacklogNotFoundError, None),
    (422, (), BacklogInvalidRequestError, None),
    (400, (7, 11), BacklogAuthError, 11),
    (400, (7, 6), BacklogNotFoundError, 6),
]


class TestErrorMapping:
    @pytest.mark.parametrize(
        ("status", "codes", "cls", "code"), ERROR_TABLE,
        ids=[f"{s}-{'+'.join(map(str, c)) or 'nocode'}" for s, c, _, _ in ERROR_TABLE],
    )
    def test_maps_status_and_every_code_to_the_error_tree(
        self, status: int, codes: tuple[int, ...], cls: type[BacklogError], code: int | None
    ) -> None:
        err = error_from_response(status, error_body(*codes) if codes else None)
        assert type(err) is cls
        assert err.status == status
        assert err.code == code

    def test_keeps_the_first_message(self) -> None:
        err = error_from_response(400, {"errors": [{"message": "No project.", "code": 6},
                                                   {"message": "second", "code": 7}]})
        assert err.message == "No project."
        assert "No project." in str(err)

    @responses.activate
    @pytest.mark.parametrize(
        ("status", "code", "cls"),
        [(401, 11, BacklogAuthError), (403, 5, BacklogPermissionError), (404, 6, BacklogNotFoundError),
         (400, 7, BacklogInvalidRequestError)],
        ids=["auth", "permission", "not-found", "invalid"],
    )
    def test_client_errors_are_raised_at_once_without_retry(
        self, client: BacklogClient, clock: FakeClock, status: int, code: int, cls: type[BacklogError]
    ) -> None:
        responses.get(f"{API}/issues/ACME-1", status=status, json=error_body(code))
        with pytest.raises(cls) as info:
            client.get_issue("ACME-1")
        assert (info.value.status, info.value.code) == (status, code)
        assert len(responses.calls) == 1
        assert clock.sleeps == []


class TestRetries:
    @responses.activate
    def test_get_is_retried_after_5xx_then_succeeds(self, client: BacklogClient, clock: FakeClock) -> None:
        responses.get(f"{API}/issues/ACME-12", status=503, json=error_body(1))
        responses.get(f"{API}/issues/ACME-12", status=500)
        responses.get(f"{API}/issues/ACME-12", json=issue_json())
        assert client.get_issue("ACME-12").key == "ACME-12"
        assert len(responses.calls) == 3
        # full jitter with rng=0.5: 0.5 * 1, then 0.5 * 2
        assert clock.sleeps == [0.5, 1.0]

    @responses.activate
    def test_backoff_is_capped_at_sixty_seconds(self, make_client: Callable[..., BacklogClient],
                                                clock: FakeClock) -> None:
        client = make_client(max_retries=8, rng=lambda: 1.0)
        for _ in range(9):
            responses.get(f"{API}/priorities", status=502)
        with pytest.raises(BacklogTransientError):
            client.get_priorities()
        assert clock.sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
        assert len(responses.calls) == 9

    @responses.activate
    def test_gives_up_after_max_retries_with_the_transient_error(
        self, make_client: Callable[..., BacklogClient]
    ) -> None:
        client = make_client(max_retries=2)
        for _ in range(3):
            responses.get(f"{API}/priorities", status=500, json=error_body(1, message="boom"))
        with pytest.raises(BacklogTransientError) as info:
            client.get_priorities()
        assert info.value.status == 500
        assert info.value.maybe_applied is False
        assert len(responses.calls) == 3

    @responses.activate
    def test_429_waits_until_the_reset_plus_margin_then_succeeds(
        self, client: BacklogClient, clock: FakeClock
    ) -> None:
        responses.get(f"{API}/issues/ACME-12", status=429, json=error_body(13),
                      headers=limit_headers(600, 0, T0 + 2))
        responses.get(f"{API}/issues/ACME-12", json=issue_json(), headers=limit_headers(600, 599, T0 + 62))
        assert client.get_issue("ACME-12").id == 100
        assert clock.sleeps == [3.0]  # 2 s to the reset + 1 s margin
        assert clock.now >= T0 + 2
        assert len(responses.calls) == 2

    @responses.activate
    def test_429_on_a_write_is_retried_because_it_was_refused(
        self, client: BacklogClient, clock: FakeClock
    ) -> None:
        responses.post(f"{API}/issues/ACME-12/comments", status=429, json=error_body(13),
                       headers=limit_headers(150, 0, T0 + 30))
        responses.post(f"{API}/issues/ACME-12/comments", status=201, json={
            "id": 5, "content": "x", "createdUser": None, "created": "2026-11-26T00:00:00Z"})
        assert client.add_comment("ACME-12", "x").id == 5
        assert len(responses.calls) == 2
        assert clock.sleeps == [31.0]

    @responses.activate
    def test_rate_limited_error_after_the_retries(self, make_client: Callable[..., BacklogClient]) -> None:
        client = make_client(max_retries=1)
        for _ in range(2):
            responses.get(f"{API}/priorities", status=429, json=error_body(13))
        with pytest.raises(BacklogRateLimitedError) as info:
            client.get_priorities()
        assert info.value.code == 13

    @responses.activate
    def test_post_read_timeout_raises_maybe_applied_without_a_second_post(
        self, client: BacklogClient, clock: FakeClock
    ) -> None:
        responses.post(f"{API}/issues", body=requests.ReadTimeout("read timed out"))
        with pytest.raises(BacklogTransientError) as info:
            client.add_issue(10, "件名", 7, 3)
        assert info.value.maybe_applied is True
        assert len(responses.calls) == 1
        assert clock.sleeps == []

    @responses.activate
    @pytest.mark.parametrize("status", [500, 502, 503], ids=["500", "502", "503"])
    def test_write_answered_with_5xx_is_maybe_applied_and_not_retried(
        self, client: BacklogClient, status: int
    ) -> None:
        responses.patch(f"{API}/issues/ACME-12", status=status)
        with pytest.raises(BacklogTransientError) as info:
            client.update_issue("ACME-12", status_id=2)
        assert info.value.maybe_applied is True
        assert len(responses.calls) == 1

    @responses.activate
    def test_write_whose_connection_dropped_is_maybe_applied(self, client: BacklogClient) -> None:
        dropped = requests.ConnectionError(ConnectionResetError("Connection reset by peer"))
        responses.post(f"{API}/wikis", body=dropped)
        with pytest.raises(BacklogTransientError) as info:
            client.add_wiki(10, "月次報告", "本文")
        assert info.value.maybe_applied is True
        assert len(responses.calls) == 1

    @responses.activate
    def test_write_that_never_connected_is_retried(self, client: BacklogClient) -> None:
        refused = requests.ConnectionError(
            MaxRetryError(None, "/api/v2/issues", NewConnectionError(None, "Connection refused")))  # type: ignore[arg-type]
        responses.post(f"{API}/issues", body=refused)
        responses.post(f"{API}/issues", body=requests.ConnectTimeout("connect timed out"))
        responses.post(f"{API}/issues", status=201, json=issue_json(),
                       headers={"Location": "https://hoshu.backlog.com/view/ACME-12"})
        assert client.add_issue(10, "件名", 7, 3).key == "ACME-12"
        assert len(responses.calls) == 3

    @responses.activate
    def test_get_read_timeout_is_retried(self, client: BacklogClient) -> None:
        responses.get(f"{API}/space", body=requests.ReadTimeout("read timed out"))
        responses.get(f"{API}/space", json={"spaceKey": "hoshu", "name": "保守", "lang": "ja",
                                            "timezone": "Asia/Tokyo", "textFormattingRule": "markdown"})
        assert client.get_space().space_key == "hoshu"
        assert len(responses.calls) == 2
