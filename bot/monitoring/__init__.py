"""Monitoring option (M1-M4, C8): adapter error mail becomes one triaged Backlog issue per problem."""

from __future__ import annotations

from bot.monitoring.service import MonitoringService, mail_key

__all__ = ["MonitoringService", "mail_key"]
