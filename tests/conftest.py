"""Session-wide plugins: the secret scan watches every log, output and failure of the run (issue 8)."""

from __future__ import annotations

pytest_plugins = ["tests.support.secret_scan"]
