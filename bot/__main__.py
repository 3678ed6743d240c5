"""Command line and composition root: ``python -m bot <command>`` and ``hoshu-bot <command>``.

Each command lives in ``bot/commands/<name>.py`` and exposes ``register(subparsers)`` and ``run(args)``.
Exit codes (INTERFACE.md): 0 success; 2 bad usage or configuration (one line on stderr, no traceback);
1 a runtime failure after start-up.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.errors import BlindStartError, BotError, ConfigError, StoreLockedError, UsageError

COMMANDS = ("run", "demo", "check", "status", "deadline", "quote", "parse-mail", "report", "rebuild-state",
            "init", "sandbox", "migrate-state")

log = logging.getLogger("bot")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on bad usage already; keep its one line and no traceback.
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hoshu-bot", description="保守ボット: paid maintenance, run inside Backlog")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (ConfigError, UsageError, StoreLockedError, BlindStartError) as exc:
        print(f"hoshu-bot: {exc}", file=sys.stderr)
        return 2
    except BotError as exc:
        print(f"hoshu-bot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
