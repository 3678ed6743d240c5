"""What ``hoshu-bot COMMAND --help`` says beyond the options (issue 19 item 9): an example, the
environment the command reads, and its exit codes, so that a person can learn the CLI alone.

A command that writes its own epilog (``ledger``) keeps it; ``tests/operator/test_cli_help.py`` checks that
every command has one and that every example parses.
"""

from __future__ import annotations

import argparse
from typing import Any

#: The store, as every command that reads it names it.
_STORE = "BOT_STATE_PATH (SQLite) or DATABASE_URL (PostgreSQL)"
_BACKLOG = "BACKLOG_BASE_URL, BACKLOG_API_KEY"
_IMAP = "IMAP_HOST, IMAP_PORT, IMAP_USER, IMAP_PASSWORD, IMAP_SSL, IMAP_FOLDER"
_LOGS = "BOT_LOG_LEVEL, BOT_LOG_FORMAT"
_EXITS = ("exit codes: 0 done; 2 bad usage or configuration (one line naming the file and field, or the "
          "variable); ")


def _epilog(examples: tuple[str, ...], environment: str, exits: str) -> str:
    lines = ["example:", *(f"  {e}" for e in examples), "", f"environment: {environment}", exits]
    return "\n".join(lines) + "\n"


HELP: dict[str, str] = {
    "run": _epilog(
        ("hoshu-bot run --once --dry-run", "hoshu-bot run", "hoshu-bot run --standby"),
        f"{_BACKLOG}; {_IMAP} (only with a monitoring customer); BOT_CONFIG_DIR; {_STORE}; BOT_DRY_RUN, "
        f"BOT_AUTO_REBUILD, BOT_POLL_SECONDS, BOT_LEASE_SECONDS, BOT_ON_LEASE_LOST, {_LOGS}, "
        "BOT_NOW (tests).",
        _EXITS + "1 a runtime failure (--once: a job failed; the lease was taken over). SIGTERM or Ctrl-C "
        "stops the worker (exit 0); Ctrl-C in --once stops it with one line (exit 130)."),
    "demo": _epilog(
        ("hoshu-bot demo", "hoshu-bot demo | less"),
        "none: the demo brings its own Backlog emulator, sample mail and configuration.",
        "exit codes: 0 the demo ran; 1 it failed, or its output could not be written."),
    "check": _epilog(
        ("hoshu-bot check", "hoshu-bot check --json"),
        f"{_BACKLOG}; {_IMAP} (only with a monitoring customer); BOT_CONFIG_DIR; {_STORE}.",
        _EXITS + "1 a check FAILED (each line says why). WARN lines pass but name something to fix. "
        "Ctrl-C: one line, exit 130."),
    "status": _epilog(
        ("hoshu-bot status", "hoshu-bot status --json", "hoshu-bot status || echo unhealthy"),
        f"BOT_CONFIG_DIR; {_STORE}; IMAP_HOST (whether the mailbox is a source); BOT_STALE_MINUTES; "
        "BOT_NOW (tests).",
        "exit codes: 0 healthy; 1 not healthy (for health checks) or the store cannot be read; 2 bad "
        "configuration."),
    "deadline": _epilog(
        ("hoshu-bot deadline --received 2026-11-20T17:00+09:00",
         "hoshu-bot deadline --received 2026-11-20T17:00+09:00 --business-days 2 --json"),
        "BOT_CONFIG_DIR (business hours and holidays, service.toml).",
        _EXITS + "a time without an offset is bad usage."),
    "quote": _epilog(
        ("hoshu-bot quote --customer ACME --hours 3 --at 2026-11-26T10:00+09:00",
         "hoshu-bot quote --customer ACME --hours 4 --start 2026-12-19T10:00+09:00 "
         "--end 2026-12-19T14:00+09:00",
         "hoshu-bot quote --customer ACME --hours 2 --due 2026-12-18 --json"),
        f"BOT_CONFIG_DIR; {_STORE} (the ledger, read in place); BOT_NOW (the default --at).",
        _EXITS + "over 12 h consumed (O7) is exit 2 with the split to quote instead."),
    "parse-mail": _epilog(
        ("hoshu-bot parse-mail alert.eml", "hoshu-bot parse-mail alert.eml --explain",
         "hoshu-bot parse-mail alert.eml --json"),
        "BOT_CONFIG_DIR (monitoring.toml and the customers).",
        _EXITS + "a file that cannot be read is bad usage; a mail that is no alert is still exit 0."),
    "report": _epilog(
        ("hoshu-bot report --customer ACME --month 2026-11 --dry-run",
         "hoshu-bot report --customer ACME --month 2026-11"),
        f"{_BACKLOG} (not for --dry-run); BOT_CONFIG_DIR; {_STORE}; BOT_NOW (tests).",
        _EXITS + "a month not ended is refused unless --dry-run; 1 Backlog or the store failed."),
    "rebuild-state": _epilog(
        ("hoshu-bot rebuild-state", "hoshu-bot rebuild-state --force --json"),
        f"{_BACKLOG}; {_IMAP} (the processed-mail record, optional); BOT_CONFIG_DIR; {_STORE}; {_LOGS}.",
        _EXITS + "a store that is not empty without --force, or held by a running worker; 1 Backlog, "
        "the mailbox or the store failed."),
    "init": _epilog(
        ("hoshu-bot init", "hoshu-bot init /srv/hoshu/config --force"),
        "none (then set BOT_CONFIG_DIR to the directory written).",
        _EXITS + "also a file that exists without --force, or a directory that cannot be written."),
    "sandbox": _epilog(
        ("hoshu-bot sandbox",),
        "none (it prints the BACKLOG_BASE_URL and BACKLOG_API_KEY to export in another shell).",
        "exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 it could not start."),
    "migrate-state": _epilog(
        ('hoshu-bot migrate-state --to "$NEW_DATABASE_URL"', "hoshu-bot migrate-state --to backup.db --json"),
        f"{_STORE} (the store copied from); {_LOGS}.",
        _EXITS + "a target that is not empty; 1 the copy or its verification failed."),
}


def add_help(subparsers: Any) -> None:
    """Give each registered command its example, environment and exit codes (its own epilog wins)."""
    choices: dict[str, argparse.ArgumentParser] = subparsers.choices
    for name, parser in choices.items():
        if parser.epilog is None and name in HELP:
            parser.epilog = HELP[name]
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
