"""Shared helpers for the mail tests: the shipped monitoring config and the example customers."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.config.loader import load_monitoring
from bot.config.monitoring import MonitoringConfig
from bot.mail.routing import RouteTarget
from tests.support.paths import CONFIG_DIR
from tests.support.paths import MAIL_FIXTURES as FIXTURES

ACME = RouteTarget(
    "ACME",
    True,
    ("adapter@acme.example.jp", "dsc-notify@acme.example.jp", "esm-alert@acme.example.jp"),
    ("00D5g000004ACME", "acme-corp", "ACME_"),
)
BETA = RouteTarget("BETA", False, ("alerts@beta.example.co.jp",), ("00D5g000009BETA", "beta-shoji"))
CUSTOMERS = (ACME, BETA)


@cache
def monitoring() -> MonitoringConfig:
    return load_monitoring(CONFIG_DIR / "monitoring.toml")


@cache
def generator(folder: Path = FIXTURES) -> ModuleType:
    """The fixture generator of ``folder`` (the first corpus, or ``layouts/``) as a module."""
    name = f"mail_fixture_generator_{folder.name}"
    spec = importlib.util.spec_from_file_location(name, folder / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_case(case: Path) -> tuple[bytes, dict[str, Any]]:
    """A fixture mail and its expectations (``x.eml`` beside ``x.json``)."""
    return case.with_suffix(".eml").read_bytes(), json.loads(case.read_text(encoding="utf-8"))
