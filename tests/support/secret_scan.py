"""Session-wide secret scan (issue 8, security): no API key or IMAP password in any log, output or error.

Registered from ``tests/conftest.py`` (``pytest_plugins``), so it watches the whole test run:

- every log record of every logger (a root handler sees records at whatever level they are emitted;
  the ``bot`` logger is opened to DEBUG so that debug lines are scanned too),
- the captured stdout, stderr and log sections and the failure text of every test report,
- files handed to ``watch_file`` (the worker subprocess logs of ``tests.support.worker_proc``).

Secrets are the fixed test credentials below plus whatever fixtures ``register``; suites that want a
distinctive secret make one with ``tests.support.worker_proc.unique_secret``. A leak fails the session
(exit status 1) with the place it was seen, never the secret itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest

# The suites' fixed credentials (testing/dovecot.py, bot/sandbox/seed.toml).
KNOWN = ("s3cret-Dovecot-pw", "hoshu-bot-api-key")
MIN_LENGTH = 8  # shorter values would match ordinary text; every registered secret is longer

_lock = threading.Lock()
_secrets: set[str] = set(KNOWN)
_files: set[Path] = set()
_leaks: list[str] = []


def register(secret: str) -> None:
    """Scan for ``secret`` from now on (and in every watched file at the end of the session)."""
    if len(secret) < MIN_LENGTH:
        msg = f"a secret of {len(secret)} characters would match ordinary text"
        raise ValueError(msg)
    with _lock:
        _secrets.add(secret)


def watch_file(path: Path) -> None:
    """Scan ``path`` at the end of the session (subprocess logs)."""
    with _lock:
        _files.add(path)


def find(text: str, secrets: Iterable[str] | None = None) -> list[str]:
    """Masked names (``s3c…(18)``) of the secrets that occur in ``text``: a pure check, used by tests."""
    pool = _snapshot() if secrets is None else tuple(secrets)
    return [_mask(s) for s in pool if s and s in text]


def leaks() -> list[str]:
    with _lock:
        return list(_leaks)


def _snapshot() -> tuple[str, ...]:
    with _lock:
        return tuple(_secrets)


def _mask(secret: str) -> str:
    return f"{secret[:3]}…({len(secret)})"


def _note(where: str, text: str) -> None:
    found = find(text)
    if found:
        with _lock:
            _leaks.append(f"{where}: {', '.join(found)}")


class _ScanHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not our concern here
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        if record.exc_text:
            text += " " + record.exc_text
        _note(f"log record {record.name}:{record.lineno}", text)


_handler = _ScanHandler(level=logging.DEBUG)


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    bot_logger = logging.getLogger("bot")
    if bot_logger.level == logging.NOTSET:
        bot_logger.setLevel(logging.DEBUG)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for title, content in report.sections:
        _note(f"{report.nodeid} [{title}]", content)
    if report.longrepr is not None:
        _note(f"{report.nodeid} [failure text]", str(report.longrepr))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    with _lock:
        files = sorted(_files)
    for path in files:
        if path.exists():
            _note(f"file {path}", path.read_text(encoding="utf-8", errors="replace"))
    found = leaks()
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["SECRET SCAN: a secret appeared in the test run output", *found[:50]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
