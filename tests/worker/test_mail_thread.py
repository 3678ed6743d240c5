"""The mail thread survives what the watcher lets escape, and stops when asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.app import App
from bot.errors import StateError


@dataclass
class FlakyWatcher:
    stop: threading.Event
    runs: int = 0
    errors: list[str] = field(default_factory=list)

    def run_forever(self) -> None:
        self.runs += 1
        if self.runs == 1:
            raise StateError("state store refused the write: disk I/O error")
        self.stop.set()  # the second run ends as SIGTERM would end it


@dataclass
class FakeApp:
    stop: threading.Event
    watcher: FlakyWatcher


class TestMailThread:
    def test_an_escaping_error_restarts_the_watcher_instead_of_ending_the_thread(self) -> None:
        stop = threading.Event()
        app = FakeApp(stop, FlakyWatcher(stop))
        App.run_mail_forever(app, pause=0)  # type: ignore[arg-type]
        assert app.watcher.runs == 2
