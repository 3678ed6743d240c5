"""In-process Backlog API v2 emulator (tests, benchmarks, ``demo``): ``BacklogEmulator.start()``."""

from __future__ import annotations

from bot.sandbox.emulator import BacklogEmulator
from bot.sandbox.model import SpaceState
from bot.sandbox.seed import default_seed, new_plan_seed, seed_for
from bot.sandbox.server import RecordedRequest

__all__ = ["BacklogEmulator", "RecordedRequest", "SpaceState", "default_seed", "new_plan_seed", "seed_for"]
