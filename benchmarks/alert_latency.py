"""Latency of one alert mail appended to an idle mailbox until its Backlog issue exists (median of 20).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/alert_latency.py [--runs N]``. The watcher idles on a local
Dovecot (IDLE), the service writes to the in-process emulator; the clock is the time from the APPEND until
the emulator has answered the issue's POST. Target (issue 4): median under 1 s. Asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bot.clock import FixedClock
from bot.config.loader import load_config, load_monitoring
from bot.mail_watcher import MailWatcher
from bot.mailbox.source import MemoryCursorStore
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from testing.dovecot import DovecotServer
from testing.imap import imap_settings
from testing.monitoring import PROCESSED, QUARANTINE, START, wire_service

CONFIG = Path(__file__).resolve().parent.parent / "config"

MAIL = (
    "From: adapter@acme.example.jp\r\nTo: hoshu@vendor.example.jp\r\nSubject: =?UTF-8?B?{subject}?=\r\n"
    "Message-ID: <latency-{n}@bench.example.jp>\r\nDate: Thu, 26 Nov 2026 10:15:03 +0900\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "SHANON CONNECT kintone アダプタで連携エラーが発生しました。\r\n\r\nサブドメイン: acme-corp\r\n"
    "ジョブ名: {job}\r\n発生日時: 2026/11/26 10:15:03\r\nエラーコード: CB_VA01\r\nエラー内容: 必須です。\r\n"
)


def mail(n: int) -> bytes:
    job = f"遅延測定{n:02d}"  # a new fingerprint each time: every mail must open an issue
    subject = base64.b64encode(f"【kintone連携】エラー通知 {job}".encode()).decode()
    return MAIL.format(subject=subject, n=n, job=job).encode()


def issues_created(emu: BacklogEmulator) -> int:
    posts = (r for r in emu.requests if r.method == "POST" and r.path.endswith("/issues"))
    return sum(1 for r in posts if r.status == 201)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, BacklogEmulator.start() as emu:
        server = DovecotServer.start(tmp)
        store = StateStore.open(f"{tmp}/state.sqlite3")
        stop = threading.Event()
        # As the worker wires it (bot/app.py): one store transaction per fetched batch.
        monitoring = load_monitoring(CONFIG / "monitoring.toml")
        _client, service = wire_service(load_config(CONFIG), monitoring, store, emu.base_url, emu.api_key,
                                        FixedClock(START))
        settings = imap_settings(server, processed_folder=PROCESSED, quarantine_folder=QUARANTINE,
                                 idle_check_seconds=5.0)
        watcher = MailWatcher(settings, service.handle, MemoryCursorStore(), stop_event=stop,
                              unit=store.batch)
        thread = threading.Thread(target=watcher.run_forever, daemon=True)
        try:
            server.append("INBOX", mail(999))  # warm-up: directory lookups, first connection
            thread.start()
            while issues_created(emu) < 1:
                time.sleep(0.005)
            time.sleep(0.5)  # let it reach IDLE
            latencies: list[float] = []
            for n in range(args.runs):
                before = issues_created(emu)
                t0 = time.perf_counter()
                server.append("INBOX", mail(n))
                while issues_created(emu) <= before:
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - t0)
                time.sleep(0.3)  # back to IDLE before the next one
            ms = sorted(x * 1000 for x in latencies)
            print(f"alert mail -> Backlog issue over {args.runs} runs: median {statistics.median(ms):.0f} ms,"
                  f" min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms (target: median < 1000 ms)")
        finally:
            stop.set()
            thread.join(30)
            store.close()
            server.cleanup()


if __name__ == "__main__":
    main()
