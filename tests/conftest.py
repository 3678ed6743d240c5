"""Session-wide: the secret scan plugin (issue 8) and the shipped configuration and its calendar."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.config.loader import BotConfig, load_config
from bot.rules.calendar import BusinessCalendar
from tests.support.paths import CONFIG_DIR

pytest_plugins = ["tests.support.secret_scan"]


@pytest.fixture(scope="session")
def config() -> BotConfig:
    """The shipped configuration (the brochure's values)."""
    return load_config(CONFIG_DIR)


@pytest.fixture
def cal(config: BotConfig) -> BusinessCalendar:
    # A fresh calendar per test so that the per-year cache and its stale-year warning start clean.
    return config.calendar()


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """A command run in-process (``run``, ``rebuild-state``, ``migrate-state``) sets up logging for the whole
    process, as it should in production; here the next test must not inherit that handler and level."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
