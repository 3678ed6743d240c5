"""Command line and composition root: ``python -m bot <command>`` and ``hoshu-bot <command>``.

Each command lives in ``bot/commands/<name>.py`` and exposes ``register(subparsers)`` and ``run(args)``.
Exit codes (INTERFACE.md): 0 success; 2 bad usage or configuration (one line on stderr, no traceback);
1 a runtime failure after start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import logging
import os
import signal
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING

from bot.errors import BlindStartError, BotError, ConfigError, StoreLockedError, UsageError

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

COMMANDS = ("run", "demo", "check", "status", "deadline", "quote", "ledger", "parse-mail", "report",
            "rebuild-state", "init", "sandbox", "migrate-state")

log = logging.getLogger("bot")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on bad usage already; keep its one line and no traceback.
        self.exit(2, f"{self.prog}: error: {message}\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse drops what it cannot write; ``--help`` with stdout closed says so like any command.
        if message and isinstance(file, _ClosedStdout):
            raise StdoutClosedError(errno.EBADF, "standard output is closed")
        super()._print_message(message, file)


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
    from bot.commands.help import add_help  # noqa: PLC0415 - with the commands, inside main's guard
    add_help(sub)
    return parser


def _command_module(name: str):  # type: ignore[no-untyped-def]
    try:
        return importlib.import_module(f"bot.commands.{name.replace('-', '_')}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bot.commands.{name.replace('-', '_')}":
            return None
        raise


class StdoutClosedError(OSError):
    """Raised when a command prints while the process was started with its stdout closed (``1>&-``)."""


class _ClosedStdout(io.TextIOBase):
    """What ``sys.stdout`` is when there is none: Python would drop every print silently (exit 0 and
    nothing shown); here the first print fails, and the command ends with exit 1 and one line."""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        raise StdoutClosedError(errno.EBADF, "standard output is closed")


#: What was left as it was when Ctrl-C stopped a command (the one line of issue 19 item 9).
INTERRUPTED = {
    "check": "check stopped before every check was done; nothing was changed",
    "run": "the worker stopped; what it finished is stored and the next run goes on from there",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Exit codes (README "Commands"): 0 success; 2 bad usage or configuration; 1 a
    runtime failure (Backlog, the mailbox, the state store, the disk, a closed output); 130 on Ctrl-C.
    Whatever happens, the operator gets at most one line on stderr, never a traceback (issue 13)."""
    if sys.stdout is None:  # started with stdout closed: a print must fail, not vanish (issue 19 item 9)
        sys.stdout = _ClosedStdout()
    command: list[str] = []
    try:
        return _main(argv, command)
    except KeyboardInterrupt:
        # A second Ctrl-C while this line is written must not become a traceback either.
        with contextlib.suppress(ValueError):  # not the main thread (a test): nothing to protect
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        what = INTERRUPTED.get(command[0] if command else "")
        return _fail(130, "interrupted (Ctrl-C)" + (f": {what}" if what else ""))
    except StdoutClosedError:
        return _fail(1, "standard output is closed, so nothing could be printed (start it with an open "
                        "stdout, or redirect it to a file)")
    except BrokenPipeError:
        # The reader went away (``hoshu-bot status | head``): it has what it wanted, so nothing is said
        # (as other tools do); exit 1, as the output is incomplete. stdout is pointed at /dev/null so
        # the interpreter's final flush stays quiet too.
        _silence_stdout()
        return 1


def _main(argv: Sequence[str] | None, command: list[str]) -> int:
    from bot.runtime.space import ForeignStoreError  # noqa: PLC0415 - imported where Ctrl-C is caught

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # issue 19 item 9: ``hoshu-bot`` alone lists the commands (bad usage: 2)
        parser.print_help(sys.stderr)
        return 2
    command.append(args.command)
    try:
        code: int = args.handler(args)
        _flush_stdout()
    except (ConfigError, UsageError, StoreLockedError, BlindStartError, ForeignStoreError) as exc:
        return _fail(2, str(exc))
    except BotError as exc:
        return _fail(1, str(exc))
    except (KeyboardInterrupt, StdoutClosedError, BrokenPipeError):
        raise  # main says these
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
