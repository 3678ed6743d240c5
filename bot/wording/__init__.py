"""Editable wording: Jinja2 templates under the config directory, escaped for either notation (issue 15)."""

from __future__ import annotations

from bot.wording.engine import NOTATIONS, Safe, TemplateProblem, Voice, Wording, packaged_dir

__all__ = ["NOTATIONS", "Safe", "TemplateProblem", "Voice", "Wording", "packaged_dir"]
