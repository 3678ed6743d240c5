"""``BacklogEmulator``: an in-process Backlog API v2 on 127.0.0.1 for tests, benchmarks and the demo."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.sandbox import bulk, feed, params, render, writes
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

    # --- records of the feed the bot does not act on, or reads without an API (``bot.sandbox.feed``) ---
    @property
    def min_id_newest(self) -> bool:
        """Answer ``minId`` + ``order=asc`` activity queries with the newest page (issue 18 item 6)."""
        return self.state.min_id_newest

    @min_id_newest.setter
    def min_id_newest(self, value: bool) -> None:
        with self.state.lock:
            self.state.min_id_newest = value

    def add_document_as(self, user_id: str, project_key: str, title: str, kind: int = 36) -> str:
        """A Documents activity (36 created, 37 updated, 38 deleted, 48 bulk): string id; returns it."""
        with self.state.lock:
            return feed.record_document(self.state, self.state.user(user_id), self.state.project(project_key),
                                        title, kind, self._clock())

    def bulk_create_as(self, user_id: str, project_key: str, issues: list[tuple[str, str]], *,
                       each_too: bool = False) -> list[str]:
        """A bulk creation (type 47, ``link[]`` only; ``each_too``: type 1 per issue as well); the keys."""
        with self.state.lock:
            created = feed.bulk_create(self.state, self.state.user(user_id), self.state.project(project_key),
                                       issues, self._clock(), each_too=each_too)
            return [self.state.issue_key(i) for i in created]

    def delete_status_as(self, user_id: str, project_key: str, name: str, moved_to: int = 1) -> None:
        """Deletes a custom status (type 34); its issues move to ``moved_to``."""
        with self.state.lock:
            feed.delete_status(self.state, self.state.user(user_id), self.state.project(project_key), name,
                               moved_to, self._clock())

    def bulk_dates_as(self, user_id: str, issue_keys: list[str], due: str) -> None:
        """A bulk due-date change (type 35, shape our reading)."""
        with self.state.lock:
            feed.bulk_dates(self.state, self.state.user(user_id), [self.state.issue(k) for k in issue_keys],
                            due, self._clock())

    def record_raw_as(self, user_id: str, project_key: str, kind: int, content: dict[str, Any]) -> int:
        """An activity of ``kind`` with ``content`` exactly as given (fields missing or typed otherwise)."""
        with self.state.lock:
            user, project = self.state.user(user_id), self.state.project(project_key)
            return feed.record_raw(self.state, user, project, kind, content, self._clock())

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
