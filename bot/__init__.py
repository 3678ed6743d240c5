"""Hoshu Bot (保守ボット): a vendor's paid maintenance service, run inside Backlog."""

__version__ = "0.1.0"
