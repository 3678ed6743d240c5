"""A storm of alert mails in Dovecot through watcher + MonitoringService + emulator, against a bare loop.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/mail_storm.py [--mails N] [--fingerprints F]
[--unreadable U] [--stores sqlite,postgresql]`` (default 10,000 mails over 50 fingerprints, then 1,000
unreadable mails, on both state stores in the same run: the SQLite file and a throwaway local
PostgreSQL with fsync on; each against its own bare loop).
The alert mails are in a layout the shipped formats do not read (``エラー: [400] CB_VA01``, the tenant
only in a URL): each format is tried first and fails, then the generic reading reads it, the worst case.
The watcher is wired as the worker wires it: one store transaction per fetched batch (issue 12).
Prints mails per second of the bot and of a bare imapclient fetch + ``email`` parse loop over the same
mails, Backlog calls by kind, calls per mail, the write bound and peak RSS (the emulator runs in-process,
so RSS includes it); then the staff issues and comments that the unreadable storm produced. Targets
(issues 4, 12): bot >= 0.7x the bare loop; writes <= 1 issue per fingerprint plus one comment (and one
description update) per fingerprint per interval; 1,000 identical unreadable mails -> 1 staff issue.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import load_config, load_monitoring
from bot.mail_watcher import ImapSettings, MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from bot.monitoring import MonitoringService
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.alerts import _COLS as _GROUP_COLS
from bot.state.alerts import _SAVE_GROUP
from bot.state.mail import _PUT
from bot.state.mail import _SEEN as _SEEN_COLS
from testing.dovecot import DovecotServer
from testing.postgres import Cluster

CONFIG = Path(__file__).resolve().parent.parent / "config"
START = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Thursday, business hours

ENCODINGS = ("utf-8", "iso-2022-jp", "shift_jis", "euc-jp")
TICK = timedelta(seconds=1)  # simulated time between mails: 10,000 mails span ~2.8 h
UNLIMITED = {"read": 10**9, "update": 10**9, "search": 10**9}


def alert_mail(n: int, fingerprints: int) -> bytes:
    """A kintone adapter error of ACME in a layout no shipped format reads; the job picks the
    fingerprint, the charset rotates."""
    job = f"受注連携{n % fingerprints:02d}"
    charset = ENCODINGS[n % len(ENCODINGS)]
    body = ("kintone アプリへの登録に失敗しました。\n\nアプリ: https://acme-corp.cybozu.com/k/42/\n"
            f"ジョブ: {job}\n日時：2026/11/26 10:15:03\nエラー: [400] CB_VA01 入力内容が正しくありません。\n"
            "  records[3].顧客名.value: 必須です。\n")
    msg = MIMEText(body, "plain", charset)
    msg["Subject"] = Header(f"【連携通知】kintone 登録失敗 {job}", charset).encode()
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


class Bot:
    """The watcher and the monitoring service wired as bot/app.py wires them (fixed clock, emulator)."""

    def __init__(self, server: DovecotServer, emu: BacklogEmulator, store: StateStore, *,
                 per_mail: bool = False) -> None:
        self.per_mail = per_mail
        config = load_config(CONFIG)
        self.clock = FixedClock(START)
        self.store = store
        self.server = server
        client = BacklogClient(emu.base_url, emu.api_key, timeout=(2, 10), max_retries=2,
                               sleep=lambda _s: None)
        directory = Directory(client)
        writer = BacklogWriter(client, store, directory, self.clock)
        self.client = client
        self.service = MonitoringService(config, load_monitoring(CONFIG / "monitoring.toml"), store, writer,
                                         directory, config.calendar(), self.clock, client)
        self.in_handler = 0.0

    def handle(self, mail: FetchedMail) -> Disposition:
        self.clock.advance(TICK)
        t = time.perf_counter()
        try:
            return self.service.handle(mail)
        finally:
            self.in_handler += time.perf_counter() - t

    def watcher(self) -> MailWatcher:
        s = self.server
        settings = ImapSettings(host=s.host, port=s.port, user=s.user, password=SecretStr(s.password),
                                ssl=False, batch_size=200, connect_timeout=5.0)
        unit = contextlib.nullcontext if self.per_mail else self.store.batch
        prepare = None if self.per_mail else self.prepare
        return MailWatcher(settings, self.handle, MemoryCursorStore(), unit=unit, prepare=prepare)

    def prepare(self, mails: Sequence[FetchedMail]) -> None:
        t = time.perf_counter()
        try:
            self.service.prepare(mails)
        finally:
            self.in_handler += time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--fingerprints", type=int, default=50)
    parser.add_argument("--unreadable", type=int, default=1_000)
    parser.add_argument("--per-mail", action="store_true",
                        help="one store transaction per mail, as before issue 12 (for comparison)")
    parser.add_argument("--stores", default="sqlite,postgresql",
                        help="state stores to run, in order (issue 14): sqlite, postgresql or both")
    parser.add_argument("--explain", action="store_true",
                        help="after each storm, the plan and time of each hot statement (issue 22)")
    args = parser.parse_args()
    stores = [k.strip() for k in args.stores.split(",") if k.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        server = DovecotServer.start(tmp)
        # PostgreSQL as deployed: fsync on, like SQLite's synchronous=FULL (testing/postgres.py).
        cluster = Cluster.start(durable=True) if "postgresql" in stores else None
        try:
            for kind in stores:
                pg = kind == "postgresql" and cluster is not None
                location = cluster.database("bench") if pg and cluster else f"{tmp}/state.sqlite3"
                print(f"== state store: {kind} ==")
                _storm(server.for_user(f"storm-{kind}"), location, args.mails, args.fingerprints,
                       args.unreadable, per_mail=args.per_mail, explain=args.explain)
        finally:
            if cluster is not None:
                cluster.stop()
            server.cleanup()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
          " (bot, emulator, the bare loop and every store run in one process)")


def _storm(server: DovecotServer, location: str, mails: int, fingerprints: int, unreadable: int, *,
           per_mail: bool = False, explain: bool = False) -> None:
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

            bot = Bot(server, emu, store, per_mail=per_mail)
            emu.clear_requests()
            statements = _count_statements(store)
            t0 = time.perf_counter()
            result = bot.watcher().run_once()
            took = time.perf_counter() - t0
            sent, trips = statements
            bot.clock.advance(timedelta(hours=1))
            flushed = bot.service.flush()
            rate = result.processed / took
            unit = "one transaction per mail" if per_mail else "one transaction per batch"
            print(f"bot on {store.describe()} (watcher + MonitoringService + emulator, generic reading,"
                  f" {unit}): {result.processed} mails in {took:.2f}s = {rate:.0f} mails/s"
                  f" ({rate / bare_rate:.2f}x the bare loop; targets: SQLite >= 0.8x, PostgreSQL >= 0.7x)")
            per = max(result.processed, 1)
            print(f"  store statements: {sent} = {sent / per:.2f} per mail; round trips: {trips} ="
                  f" {trips / per:.2f} per mail (PostgreSQL; on SQLite each statement is a call, no"
                  " network; target <= 1 per mail, issue 22)")
            print(f"  of which in MonitoringService.handle: {bot.in_handler:.2f}s"
                  f" = {result.processed / bot.in_handler:.0f} mails/s (prepare included); the rest is the"
                  " watcher's fetch, one commit per batch and one MOVE per 1,000 mails")
            _print_calls(emu, result.processed, fingerprints, mails, flushed)
            if explain:
                _explain(store)
            if unreadable:
                _unreadable_storm(bot, emu, unreadable)
        finally:
            store.close()


def _count_statements(store: StateStore) -> list[int]:
    """Count, from now on, every statement the store sends ``[0]`` and its round trips ``[1]`` (a list
    updated in place): on PostgreSQL a mail batch's writes are queued and sent together in one pipeline
    (bot/state/postgres.py), one round trip for all of them; on SQLite each statement is one call."""
    count = [0, 0]
    conn = store.conn
    execute = conn.execute

    def counted(sql: str, parameters: object = (), /) -> object:
        count[0] += 1
        count[1] += 1
        return execute(sql, parameters)  # type: ignore[arg-type]

    conn.execute = counted  # type: ignore[method-assign,assignment]
    defer, flush = getattr(conn, "defer", None), getattr(conn, "flush", None)
    if defer is not None and flush is not None:
        def deferred(sql: str, parameters: object = ()) -> bool:
            queued = bool(defer(sql, parameters))
            count[0] += queued
            return queued

        def flushed() -> None:
            count[1] += 1
            flush()

        conn.defer, conn.flush = deferred, flushed  # type: ignore[attr-defined]
    return count


def _explain(store: StateStore) -> None:
    """Each hot statement's plan and time on the store the storm filled (EXPLAIN ANALYZE on PostgreSQL,
    inside a transaction that is rolled back; EXPLAIN QUERY PLAN on SQLite), with a stored row's values:
    a statement that scans what it should look up shows here (issue 22 item 3)."""
    conn = store.conn
    group = conn.execute(f"SELECT {_GROUP_COLS} FROM alert_groups LIMIT 1").fetchone()
    seen = conn.execute(f"SELECT {_SEEN_COLS} FROM mail_seen WHERE fingerprint = ? LIMIT 1",
                        (group[0],)).fetchone()
    event = conn.execute("SELECT mail_key, fingerprint, customer, adapter, error_class, occurred_at"
                         " FROM alert_events WHERE mail_key = ?", (seen[0],)).fetchone()
    keys = [str(r[0]) for r in conn.execute("SELECT mail_key FROM mail_seen LIMIT 200")]
    fps = sorted({str(r[0]) for r in conn.execute("SELECT fingerprint FROM alert_groups LIMIT 50")})
    hot = (
        ("mail records of a batch, 200 keys (prefetch)",
         f"SELECT {_SEEN_COLS} FROM mail_seen WHERE mail_key IN ({', '.join('?' * len(keys))})", keys),
        ("groups of a batch, 50 fingerprints (prefetch)",
         f"SELECT {_GROUP_COLS} FROM alert_groups WHERE fingerprint IN ({', '.join('?' * len(fps))})"
         " ORDER BY fingerprint, generation", fps),
        ("group upsert", _SAVE_GROUP, list(group)),
        ("event insert", "INSERT INTO alert_events (mail_key, fingerprint, customer, adapter, error_class,"
         " occurred_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(event)),
        ("mail record upsert", _PUT, list(seen)),
        ("occurrence times of a group (per issue or summary)",
         "SELECT e.occurred_at, (SELECT m.seen_at FROM mail_seen m WHERE m.mail_key = e.mail_key)"
         " FROM alert_events e WHERE e.fingerprint = ?", [group[0]]),
    )
    pg = store.kind == "postgresql"
    for name, sql, args in hot:
        if pg:
            conn.execute("BEGIN")
            try:
                lines = [str(r[0]) for r in conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", args)]
            finally:
                conn.execute("ROLLBACK")
        else:
            lines = [str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
        shown = (line.strip()[:90] + ("..." if len(line.strip()) > 90 else "") for line in lines)
        print(f"  plan, {name}: " + " | ".join(line for line in shown if line))


def unreadable_mail(n: int) -> bytes:
    """ACME's sender, ACME's key, no recognisable code; subject differs only in a number and a date."""
    text = "acme-corp の連携で問題が発生しました。詳細は管理画面をご確認ください。\n"
    msg = MIMEText(text, "plain", "utf-8")
    msg["Subject"] = Header(f"kintone連携 2026/11/{n % 28 + 1:02d} 実行番号 {1000 + n}", "utf-8").encode()
    msg["From"] = "adapter@acme.example.jp"
    msg["To"] = "hoshu@vendor.example.jp"
    msg["Message-ID"] = f"<unreadable-{n}@bench.example.jp>"
    return msg.as_bytes()


def _unreadable_storm(bot: Bot, emu: BacklogEmulator, mails: int) -> None:
    """1,000 identical unreadable mails: the staff issues and comments they produce (issue 12 item 3)."""
    with bot.server.client() as c:
        for n in range(mails):
            c.append("INBOX", unreadable_mail(n))
    emu.clear_requests()
    t0 = time.perf_counter()
    result = bot.watcher().run_once()
    took = time.perf_counter() - t0
    bot.clock.advance(timedelta(hours=1))
    bot.service.flush()
    ops = Counter(_op(r.method, r.path) for r in emu.requests)
    staff = bot.client.get_project("HOSHU").id
    issues = bot.client.list_issues(project_ids=[staff], count=100)
    comments = sum(1 for i in issues for c in bot.client.list_comments(i.key, count=100)
                   if "hoshu-bot:quarantine-update:" in c.content)
    print(f"unreadable storm: {mails} identical unreadable mails, {result.quarantined} quarantined in"
          f" {took:.2f}s -> {len(issues)} staff issue(s), {comments} summary comment(s)"
          f" (writes: POST issues {ops['POST issues']}, PATCH issue {ops['PATCH issue']},"
          f" POST comments {ops['POST comments']})")


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
