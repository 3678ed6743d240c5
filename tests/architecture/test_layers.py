"""The dependency rule of docs/architecture.md, read from the source (issue 23).

- no import circle among the modules of ``bot/`` and ``testing/`` (module-level imports, as Python runs them);
- the pure core (``bot/rules/``, ``bot/hour_tracker.py``, ``bot/mail/``) reaches no I/O, however indirectly:
  no network, store, mailbox, process, clock or environment, only the values it is given;
- the adapters at the edge (``bot/backlog/``, ``bot/state/``, ``bot/mailbox/``) never import a use case;
- composition only in ``bot/app.py``: no other module of ``bot/`` builds the Backlog client, the writer or a
  use case, and only the entry points (``__main__``, ``commands/``, ``demo/``) import ``bot.app``;
- the product never imports test support (``testing/``, ``tests/``), and the top of ``bot/`` stays small.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Modules of the standard library and dependencies that talk to the world (or read its clock).
IO_MODULES = frozenset({
    "requests", "urllib3", "imapclient", "imaplib", "smtplib", "psycopg", "sqlite3", "socket", "ssl",
    "select", "selectors", "http", "urllib.request", "subprocess", "signal", "schedule", "threading",
    "os", "shutil", "tempfile", "time", "pathlib", "jinja2",
})
#: Modules of bot/ outside the core that the core may use: values and pure text rules, no I/O of their own.
CORE_HELPERS = frozenset({"bot.errors", "bot.config.monitoring", "bot.config.fields", "bot.backlog.text",
                          "bot.backlog.refs"})
CORE_PREFIXES = ("bot.rules", "bot.mail", "bot.hour_tracker")
ADAPTER_PREFIXES = ("bot.backlog", "bot.state", "bot.mailbox")
USE_CASE_PREFIXES = ("bot.inquiry", "bot.monitoring", "bot.reports", "bot.rebuild", "bot.commands",
                     "bot.app", "bot.worker", "bot.runtime", "bot.demo")
#: What only the composition root builds.
WIRED_IN_APP = frozenset({"BacklogClient", "BacklogWriter", "Directory", "MailWatcher", "InquiryWorkflow",
                          "MonitoringService"})
ENTRY_POINTS = ("bot.__main__", "bot.commands", "bot.demo")


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for top in ("bot", "testing") for p in sorted((ROOT / top).rglob("*.py"))}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def _targets(node: ast.stmt | ast.expr) -> set[str]:
    """What one import statement imports: ``from bot.x import y`` is ``bot.x.y`` when that is a module."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        subs = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
        return subs if len(subs) == len(node.names) else subs | {node.module}
    return set()


@cache
def module_level_imports(name: str) -> frozenset[str]:
    """Imports Python runs when the module is imported (top level, outside ``if TYPE_CHECKING``)."""
    out: set[str] = set()
    for node in _tree(name).body:
        if not _type_checking(node):
            out |= _targets(node)
    return frozenset(out)


@cache
def all_imports(name: str) -> frozenset[str]:
    """Every import anywhere in the module, function-level and type-only included."""
    return frozenset(t for n in ast.walk(_tree(name)) if isinstance(n, ast.stmt) for t in _targets(n))


def _internal(targets: frozenset[str]) -> set[str]:
    return {t for t in targets if t in MODULES}


def _reach(start: str) -> set[str]:
    """Every module of the project ``start`` reaches; followed through the core and its helpers only
    (a module outside them is recorded, so the assertion names it, but not followed)."""
    seen, todo = {start}, [start]
    while todo:
        m = todo.pop()
        if _within(m, CORE_PREFIXES) or m in CORE_HELPERS:
            for t in _internal(all_imports(m)) - seen:
                seen.add(t)
                todo.append(t)
    return seen


def test_the_module_table_covers_the_tree() -> None:
    assert "bot.app" in MODULES and "bot.backlog_client" in MODULES and "testing.dovecot" in MODULES
    assert len(MODULES) > 100


def test_no_import_circles() -> None:
    """Tarjan's strongly connected components over module-level imports: every component is one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(_internal(module_level_imports(v))):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in module_level_imports(v):
                circles.append(sorted(comp))

    for m in sorted(MODULES):
        if m not in index:
            visit(m)
    assert circles == []


CORE = sorted(m for m in MODULES if _within(m, CORE_PREFIXES))


@pytest.mark.parametrize("module", CORE)
def test_the_pure_core_reaches_no_io(module: str) -> None:
    reached = _reach(module)
    outside = sorted(m for m in reached if not _within(m, CORE_PREFIXES) and m not in CORE_HELPERS)
    assert outside == [], f"{module} reaches {outside}"
    external = {t for m in reached for t in all_imports(m) if t not in MODULES}
    io = sorted(t for t in external if _within(t, tuple(IO_MODULES)))
    assert io == [], f"{module} reaches {io}"
    text = MODULES[module].read_text(encoding="utf-8")
    for clock_read in ("datetime.now(", ".today(", "time.time(", "monotonic("):
        assert clock_read not in text, f"{module} reads the clock ({clock_read})"


def test_the_core_helpers_are_pure_too() -> None:
    for helper in CORE_HELPERS:
        inside = _internal(all_imports(helper))
        assert inside <= CORE_HELPERS | {m for m in MODULES if _within(m, CORE_PREFIXES)}, helper
        assert not {t for t in all_imports(helper) if _within(t, tuple(IO_MODULES))}, helper


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _within(m, ADAPTER_PREFIXES)))
def test_adapters_import_no_use_case(module: str) -> None:
    used = sorted(t for t in _internal(all_imports(module)) if _within(t, USE_CASE_PREFIXES))
    assert used == []


def _calls(name: str) -> set[str]:
    out = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return out


def test_composition_only_in_app() -> None:
    builders = {m: sorted(_calls(m) & WIRED_IN_APP) for m in MODULES
                if m.startswith("bot.") and m != "bot.app" and not _within(m, ADAPTER_PREFIXES)}
    assert {m: b for m, b in builders.items() if b} == {}
    importers = sorted(m for m in MODULES if m.startswith("bot.") and "bot.app" in all_imports(m))
    assert importers and all(_within(m, ENTRY_POINTS) for m in importers), importers


def test_the_product_imports_no_test_support() -> None:
    product = [m for m in MODULES if m == "bot" or m.startswith("bot.")]
    leaks = {m: sorted(t for t in all_imports(m) if _within(t, ("testing", "tests", "pytest")))
             for m in product}
    assert {m: t for m, t in leaks.items() if t} == {}
    toml = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'include = ["bot*"]' in toml  # testing/ is not installed


def test_the_top_of_bot_stays_small() -> None:
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert len(top) <= 12, top
    for face in ("backlog_client.py", "mail_watcher.py", "hour_tracker.py", "app.py"):
        assert face in top
    assert (ROOT / "bot" / "rules").is_dir()


PATH_IN_TEXT = re.compile(r"(?<![\w/.])((?:bot|testing|tests|docs|benchmarks|config)/[\w./-]*[\w/])")


@pytest.mark.parametrize("doc", ["README.md", "docs/architecture.md", "bot/demo/script.py"])
def test_the_maps_name_real_files(doc: str) -> None:
    """The README's module table, the architecture page and the demo's headings point at what exists."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    if doc.endswith(".py"):  # the demo: the ``code:`` line of each step
        calls = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr == "step"]
        text = " ".join(ast.literal_eval(c.args[1]) for c in calls)
        assert "bot/" in text
    named = {m.group(1).rstrip(".") for m in PATH_IN_TEXT.finditer(text)}
    named = {n.split("*")[0] for n in named if "<" not in n}
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert named and missing == []
