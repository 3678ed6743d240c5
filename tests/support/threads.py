"""Running a mail watcher's ``run_forever`` in a thread for a test, and stopping it for sure."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from bot.mail_watcher import MailWatcher

WAIT = 60.0  # generous bound for "it eventually happens"; never a timing assertion


@contextlib.contextmanager
def watcher_running(watcher: MailWatcher, stop: threading.Event) -> Iterator[MailWatcher]:
    """``run_forever`` in a thread; on exit ``stop`` is set, the thread joined, and neither a hang nor an
    escaped exception goes unnoticed."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            watcher.run_forever()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive(), "run_forever did not stop on the stop event"
    assert errors == []
