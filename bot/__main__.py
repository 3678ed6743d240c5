"""Command line and composition root: ``python -m bot <command>`` and ``hoshu-bot <command>``.

Each command lives in ``bot/commands/<name>.py`` and exposes ``register(subparsers)`` and ``run(args)``.
Exit codes (INTERFACE.md): 0 success; 2 bad usage or configuration (one line on stderr, no traceback);
1 a runtime failure after start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from bot.errors import BlindStartError, BotError, ConfigError, StoreLockedError, UsageError
from bot.runtime.space import ForeignStoreError

COMMANDS = ("run", "demo", "check", "status", "deadline", "quote", "ledger", "parse-mail", "report",
            "rebuild-state", "init", "sandbox", "migrate-state")

log = logging.getLogger("bot")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on bad usage already; keep its one line and no traceback.
        self.exit(2, f"{self.prog}: error: {message}\n")


def version() -> str:
    """The installed distribution's version (``--version``); a source tree without metadata says so."""
    try:
        return metadata.version("hoshu-bot")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hoshu-bot", description="保守ボット: paid maintenance, run inside Backlog",
                     epilog="Exit codes: 0 success, 1 a runtime failure, 2 bad usage or configuration. "
                            "'hoshu-bot COMMAND --help' explains one command.")
    parser.add_argument("--version", action="version", version=f"hoshu-bot {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = _command_module(name)
        if module is not None:
            module.register(sub)
    return parser


def _command_module(name: str):  # type: ignore[no-untyped-def]
    try:
        return importlib.import_module(f"bot.commands.{name.replace('-', '_')}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bot.commands.{name.replace('-', '_')}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one exit per kind of failure
    """Run one command. Exit codes (README "Commands"): 0 success; 2 bad usage or configuration; 1 a
    runtime failure (Backlog, the mailbox, the state store, the disk, a closed output); 130 on Ctrl-C.
    Whatever happens, the operator gets one line on stderr, never a traceback (issue 13)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # issue 19 item 9: ``hoshu-bot`` alone lists the commands (bad usage: 2)
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args.handler(args)
        _flush_stdout()
    except (ConfigError, UsageError, StoreLockedError, BlindStartError, ForeignStoreError) as exc:
        return _fail(2, str(exc))
    except BotError as exc:
        return _fail(1, str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``hoshu-bot demo | head -1``) or stdout was closed: nothing more to say
        # to it; stdout is pointed at /dev/null so the interpreter's final flush stays quiet too.
        _silence_stdout()
        return _fail(1, "output closed before everything was written (broken pipe)")
    except OSError as exc:  # the disk, a path, the network below our own error types
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(1, f"{exc.strerror or type(exc).__name__}{where}")
    except Exception as exc:  # the last line of defence: one line, and the details only at DEBUG
        log.debug("unexpected error", exc_info=True)
        return _fail(1, f"unexpected error ({type(exc).__name__}: {exc}); BOT_LOG_LEVEL=DEBUG shows where")
    return code


def _fail(code: int, message: str) -> int:
    with contextlib.suppress(OSError, ValueError):  # stderr itself closed: the exit code is what is left
        print(f"hoshu-bot: {message}", file=sys.stderr)
    return code


def _flush_stdout() -> None:
    if sys.stdout is not None:  # None when the process started with stdout closed
        sys.stdout.flush()


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        if sys.stdout is not None:
            os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
