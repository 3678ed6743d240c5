"""Shared values of the wording tests: the shipped configuration and its templates (issue 15)."""

from __future__ import annotations

import pytest

from bot.config.loader import BotConfig, load_config
from bot.wording.samples import Sample, samples
from tests.support.paths import CONFIG_DIR


@pytest.fixture(scope="session")
def shipped() -> BotConfig:
    return load_config(CONFIG_DIR)


def every_sample(config: BotConfig, *, hostile: bool = False) -> list[Sample]:
    explanations = tuple(r.explanation for r in config.service.out_of_scope)
    return samples(config.calendar(), explanations, hostile=hostile)
