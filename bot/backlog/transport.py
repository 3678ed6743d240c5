"""The HTTP layer under BacklogClient: one Session, timeouts, error mapping, retries, pacing, redaction.

Rules (issue 3, reference §2, §3, §11):
- every call has a connect+read timeout and runs serially (one lock, one ``requests.Session``);
- ``errors[]`` becomes the ``bot.errors`` tree; auth, permission, not-found and invalid are never retried;
- 429 and transient failures are retried with full-jitter exponential backoff (cap 60 s), a 429 waits
  until ``X-RateLimit-Reset`` plus a small margin;
- a write that may have reached Backlog (read timeout, dropped connection after sending, 5xx) is never
  retried: it raises ``BacklogTransientError(maybe_applied=True)``; a write that certainly did not
  arrive (connect failure, 429) is retried;
- each budget kind is tracked from the ``X-RateLimit-*`` headers and calls are spread out once
  ``remaining`` falls under a reserve, before Backlog answers 429;
- the API key goes only into the query string and never into a log line, an exception or a repr.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import requests
from pydantic import SecretStr
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NameResolutionError, NewConnectionError

from bot.backlog.form import Params
from bot.backlog.models import RateLimitState, RateLimitWindow
from bot.backlog.redact import install_urllib3_redaction, redact
from bot.errors import (
    BacklogAuthError,
    BacklogError,
    BacklogInvalidRequestError,
    BacklogNotFoundError,
    BacklogPermissionError,
    BacklogRateLimitedError,
    BacklogTransientError,
)

logger = logging.getLogger(__name__)

Kind = Literal["read", "update", "search", "icon"]

BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
RESET_MARGIN_SECONDS = 1.0
RESERVE_FRACTION = 0.1
_WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE", "PUT"})
_SEARCH_PATHS = frozenset({"issues", "issues/count", "wikis", "wikis/count"})


@dataclass(frozen=True)
class Reply:
    """A successful answer: HTTP status, decoded JSON (floats as Decimal) and the Location header."""

    status: int
    body: Any
    location: str | None


def request_kind(method: str, path: str) -> Kind:
    """Which rate-limit budget a call spends (reference §3): search, icon, update or read."""
    if method.upper() in _WRITE_METHODS:
        return "update"
    if path.strip("/") in _SEARCH_PATHS:
        return "search"
    if path.rstrip("/").endswith(("/icon", "space/image")):
        return "icon"
    return "read"


def error_from_response(status: int, body: Any, maybe_applied: bool = False) -> BacklogError:
    """Map an error answer to the tree: every code in ``errors[]`` counts, the first message is kept.

    Codes decide first (11/12 auth, 13 rate limited, 6 not found, 2-5 permission, 7-10 invalid,
    1 internal), then the HTTP status (401, 403, 404, 429, 5xx, other 4xx invalid).
    """
    errors = body.get("errors") if isinstance(body, Mapping) else None
    entries = [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
    codes = [int(e["code"]) for e in entries if isinstance(e.get("code"), int)]
    message = str(entries[0].get("message", "")) if entries else f"HTTP {status}"
    table: list[tuple[Iterable[int], type[BacklogError]]] = [
        ((11, 12), BacklogAuthError),
        ((13,), BacklogRateLimitedError),
        ((6,), BacklogNotFoundError),
        ((2, 3, 4, 5), BacklogPermissionError),
        ((7, 8, 9, 10), BacklogInvalidRequestError),
        ((1,), BacklogTransientError),
    ]
    for wanted, cls in table:
        hit = next((c for c in codes if c in wanted), None)
        if hit is not None:
            return _make(cls, message, status, hit, maybe_applied)
    code = codes[0] if codes else None
    by_status: dict[int, type[BacklogError]] = {
        401: BacklogAuthError,
        403: BacklogPermissionError,
        404: BacklogNotFoundError,
        429: BacklogRateLimitedError,
    }
    cls = by_status.get(status) or (BacklogTransientError if status >= 500 else BacklogInvalidRequestError)
    return _make(cls, message, status, code, maybe_applied)


def _make(
    cls: type[BacklogError], message: str, status: int, code: int | None, applied: bool
) -> BacklogError:
    if cls is BacklogTransientError:
        return BacklogTransientError(message, status=status, code=code, maybe_applied=applied)
    return cls(message, status=status, code=code)


def pacing_delay(
    window: RateLimitWindow | None, now: float, reserve_fraction: float = RESERVE_FRACTION
) -> float:
    """Seconds to wait before the next call of a kind, so the budget never runs out (reference §3).

    Above the reserve (``reserve_fraction`` of the limit, at least 1) there is no wait; under it the
    remaining calls are spread evenly over the time left to the reset; with nothing left, wait for the
    reset plus a margin. A window whose reset has passed is stale and costs nothing.
    """
    if window is None or now >= window.reset:
        return 0.0
    left = window.reset - now
    if window.remaining <= 0:
        return left + RESET_MARGIN_SECONDS
    reserve = max(1, math.ceil(window.limit * reserve_fraction))
    if window.remaining > reserve:
        return 0.0
    return left / window.remaining


def backoff_delay(attempt: int, rng: Callable[[], float]) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0**attempt)


def _never_sent(exc: requests.RequestException) -> bool:
    """True only when the request certainly did not reach the server (the connection never opened)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError | NameResolutionError)


class Transport:
    """Serial, paced, retrying calls to ``{base_url}/api/v2/{path}`` on one ``requests.Session``."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | str,
        *,
        timeout: tuple[float, float],
        max_retries: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: Callable[[], float],
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            msg = "base_url must be explicit, e.g. https://example.backlog.com"
            raise ValueError(msg)
        self.base_url = base_url.rstrip("/")
        self._key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self.timeout = timeout
        self.max_retries = max_retries
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()
        self._windows: dict[Kind, RateLimitWindow] = {}
        self.session = requests.Session()
        install_urllib3_redaction()

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, apiKey=***)"

    def close(self) -> None:
        self.session.close()

    def rate_limits(self) -> RateLimitState:
        """The budgets as last seen in response headers (no request)."""
        w = self._windows
        return RateLimitState(w.get("read"), w.get("update"), w.get("search"), w.get("icon"))

    def call(
        self, method: str, path: str, *, params: Params | None = None, form: Params | None = None
    ) -> Reply:
        """Send one call with pacing and retries; raise the mapped ``BacklogError`` when it fails."""
        method = method.upper()
        kind = request_kind(method, path)
        with self._lock:
            attempt = 0
            while True:
                self._pace(kind, path)
                try:
                    return self._once(method, path, kind, params, form)
                except (BacklogRateLimitedError, BacklogTransientError) as exc:
                    retry_in = self._retry_delay(exc, method, kind, attempt)
                    if retry_in is None:
                        raise
                    logger.debug("Backlog %s /api/v2/%s failed (%s); retry %d in %.1fs",
                                 method, path, type(exc).__name__, attempt + 1, retry_in)
                    self._sleep(retry_in)
                    attempt += 1

    def _retry_delay(self, exc: BacklogError, method: str, kind: Kind, attempt: int) -> float | None:
        if attempt >= self.max_retries:
            return None
        if isinstance(exc, BacklogTransientError) and exc.maybe_applied:
            return None
        if isinstance(exc, BacklogRateLimitedError):
            window = self._windows.get(kind)
            if window is not None:
                return max(0.0, window.reset - self._clock()) + RESET_MARGIN_SECONDS
        return backoff_delay(attempt, self._rng)

    def _pace(self, kind: Kind, path: str) -> None:
        delay = pacing_delay(self._windows.get(kind), self._clock())
        if delay > 0:
            w = self._windows[kind]
            logger.debug("Backlog %s budget low (%d/%d left); waiting %.2fs before /api/v2/%s",
                         kind, w.remaining, w.limit, delay, path)
            self._sleep(delay)

    def _once(self, method: str, path: str, kind: Kind, params: Params | None, form: Params | None) -> Reply:
        url = f"{self.base_url}/api/v2/{path}"
        query: Params = [*(params or []), ("apiKey", self._key.get_secret_value())]
        is_write = method in _WRITE_METHODS
        try:
            resp = self.session.request(method, url, params=query, data=form, timeout=self.timeout,
                                        allow_redirects=False)
        except requests.RequestException as exc:
            sent = not _never_sent(exc)
            detail = redact(f"{type(exc).__name__}: {exc}", self._key.get_secret_value())
            logger.debug("Backlog %s /api/v2/%s: %s", method, path, detail)
            raise BacklogTransientError(
                f"{method} /api/v2/{path}: {detail}", maybe_applied=is_write and sent
            ) from None
        self._track(kind, resp.headers)
        logger.debug("Backlog %s /api/v2/%s -> %d", method, path, resp.status_code)
        body = _decode(resp)
        if resp.status_code >= 400:
            raise error_from_response(resp.status_code, body, maybe_applied=is_write)
        if is_write:
            logger.info("Backlog %s /api/v2/%s done (%d)", method, path, resp.status_code)
        return Reply(resp.status_code, body, resp.headers.get("Location"))

    def _track(self, kind: Kind, headers: Mapping[str, str]) -> None:
        try:
            self._windows[kind] = RateLimitWindow(
                int(headers["X-RateLimit-Limit"]),
                int(headers["X-RateLimit-Remaining"]),
                int(headers["X-RateLimit-Reset"]),
            )
        except (KeyError, ValueError):
            return


def _decode(resp: requests.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json(parse_float=Decimal)
    except ValueError:
        return None
