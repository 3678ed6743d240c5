"""A storm of alert mails in Dovecot through watcher + MonitoringService + emulator, against a bare loop.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/mail_storm.py [--mails N] [--fingerprints F]
[--stores sqlite,postgresql]`` (default 10,000 mails over 50 fingerprints, on both state stores in the
same run: the SQLite file and a throwaway local PostgreSQL with fsync on; each against its own bare loop).
Prints mails per second of the bot and of a bare imapclient fetch + ``email`` parse loop over the same
mails, Backlog calls by kind, calls per mail, the write bound and peak RSS (the emulator runs in-process,
so RSS includes it). Targets (issue 4): bot >= half the bare loop; writes <= 1 issue per fingerprint plus
one comment (and one description update) per fingerprint per interval. Asserts nothing.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import resource
import tempfile
import time
from collections import Counter
from datetime import timedelta
from email.header import Header
from email.mime.text import MIMEText

from bot.clock import FixedClock
from bot.mail_source import Disposition, FetchedMail
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.cluster import Cluster
from tests.monitoring.conftest import START, Rig
from tests.support.dovecot import DovecotServer

ENCODINGS = ("utf-8", "iso-2022-jp", "shift_jis", "euc-jp")
TICK = timedelta(seconds=1)  # simulated time between mails: 10,000 mails span ~2.8 h
UNLIMITED = {"read": 10**9, "update": 10**9, "search": 10**9}


def alert_mail(n: int, fingerprints: int) -> bytes:
    """A kintone adapter error of ACME; the job picks the fingerprint, the charset rotates."""
    job = f"受注連携{n % fingerprints:02d}"
    charset = ENCODINGS[n % len(ENCODINGS)]
    body = ("SHANON CONNECT kintone アダプタで連携エラーが発生しました。\n\nサブドメイン: acme-corp\n"
            f"ジョブ名: {job}\n発生日時: 2026/11/26 10:15:03\nエラーコード: CB_VA01\n"
            "エラー内容: 入力内容が正しくありません。\n  records[3].顧客名.value: 必須です。\n")
    msg = MIMEText(body, "plain", charset)
    msg["Subject"] = Header(f"【kintone連携】エラー通知 {job}", charset).encode()
    msg["From"] = "adapter@acme.example.jp"
    msg["To"] = "hoshu@vendor.example.jp"
    msg["Message-ID"] = f"<storm-{n}@bench.example.jp>"
    msg["Date"] = "Thu, 26 Nov 2026 10:15:03 +0900"
    return msg.as_bytes()


def bare_loop(server: DovecotServer) -> tuple[int, float]:
    """The floor: fetch every mail of INBOX (read-only, batches of 50) and parse it with ``email``."""
    t0 = time.perf_counter()
    count = 0
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        uids = sorted(int(u) for u in c.search(["ALL"]))
        for i in range(0, len(uids), 50):
            for item in c.fetch(uids[i:i + 50], ["BODY.PEEK[]"]).values():
                msg = email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default)
                part = msg.get_body(("plain", "html"))
                if part is not None:
                    part.get_content()
                count += 1
    return count, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--fingerprints", type=int, default=50)
    parser.add_argument("--stores", default="sqlite,postgresql",
                        help="state stores to run, in order (issue 14): sqlite, postgresql or both")
    args = parser.parse_args()
    stores = [k.strip() for k in args.stores.split(",") if k.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        server = DovecotServer.start(tmp)
        # PostgreSQL as deployed: fsync on, like SQLite's synchronous=FULL (bot/state/cluster.py).
        cluster = Cluster.start(durable=True) if "postgresql" in stores else None
        try:
            for kind in stores:
                pg = kind == "postgresql" and cluster is not None
                location = cluster.database("bench") if pg and cluster else f"{tmp}/state.sqlite3"
                print(f"== state store: {kind} ==")
                _storm(server.for_user(f"storm-{kind}"), location, args.mails, args.fingerprints)
        finally:
            if cluster is not None:
                cluster.stop()
            server.cleanup()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
          " (bot, emulator, the bare loop and every store run in one process)")


def _storm(server: DovecotServer, location: str, mails: int, fingerprints: int) -> None:
    """One storm into a fresh mailbox, emulator and store; the bare loop over the same mails first."""
    with BacklogEmulator.start(limits=UNLIMITED) as emu:
        store = StateStore.open(location)
        try:
            t0 = time.perf_counter()
            with server.client() as c:
                for n in range(mails):
                    c.append("INBOX", alert_mail(n, fingerprints))
            print(f"appended {mails} mails ({fingerprints} fingerprints, {', '.join(ENCODINGS)})"
                  f" in {time.perf_counter() - t0:.1f}s")

            bare_n, bare_s = bare_loop(server)
            bare_rate = bare_n / bare_s
            print(f"bare imapclient fetch + email parse: {bare_n} mails in {bare_s:.2f}s"
                  f" = {bare_rate:.0f} mails/s")

            rig = Rig(server, emu, store, FixedClock(START))
            rig.tick = TICK
            in_handler = [0.0]
            handler = rig.handler

            def timed(m: FetchedMail) -> Disposition:
                t = time.perf_counter()
                try:
                    return handler(m)
                finally:
                    in_handler[0] += time.perf_counter() - t

            rig.handler = timed  # type: ignore[method-assign,assignment]
            emu.clear_requests()
            t0 = time.perf_counter()
            result = rig.watcher(batch_size=200).run_once()
            took = time.perf_counter() - t0
            rig.clock.advance(timedelta(hours=1))
            flushed = rig.bot.service.flush()
            rate = result.processed / took
            print(f"bot on {store.describe()} (watcher + MonitoringService + emulator): {result.processed}"
                  f" mails in {took:.2f}s = {rate:.0f} mails/s ({rate / bare_rate:.0%} of the bare loop;"
                  " target >= 50%)")

            print(f"  of which in MonitoringService.handle: {in_handler[0]:.2f}s"
                  f" = {result.processed / in_handler[0]:.0f} mails/s; the rest is the watcher's"
                  " fetch and one MOVE per batch")
            _print_calls(emu, result.processed, fingerprints, mails, flushed)
        finally:
            store.close()


def _print_calls(emu: BacklogEmulator, processed: int, fingerprints: int, mails: int, flushed: int) -> None:
    """Backlog calls by kind and operation, per mail, and the write bound (one interval = 1 h)."""
    kinds = Counter(r.kind for r in emu.requests)
    ops = Counter(_op(r.method, r.path) for r in emu.requests)
    calls = sum(kinds.values())
    print("Backlog calls by kind:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("Backlog calls by operation:", ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    print(f"calls per mail: {calls / max(processed, 1):.4f}"
          f" (flush at the end posted {flushed})")
    span = TICK * mails + timedelta(hours=1)
    intervals = int(span / timedelta(hours=1)) + 1
    bound = fingerprints * (1 + intervals)
    # A summary comment goes out either alone (POST comments, from the periodic flush) or together with
    # the refreshed description in one PATCH (a repeat that came by mail): each is one write.
    comments = ops["POST comments"] + ops["PATCH issue"]
    writes = ops["POST issues"] + comments
    print(f"writes: {ops['POST issues']} issues + {comments} summary comments"
          f" ({ops['PATCH issue']} of them with the description in the same PATCH) = {writes}"
          f" (bound {fingerprints} issues + {fingerprints}x{intervals} comments = {bound})")


def _op(method: str, path: str) -> str:
    p = path.removeprefix("/api/v2/").split("?")[0]
    if p.endswith("/comments"):
        return f"{method} comments"
    if p.startswith("issues/") and p.count("/") == 1:
        return f"{method} issue"
    return f"{method} {p.split('/')[0]}"


if __name__ == "__main__":
    main()
