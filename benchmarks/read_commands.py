"""``status``, ``quote`` and ``report --dry-run`` on a small and a large store, both stores (issue 22).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/read_commands.py [--stores sqlite,postgresql]
[--layouts history,month] [--repeat 5]``. Each store is filled directly (executemany) with processed
mails and their alert events, inquiries with their SLA clock (T2) and ledger entries: a small one (1,000
mails, 50 inquiries) and a large one (100,000 mails, 5,000 inquiries). Two layouts of the large store:

* ``history``: the report's month (ACME, 2026-11) holds what the small store holds (1,000 mails, 50
  inquiries); the other 99,000 mails and 4,950 inquiries are the eleven months before it. The store grows,
  the month does not: a read command that reads only what it needs stays flat.
* ``month``: all 100,000 mails and 5,000 inquiries fall in the month (20 s and 7 min apart from 11/2),
  so the report itself is 100 times longer (2,500 issue lines, 100,000 alerts counted).

Each command runs in-process through ``bot.__main__.main`` as an operator runs it (output discarded):
once to warm up, then ``--repeat`` rounds over all the stores in turn (so the machine's load falls on
every size alike); the median wall time is printed per size, and the ratio large / small (flat means
close to 1), with the load average. PostgreSQL is a throwaway local cluster (fsync on). Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.__main__ import main as cli
from bot.rules.sla import Clock, ClockKind
from bot.state import StateStore
from bot.state.inquiries import clock_to_json
from testing.postgres import Cluster

CONFIG = Path(__file__).resolve().parent.parent / "config"
JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
SIZES = ((1_000, 50), (100_000, 5_000))
COMMANDS = (("status", ["status", "--json"]),
            ("quote", ["quote", "--customer", "ACME", "--hours", "2", "--json"]),
            ("report --dry-run", ["report", "--customer", "ACME", "--month", "2026-11", "--dry-run"]))


HISTORY_START, MONTH_START = datetime(2025, 12, 1, tzinfo=JST), datetime(2026, 11, 1, tzinfo=JST)
IN_MONTH = SIZES[0]  # what the report's month holds in the ``history`` layout


def _clock(key: str, started: datetime) -> str:
    met = started + timedelta(hours=1)
    return clock_to_json(Clock(ClockKind.FIRST_RESPONSE, key, started, started + timedelta(hours=8),
                               Decimal(8), met_at=met))


def fill(location: str, mails: int, inquiries: int, layout: str = "month") -> None:
    """Write the rows of a store that has seen ``mails`` mails and ``inquiries`` inquiries; in the
    ``history`` layout only the first 1,000 / 50 fall in 2026-11, the rest before it."""
    in_month = IN_MONTH if layout == "history" else (mails, inquiries)
    old_mails, old_inquiries = mails - in_month[0], inquiries - in_month[1]
    mail_gap = (MONTH_START - HISTORY_START) / max(old_mails, 1)
    inquiry_gap = (MONTH_START - HISTORY_START) / max(old_inquiries, 1)
    store = StateStore.open(location)
    try:
        with store.transaction() as tx:
            for n in range(mails):
                when = (START + timedelta(seconds=20 * n) if n < in_month[0]
                        else HISTORY_START + mail_gap * (n - in_month[0]))
                at = when.isoformat()
                fp = f"fp{n % 200:03d}"
                tx.execute("INSERT INTO mail_seen (mail_key, outcome, customer, fingerprint, detail, seen_at)"
                           " VALUES (?, 'grouped', 'ACME', ?, '', ?)", (f"m{n}", fp, at))
                tx.execute("INSERT INTO alert_events (mail_key, fingerprint, customer, adapter, error_class,"
                           " occurred_at) VALUES (?, ?, 'ACME', 'kintone', 'input', ?)", (f"m{n}", fp, at))
            for n in range(inquiries):
                customer = "ACME" if n % 2 else "BETA"
                key = f"{customer}-{n + 1}"
                when = (START + timedelta(minutes=7 * n) if n < in_month[1]
                        else HISTORY_START + inquiry_gap * (n - in_month[1]))
                created = when.isoformat()
                tx.execute("INSERT INTO inquiries (issue_key, customer, issue_id, summary, created_user,"
                           " created, status, updated, category, staff_issue_key, paused, closed, data)"
                           " VALUES (?, ?, ?, 'お問い合わせ', 'yamada', ?, '完了', ?, 'E6', ?, 0, ?, '{}')",
                           (key, customer, n + 1, created, created, f"HOSHU-{n + 1}", created))
                tx.execute("INSERT INTO sla_clocks (issue_key, kind, seq, customer, data, open)"
                           " VALUES (?, 'first_response', 0, ?, ?, 0)", (key, customer, _clock(key, when)))
                if n % 10 in (0, 1):  # a ledger entry for one inquiry in five, of both customers
                    tx.execute("INSERT INTO ledger (customer, kind, hours, at, issue_key, who, why, ref,"
                               " recorded_at) VALUES (?, 'consume', '0.5', ?, ?, 'yamada', '承認', ?, ?)",
                               (customer, created, key, f"hoshu-bot:consume:{key}:1", created))
    finally:
        store.close()


def once(argv: list[str]) -> float:
    t0 = time.perf_counter()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli(argv)
    took = time.perf_counter() - t0
    if code != 0 and not (argv[0] == "status" and code == 1):  # status: 1 means "not healthy"
        msg = f"{' '.join(argv)} exited {code}: {err.getvalue()[-500:]}"
        raise SystemExit(msg)
    return took


def use(kind: str, location: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    if kind == "postgresql":
        os.environ["DATABASE_URL"] = location
    else:
        os.environ["BOT_STATE_PATH"] = location


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--layouts", default="history,month", help="of the large store (see above)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"BOT_CONFIG_DIR": str(CONFIG), "BOT_NOW": "2026-12-02T10:00:00+09:00",
                       "BOT_LOG_LEVEL": "ERROR"})
    kinds = [k.strip() for k in args.stores.split(",") if k.strip()]
    layouts = [k.strip() for k in args.layouts.split(",") if k.strip()]
    sizes = [("small", *SIZES[0], "month"), *((layout, *SIZES[1], layout) for layout in layouts)]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores at the start")
    cluster = Cluster.start(durable=True) if "postgresql" in kinds else None
    times: dict[str, dict[str, list[float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stores: list[tuple[str, str, str]] = []
            for kind in kinds:
                for label, mails, inquiries, layout in sizes:
                    location = (cluster.database("reads") if kind == "postgresql" and cluster is not None
                                else f"{tmp}/{label}.db")
                    t0 = time.perf_counter()
                    fill(location, mails, inquiries, layout)
                    print(f"{kind}: filled {mails:,} mails, {inquiries:,} inquiries ({label})"
                          f" in {time.perf_counter() - t0:.1f}s")
                    stores.append((kind, label, location))
            # One warm-up, then the sizes in turn, ``--repeat`` rounds: a change of the machine's load
            # during the run falls on every size alike.
            for round_ in range(args.repeat + 1):
                for kind, label, location in stores:
                    use(kind, location)
                    for name, argv in COMMANDS:
                        took = once(argv)
                        if round_:
                            times.setdefault(f"{kind} {name}", {}).setdefault(label, []).append(took)
    finally:
        if cluster is not None:
            cluster.stop()
    results = {k: {s: statistics.median(v) for s, v in d.items()} for k, d in times.items()}
    for name, by_store in results.items():
        small = by_store["small"]
        line = ", ".join(f"{by_store[layout] * 1000:.0f} ms {layout} ({by_store[layout] / small:.2f}x)"
                         for layout in layouts)
        print(f"{name}: {small * 1000:.0f} ms (1,000 mails / 50 inquiries) vs 100,000 / 5,000: {line}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print(json.dumps({k: {s: round(v, 4) for s, v in d.items()} for k, d in results.items()}))


if __name__ == "__main__":
    main()
