"""Issue 14: no SQL outside ``bot/state/`` (the store is the one adapter that speaks to a database)."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

DRIVERS = {"sqlite3", "psycopg", "psycopg_pool"}


def _outside_state() -> list[str]:
    modules = ((ROOT / "bot").rglob("*.py"))
    return sorted(str(p.relative_to(ROOT)) for p in modules if "state" not in p.relative_to(ROOT).parts)


def test_no_module_outside_the_store_imports_a_database_driver() -> None:
    offenders = []
    for module in _outside_state():
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        offenders += [f"{module}: {d}" for d in sorted(names & DRIVERS)]
    assert offenders == []


def test_no_module_outside_the_store_executes_a_statement() -> None:
    offenders = []
    for module in _outside_state():
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        offenders += [f"{module}:{c.lineno}" for c in calls if c.func.attr in {"execute", "executescript"}]
    assert offenders == []
