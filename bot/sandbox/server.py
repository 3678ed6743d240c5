"""HTTP plumbing of the emulator: auth, rate limit, fault injection, recording, then the route handler."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.errors import BacklogError
from bot.sandbox import params as params_module
from bot.sandbox import routes
from bot.sandbox.faults import FaultPlan
from bot.sandbox.model import SpaceState
from bot.sandbox.ratelimit import Quota, RateLimiter, kind_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it; ``status`` is 0 when the answer was dropped (``fault`` says why).

    The ``apiKey`` query value is recorded as ``"***"`` (a secret); ``user`` says whose key it was.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    status: int
    kind: str
    user: str
    fault: str = ""


@dataclass
class Outcome:
    """What to send back: ``None`` status means close the connection without answering."""

    status: int | None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: int, message: str) -> Any:
    """Backlog's error body (reference section 2)."""
    return {"errors": [{"message": message, "code": code, "moreInfo": ""}]}


class Engine:
    """Processes one request end to end; every state access happens under ``state.lock``."""

    def __init__(self, state: SpaceState, limiter: RateLimiter, clock: Callable[[], float]) -> None:
        self.state = state
        self.limiter = limiter
        self.clock = clock
        self.faults = FaultPlan()
        self.requests: list[RecordedRequest] = []
        self.base_url = ""
        self.slow_seconds = 5.0
        self.stopping = threading.Event()

    def handle(self, method: str, target: str, form: dict[str, list[str]]) -> Outcome:
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        kind = kind_of(method, path)
        with self.state.lock:
            fault = self.faults.take(path, method)
        if fault == "slow":
            # Outside the lock: a slow call must not stall the others. stop() wakes it up early.
            self.stopping.wait(self.slow_seconds)
        with self.state.lock:
            outcome, user = self._answer(method, path, query, form, kind, fault)
            recorded_query = {k: (["***"] if k == "apiKey" else list(v)) for k, v in query.items()}
            status = 0 if outcome.status is None else outcome.status
            self.requests.append(
                RecordedRequest(method, path, recorded_query, form, status, kind, user, fault or "")
            )
        logger.debug("emulator %s %s -> %s (fault=%s)", method, path, status, fault)
        return outcome

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        form: dict[str, list[str]],
        kind: str,
        fault: str | None,
    ) -> tuple[Outcome, str]:
        key = (query.get("apiKey") or [""])[0]
        user = self.state.user_by_key(key) if key else None
        login = user.user_id if user is not None else ""
        if fault in ("500", "503", "429", "drop"):
            return self._fault_outcome(fault, login, kind), login
        if user is None:
            quota = self.limiter.peek("", kind)
            return Outcome(401, _error(401, 11, "Authentication failure."), quota.headers()), ""
        quota = self.limiter.spend(login, kind)
        if not quota.allowed:
            return Outcome(429, _error(429, 13, "Too many requests."), quota.headers()), login
        found = routes.route(method, path)
        if found is None:
            return Outcome(404, _error(404, 6, "No such API."), quota.headers()), login
        handler, args = found
        params = query if method == "GET" else form
        call = routes.Call(self.state, user, params, args, self.clock(), self.base_url, self.limiter)
        try:
            # Strict, like a typo-catching Backlog: unknown parameters are 400/7 (bot.sandbox.params).
            params_module.check(handler.__name__, [*query, *(form if method != "GET" else ())])
            status, body, headers = handler(call)
        except BacklogError as exc:
            status, body, headers = (
                exc.status or 400,
                _error(exc.status or 400, exc.code or 7, exc.message),
                {},
            )
        except Exception:
            logger.exception("emulator handler failed for %s %s", method, path)
            status, body, headers = 500, _error(500, 1, "Internal error."), {}
        if fault == "drop_after_apply":
            return Outcome(None), login
        return Outcome(status, body, {**quota.headers(), **headers}), login

    def _fault_outcome(self, fault: str, login: str, kind: str) -> Outcome:
        if fault == "drop":
            return Outcome(None)
        quota: Quota = self.limiter.peek(login, kind)
        if fault == "429":
            headers = {**quota.headers(), "X-RateLimit-Remaining": "0"}
            return Outcome(429, _error(429, 13, "Too many requests."), headers)
        status = int(fault)
        return Outcome(status, _error(status, 1, "Injected server error."), quota.headers())


class Handler(BaseHTTPRequestHandler):
    """Thin ``http.server`` adapter around ``Engine`` (set as a class attribute per server)."""

    engine: Engine
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; with Nagle on, keep-alive calls stall ~40 ms on delayed ACKs.
    disable_nagle_algorithm = True
    server_version = "BacklogEmulator/1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        form: dict[str, list[str]] = {}
        if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        outcome = self.engine.handle(self.command, self.path, form)
        if outcome.status is None:
            # "drop" faults: close the socket with nothing written, like a connection lost mid-call.
            self.close_connection = True
            return
        data = b"" if outcome.body is None else json.dumps(outcome.body, ensure_ascii=False).encode("utf-8")
        self.send_response(outcome.status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silences the stderr access log (URLs carry the apiKey)."""
