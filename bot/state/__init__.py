"""The embedded state store: one SQLite file the worker owns (cursors, mail, alerts, SLA, ledger)."""

from bot.state.store import StateStore

__all__ = ["StateStore"]
