"""``demo``: the whole product on an embedded emulator and bundled sample mail; no network, no credentials."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="the whole product on an embedded emulator, as a transcript")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.demo.script import run_demo  # noqa: PLC0415 - the demo's imports are not paid by other commands

    return run_demo(sys.stdout)
