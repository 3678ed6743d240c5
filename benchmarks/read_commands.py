"""``status``, ``quote`` and ``report --dry-run`` on a small and a large store, both stores (issue 22).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/read_commands.py [--stores sqlite,postgresql]
[--repeat 5]``. Each store is filled directly (executemany) with processed mails, their alert events,
inquiries with their SLA clocks and ledger entries: a small one (1,000 mails, 50 inquiries) and a large
one (100,000 mails, 5,000 inquiries). Each command runs in-process through ``bot.__main__.main`` as an
operator runs it (output discarded), ``--repeat`` times; the median wall time is printed per size, and
the ratio large / small (flat means close to 1). PostgreSQL is a throwaway local cluster (fsync on).
Asserts nothing.
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
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.__main__ import main as cli
from bot.state import StateStore
from testing.postgres import Cluster

CONFIG = Path(__file__).resolve().parent.parent / "config"
JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
SIZES = ((1_000, 50), (100_000, 5_000))
COMMANDS = (("status", ["status", "--json"]),
            ("quote", ["quote", "--customer", "ACME", "--hours", "2", "--json"]),
            ("report --dry-run", ["report", "--customer", "ACME", "--month", "2026-11", "--dry-run"]))


def fill(location: str, mails: int, inquiries: int) -> None:
    """Write the rows of a store that has seen ``mails`` mails and ``inquiries`` inquiries."""
    store = StateStore.open(location)
    try:
        with store.transaction() as tx:
            for n in range(mails):
                at = (START + timedelta(seconds=20 * n)).isoformat()
                fp = f"fp{n % 200:03d}"
                tx.execute("INSERT INTO mail_seen (mail_key, outcome, customer, fingerprint, detail, seen_at)"
                           " VALUES (?, 'grouped', 'ACME', ?, '', ?)", (f"m{n}", fp, at))
                tx.execute("INSERT INTO alert_events (mail_key, fingerprint, customer, adapter, error_class,"
                           " occurred_at) VALUES (?, ?, 'ACME', 'kintone', 'input', ?)", (f"m{n}", fp, at))
            for n in range(inquiries):
                customer = "ACME" if n % 2 else "BETA"
                key = f"{customer}-{n + 1}"
                created = (START + timedelta(minutes=7 * n)).isoformat()
                tx.execute("INSERT INTO inquiries (issue_key, customer, issue_id, summary, created_user,"
                           " created, status, updated, category, staff_issue_key, paused, closed, data)"
                           " VALUES (?, ?, ?, 'お問い合わせ', 'yamada', ?, '完了', ?, 'E6', ?, 0, ?, '{}')",
                           (key, customer, n + 1, created, created, f"HOSHU-{n + 1}", created))
                if n % 10 == 0:
                    tx.execute("INSERT INTO ledger (customer, kind, hours, at, issue_key, who, why, ref,"
                               " recorded_at) VALUES (?, 'consume', '0.5', ?, ?, 'yamada', '承認', ?, ?)",
                               (customer, created, key, f"hoshu-bot:consume:{key}:1", created))
    finally:
        store.close()


def timed(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = cli(argv)
        times.append(time.perf_counter() - t0)
        if code != 0 and not (argv[0] == "status" and code == 1):  # status: 1 means "not healthy"
            msg = f"{' '.join(argv)} exited {code}: {err.getvalue()[-500:]}"
            raise SystemExit(msg)
    return statistics.median(times)


def run_store(kind: str, location: str, repeat: int) -> dict[str, list[float]]:
    os.environ.pop("DATABASE_URL", None)
    if kind == "postgresql":
        os.environ["DATABASE_URL"] = location
    else:
        os.environ["BOT_STATE_PATH"] = location
    return {name: [timed(argv, repeat)] for name, argv in COMMANDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"BOT_CONFIG_DIR": str(CONFIG), "BOT_NOW": "2026-12-02T10:00:00+09:00",
                       "BOT_LOG_LEVEL": "ERROR"})
    kinds = [k.strip() for k in args.stores.split(",") if k.strip()]
    cluster = Cluster.start(durable=True) if "postgresql" in kinds else None
    results: dict[str, dict[str, list[float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in kinds:
                for mails, inquiries in SIZES:
                    if kind == "postgresql" and cluster is not None:
                        location = cluster.database("reads")
                    else:
                        location = f"{tmp}/{mails}.db"
                    t0 = time.perf_counter()
                    fill(location, mails, inquiries)
                    print(f"{kind}: filled {mails:,} mails, {inquiries:,} inquiries"
                          f" in {time.perf_counter() - t0:.1f}s")
                    for name, secs in run_store(kind, location, args.repeat).items():
                        results.setdefault(f"{kind} {name}", {}).setdefault(str(mails), []).extend(secs)
    finally:
        if cluster is not None:
            cluster.stop()
    for name, by_size in results.items():
        small, large = (by_size[str(m)][0] for m, _ in SIZES)
        print(f"{name}: {small * 1000:.0f} ms (1,000 mails / 50 inquiries) vs {large * 1000:.0f} ms"
              f" (100,000 / 5,000) = {large / small:.2f}x")
    print(json.dumps({k: {s: round(v[0], 4) for s, v in d.items()} for k, d in results.items()}))


if __name__ == "__main__":
    main()
