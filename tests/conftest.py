"""Session-wide: the secret scan plugin (issue 8) and the shipped configuration and its calendar."""

from __future__ import annotations

import pytest

from bot.config import BotConfig, load_config
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
