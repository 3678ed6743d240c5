"""``sandbox``: serve the Backlog emulator on 127.0.0.1 so ``run``, ``check`` and ``status`` can be tried.

It prints the URL and the seeded users' API keys (sandbox keys, not secrets), then serves until SIGINT
or SIGTERM. The space is the bundled seed: the customer projects of the shipped configuration (ACME,
BETA) and the staff project, with their statuses, issue types and users.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("sandbox", help="serve the Backlog emulator on 127.0.0.1")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.sandbox import BacklogEmulator  # noqa: PLC0415 - only this command serves the emulator

    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    with BacklogEmulator.start() as emu:
        users = sorted(emu.state.users.values(), key=lambda u: u.user_id)
        print(f"Backlog emulator at {emu.base_url} (Ctrl-C or SIGTERM stops it)")
        print("seeded users and their API keys:")
        for user in users:
            print(f"  {user.user_id:<12} {user.api_key}")
        print("try the bot against it, from another shell:")
        print(f"  export BACKLOG_BASE_URL={emu.base_url} BACKLOG_API_KEY={emu.api_key}")
        print("  hoshu-bot check; hoshu-bot run --once; hoshu-bot status", flush=True)
        while not stop.wait(0.5):
            pass
    print("emulator stopped", flush=True)
    return 0
