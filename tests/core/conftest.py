"""Fixtures for the pure core: the shipped configuration, its calendar, and a clean environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import CONFIG_DIR


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """The CLI reads only what the test sets: the shipped config, no BOT_NOW, no stray .env."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.delenv("BOT_NOW", raising=False)
    return monkeypatch
