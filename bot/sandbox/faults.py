"""Fault injection: the next N matching calls fail (500, 503, 429), are slow, or lose their answer."""

from __future__ import annotations

from dataclasses import dataclass

MODES = frozenset({"500", "503", "429", "slow", "drop", "drop_after_apply"})


@dataclass
class Fault:
    """``remaining`` more calls whose path contains ``path_contains`` (any path when None) and whose
    method is ``method`` (any when None) get ``mode``."""

    mode: str
    remaining: int
    path_contains: str | None = None
    method: str | None = None

    def matches(self, path: str, method: str = "") -> bool:
        return (self.remaining > 0 and (self.path_contains is None or self.path_contains in path)
                and (self.method is None or self.method == method))


class FaultPlan:
    """Queued faults, first-queued first-served. Not thread-safe on its own: used under the server lock."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, n: int, mode: str, path_contains: str | None = None, method: str | None = None) -> None:
        if mode not in MODES:
            msg = f"unknown fault mode {mode!r}; expected one of {sorted(MODES)}"
            raise ValueError(msg)
        if n < 1:
            msg = "n must be at least 1"
            raise ValueError(msg)
        self._faults.append(Fault(mode, n, path_contains, method.upper() if method else None))

    def take(self, path: str, method: str = "") -> str | None:
        """The fault this call gets, if any; consumes one use of it."""
        for fault in self._faults:
            if fault.matches(path, method):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault.mode
        return None

    def clear(self) -> None:
        self._faults.clear()

    @property
    def pending(self) -> int:
        return sum(f.remaining for f in self._faults)
