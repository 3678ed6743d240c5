"""Soak: the whole App in-process under steady load; peak RSS and its slope (issue 8, target < 150 MB, flat).

``.venv/bin/python benchmarks/soak.py [--minutes 10] [--mails-per-second 2] [--sample-seconds 5]``

The worker (``App.build`` + ``Worker.run_forever`` + the mail thread, exactly as ``run`` wires them) runs
against the Backlog emulator and a real Dovecot. A feeder appends alert mail at a steady rate (the
fixture corpus, repeats of a few fingerprints plus a fresh one now and then) and a customer opens an
inquiry every 30 s. RSS is sampled from /proc/self/status every few seconds; the report gives the peak,
the slope of a least-squares line over the second half (MB per minute) and how much mail was handled.
The emulator and the feeder live in the same process, so the figure is an upper bound for the bot.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config.settings import Settings  # noqa: E402
from bot.sandbox import BacklogEmulator  # noqa: E402
from bot.worker import Worker  # noqa: E402
from testing.dovecot import DovecotServer  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
ALERTS = ("kintone_utf8_base64", "esm_401_shift_jis", "sf_lock_row_qp", "dsc_input_not_found_windows31j")
_MID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n", re.IGNORECASE | re.MULTILINE)
_JOB = re.compile("ジョブ名: [^\n]*")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    half = samples[len(samples) // 2:]
    if len(half) < 2:
        return 0.0
    n = len(half)
    mt = sum(t for t, _ in half) / n
    mr = sum(r for _, r in half) / n
    var = sum((t - mt) ** 2 for t, _ in half)
    return 0.0 if var == 0 else sum((t - mt) * (r - mr) for t, r in half) / var * 60


def mail(n: int, rng: random.Random) -> bytes:
    raw = _MID.sub(b"", (FIXTURES / f"{rng.choice(ALERTS)}.eml").read_bytes(), count=1)
    return f"Message-ID: <soak-{n}@soak.test>\r\n".encode() + raw


def feed(server: DovecotServer, stop: threading.Event, rate: float, counter: list[int]) -> None:
    rng = random.Random(8)
    with server.client() as c:
        while not stop.is_set():
            counter[0] += 1
            c.append("INBOX", mail(counter[0], rng))
            stop.wait(1 / rate)


def customers(emu: BacklogEmulator, stop: threading.Event) -> None:
    n = 0
    while not stop.wait(30):
        n += 1
        emu.add_issue_as("yamada", "ACME", f"ソークテストのお問い合わせ {n}", "設定を確認してください。")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--mails-per-second", type=float, default=2.0)
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hoshu-soak-"))
    server = DovecotServer.start(tmp / "dovecot")
    stamp = START.timestamp()
    emu = BacklogEmulator.start(limits={"read": 10**9, "update": 10**9, "search": 10**9}, clock=lambda: stamp)
    settings = Settings(  # type: ignore[call-arg]
        BACKLOG_BASE_URL=emu.base_url, BACKLOG_API_KEY=emu.api_key, IMAP_HOST=server.host,
        IMAP_PORT=server.port, IMAP_USER=server.user, IMAP_PASSWORD=server.password, IMAP_SSL=False,
        BOT_CONFIG_DIR=str(ROOT / "config"), BOT_STATE_PATH=str(tmp / "state.db"),
    )
    app = App.build(settings, clock=FixedClock(START))
    worker = Worker(jobs=app.jobs(), store=app.store, clock=app.clock, stop=app.stop, lock=app.lock)
    stop = threading.Event()
    counter = [0]
    threads = [
        threading.Thread(target=app.run_mail_forever, daemon=True),
        threading.Thread(target=worker.run_forever, daemon=True),
        threading.Thread(target=feed, args=(server, stop, args.mails_per_second, counter), daemon=True),
        threading.Thread(target=customers, args=(emu, stop), daemon=True),
    ]
    for t in threads:
        t.start()
    samples: list[tuple[float, float]] = []
    began = time.monotonic()
    end = began + args.minutes * 60
    while time.monotonic() < end:
        samples.append((time.monotonic() - began, rss_mb()))
        time.sleep(args.sample_seconds)
    stop.set()
    app.stop.set()
    for t in threads:
        t.join(timeout=30)
    processed = len(server.folder_uids("Processed")) + len(server.folder_uids("Quarantine"))
    left = len(server.folder_uids("INBOX"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first = samples[len(samples) // 2][1] if samples else 0.0
    last = samples[-1][1] if samples else 0.0
    print(f"soak: {args.minutes:g} min, {counter[0]} mails sent, {processed} filed, {left} left in INBOX, "
          f"{len(emu.state.issues)} issues")
    print(f"RSS: start {samples[0][1]:.1f} MB, mid {first:.1f} MB, end {last:.1f} MB, peak {peak:.1f} MB; "
          f"slope over the second half {slope_mb_per_min(samples):+.3f} MB/min ({len(samples)} samples)")
    app.close()
    emu.stop()
    server.cleanup()


if __name__ == "__main__":
    main()
