"""``rebuild-state``: which alert issue is which group (issue 20 item 2).

Issues since 2026-12-03 carry the customer's alert number (検知番号：ACME-A3), read back through the
staff index (``bot.monitoring.numbers``); the store's references of those issues, their summaries and
the numbers themselves are restored from it. Older issues carry ``hoshu-bot:alert:<fp>:<gen>`` themselves.
"""

from __future__ import annotations

from datetime import datetime

from bot.backlog.refs import reference_data
from bot.monitoring.groups import issue_ref, update_ref
from bot.monitoring.numbers import INDEXED_PREFIX, number_ref
from bot.rebuild.scan import Found, Scan
from bot.state.store import StateStore

AlertIssue = tuple[str, int, Found, list[datetime]]  # fingerprint, generation, the issue, summary times


def _tail(ref: str, prefix: str) -> str:
    return ref[len(prefix):]


def alert_issues(scan: Scan, store: StateStore, warnings: list[str]) -> list[AlertIssue]:
    """Every alert issue found, with its fingerprint, generation and when its summaries were written."""
    out: list[AlertIssue] = []
    index = alert_index(scan, store, warnings)
    numbers = {group: n for (_, n), group in index.items()}
    for f in scan.with_prefix("hoshu-bot:alert:"):  # an older issue, numbered only if written again since
        fp, _, gen = _tail(f.ref, "hoshu-bot:alert:").rpartition(":")
        if fp and gen.isdigit():
            n = numbers.get((fp, int(gen)))
            out.append((fp, int(gen), f, _summaries(scan, store, fp, int(gen), f.project, n)))
    for f in scan.with_prefix("hoshu-bot:alert-no:"):
        project, _, n = _tail(f.ref, "hoshu-bot:alert-no:").partition(":")
        if (project, n) not in index:
            warnings.append(f"{project}-A{n} ({f.target}): not in the staff index; group not restored")
            continue
        fp, generation = index[project, n]
        with store.transaction() as c:
            StateStore.record_ref_in(c, issue_ref(fp, generation), "issue", project, f.target, f.at)
        out.append((fp, generation, f, _summaries(scan, store, fp, generation, project, n)))
    return out


def alert_index(scan: Scan, store: StateStore, warnings: list[str]) -> dict[tuple[str, str], tuple[str, int]]:
    """(project, number) -> (fingerprint, generation) from the staff index; the store's number rows are
    restored from it, so a new group never takes a number a customer has already seen."""
    index: dict[tuple[str, str], tuple[str, int]] = {}
    for f in scan.with_prefix(INDEXED_PREFIX):
        project, _, n = _tail(f.ref, INDEXED_PREFIX).partition(":")
        data = reference_data(f.text) or {}
        if not n.isdigit() or "fp" not in data or not data.get("g", "").isdigit():
            warnings.append(f"{f.ref}: alert number not readable")
            continue
        index[project, n] = (data["fp"], int(data["g"]))
        store.record_ref(number_ref(project, data["fp"], int(data["g"])), "alert-number", project, n, f.at)
    return index


def _summaries(
    scan: Scan, store: StateStore, fp: str, gen: int, project: str, n: str | None
) -> list[datetime]:
    """When the group's summaries were written; numbered ones get their store reference back."""
    found = scan.with_prefix(f"hoshu-bot:alert-update:{fp}:{gen}:")
    if n is not None:
        numbered = scan.with_prefix(f"hoshu-bot:alert-no-update:{project}:{n}:")
        with store.transaction() as c:
            for u in numbered:
                count = int(u.ref.rsplit(":", 1)[1])
                StateStore.record_ref_in(c, update_ref(fp, gen, count), "comment", project, u.target, u.at)
        found += numbered
    return [u.at for u in found]
