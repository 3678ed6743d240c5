"""``BacklogEmulator``: an in-process Backlog API v2 on 127.0.0.1 for tests, benchmarks and the demo."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.sandbox import bulk, params, render, writes
from bot.sandbox.model import SpaceState
from bot.sandbox.ratelimit import RateLimiter
from bot.sandbox.search import DEFAULT_LAG
from bot.sandbox.seed import build_state, load_seed
from bot.sandbox.server import Engine, Handler, RecordedRequest


class _Server(ThreadingHTTPServer):
    # Many clients at once (thread-safety tests, benchmarks) overflow the default listen backlog of 5.
    request_queue_size = 128
    daemon_threads = True


class BacklogEmulator:
    """A running emulator; create it with ``BacklogEmulator.start()`` and stop it (or use ``with``).

    Not a full Backlog: only the endpoints the bot uses, with Backlog's shapes, errors, rate limits and
    gotchas (see ``/work/shared/reference/backlog-api.md``). ``clock`` (epoch seconds) drives timestamps
    and the rate-limit window, so tests can move time without sleeping.
    """

    def __init__(self, state: SpaceState, limiter: RateLimiter, clock: Callable[[], float]) -> None:
        self.state = state
        self._clock = clock
        self._engine = Engine(state, limiter, clock)
        handler = type("EmulatorHandler", (Handler,), {"engine": self._engine})
        self._server = _Server(("127.0.0.1", 0), handler)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._engine.base_url = self.base_url
        # A short poll interval keeps stop() quick (serve_forever checks for shutdown once per interval).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"backlog-emulator-{port}",
            daemon=True,
        )

    @classmethod
    def start(
        cls,
        seed: str | Path | Mapping[str, Any] | None = None,
        *,
        limits: Mapping[str, int] | None = None,
        clock: Callable[[], float] | None = None,
        search_lag: float = DEFAULT_LAG,
    ) -> BacklogEmulator:
        """Builds the space from ``seed`` (TOML/JSON path, dict, None = bundled default) and serves it.

        ``search_lag``: seconds of ``clock`` before a write is found by ``keyword`` search (default a
        few seconds, as a search index lags; 0 = at once; ``bot.sandbox.search``)."""
        clock_ = clock if clock is not None else time.time
        state = build_state(load_seed(seed), clock_)
        state.search.lag = search_lag
        emulator = cls(state, RateLimiter(clock_, limits), clock_)
        emulator._thread.start()
        return emulator

    # --- public helpers ---------------------------------------------------------------------------
    @property
    def api_key(self) -> str:
        """The bot user's API key."""
        return self.state.users[self.state.bot_user_id].api_key

    def api_key_for(self, user_id: str) -> str:
        """The API key of any seeded user, by login name (``"sato"``)."""
        with self.state.lock:
            return self.state.user(user_id).api_key

    @property
    def slow_seconds(self) -> float:
        return self._engine.slow_seconds

    @slow_seconds.setter
    def slow_seconds(self, value: float) -> None:
        self._engine.slow_seconds = value

    @property
    def search_lag(self) -> float:
        """Seconds of the emulator's clock before a write is found by keyword search."""
        return self.state.search.lag

    @search_lag.setter
    def search_lag(self, value: float) -> None:
        with self.state.lock:
            self.state.search.lag = value

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self.state.lock:
            return list(self._engine.requests)

    def clear_requests(self) -> None:
        with self.state.lock:
            self._engine.requests.clear()

    def fail_next(
        self, n: int, mode: str, *, path_contains: str | None = None, method: str | None = None
    ) -> None:
        """The next ``n`` calls (whose path contains ``path_contains`` and whose method is ``method``,
        if given) get fault ``mode``: "500", "503", "429", "slow", "drop" (nothing applied) or
        "drop_after_apply" (applied, then the connection closes without an answer)."""
        with self.state.lock:
            self._engine.faults.add(n, mode, path_contains, method)

    def clear_faults(self) -> None:
        with self.state.lock:
            self._engine.faults.clear()

    def add_issue_as(
        self, user_id: str, project_key: str, summary: str, description: str = "", **extra: str
    ) -> dict[str, Any]:
        """Creates an issue exactly as ``POST /issues`` by that user would (validation, activity 1).

        The issue type defaults to the project's first one and the priority to 3 (中); extra form
        parameters (``issueTypeId="2"``, ``customField_1="1.5"``) pass through. Returns the issue JSON.
        """
        with self.state.lock:
            project = self.state.project(project_key)
            form = {
                "projectId": [str(project.id)],
                "summary": [summary],
                "description": [description],
                "issueTypeId": [str(project.issue_types[0].id)],
                "priorityId": ["3"],
            }
            form.update({k: [v] for k, v in extra.items()})
            params.check("post_issue", form)
            issue = writes.create_issue(self.state, self.state.user(user_id), form, self._clock())
            return render.issue(self.state, issue)

    def add_comment_as(self, user_id: str, issue_key: str, content: str) -> dict[str, Any]:
        """Adds a comment exactly as ``POST /issues/:key/comments`` by that user would (activity 3)."""
        with self.state.lock:
            issue = self.state.issue(issue_key)
            comment = writes.add_comment(
                self.state, self.state.user(user_id), issue, {"content": [content]}, self._clock()
            )
            return render.comment(self.state, comment)

    def update_issue_as(self, user_id: str, issue_key: str, **fields: str) -> dict[str, Any]:
        """Updates an issue exactly as ``PATCH /issues/:key`` by that user would (activity 2)."""
        with self.state.lock:
            issue = self.state.issue(issue_key)
            form = {k: [v] for k, v in fields.items()}
            params.check("patch_issue", form)
            writes.update_issue(self.state, self.state.user(user_id), issue, form, self._clock())
            return render.issue(self.state, issue)

    def bulk_update_as(self, user_id: str, issue_keys: list[str], **fields: str) -> dict[str, Any]:
        """Plays the web UI's bulk update (一括更新) by that user: every issue gets the PATCH
        parameters ``fields`` (``statusId="4"``, ``comment="..."``) and the space one activity of
        type 14 naming them in ``content.link`` (``bot.sandbox.bulk``). Returns that activity."""
        with self.state.lock:
            issues = [self.state.issue(k) for k in issue_keys]
            form = {k: [v] for k, v in fields.items()}
            params.check("patch_issue", form)
            activity_id = bulk.bulk_update(self.state, self.state.user(user_id), issues, form, self._clock())
            return render.activity(self.state, next(a for a in self.state.activities if a.id == activity_id))

    # --- lifecycle --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stops serving (wakes up slow calls first); safe to call twice."""
        self._engine.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> BacklogEmulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
