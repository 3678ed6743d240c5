"""Pure business rules of the paid maintenance service (SERVICE_RULES.md): no I/O, time passed in."""

from __future__ import annotations
