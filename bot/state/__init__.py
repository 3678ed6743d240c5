"""The state store the worker owns (cursors, mail, alerts, SLA, ledger): a SQLite file or PostgreSQL."""

from bot.state.store import StateStore

__all__ = ["StateStore"]
