"""Where the repository's own files are, for every test suite."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"  # the shipped configuration (the brochure's values)
MAIL_FIXTURES = ROOT / "tests" / "fixtures" / "mail"
