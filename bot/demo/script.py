"""The demo scenario and its transcript (see ``bot/demo/__init__.py``)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app import App, backlog_client
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.settings import Settings
from bot.hour_tracker import balance
from bot.mailbox.source import DirectoryMailSource
from bot.sandbox import BacklogEmulator
from bot.state.inquiries import InquiryRecords

JST = ZoneInfo("Asia/Tokyo")
# Friday 27 November 2026, 09:30 JST: before opening, so the acknowledgement states a deadline later today.
START = datetime(2026, 11, 27, 9, 30, tzinfo=JST)
WIDTH = 78


class Transcript:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown: dict[str, int] = {}  # per issue, the newest comment id already printed

    def step(self, title: str, where: str) -> None:
        print("", file=self.out)
        print("=" * WIDTH, file=self.out)
        print(title, file=self.out)
        print(f"  code: {where}", file=self.out)
        print("=" * WIDTH, file=self.out)

    def line(self, text: str = "") -> None:
        print(text, file=self.out)

    def block(self, text: str, indent: str = "    │ ", limit: int = 80) -> None:
        lines = text.strip().splitlines()
        for ln in lines[:limit]:
            print(f"{indent}{ln}", file=self.out)
        if len(lines) > limit:
            print(f"{indent}… ({len(lines) - limit} more lines)", file=self.out)


def _config_dir() -> Path:
    return Path(str(resources.files("bot") / "defaults"))


def run_demo(out: TextIO) -> int:
    t = Transcript(out)
    clock = FixedClock(START)
    with tempfile.TemporaryDirectory(prefix="hoshu-demo-") as tmp, BacklogEmulator.start(
        clock=lambda: clock().timestamp()
    ) as emu:
        settings = Settings(
            _env_file=None, BACKLOG_BASE_URL=emu.base_url, BACKLOG_API_KEY=emu.api_key,
            BOT_CONFIG_DIR=_config_dir(), BOT_STATE_PATH=Path(tmp) / "state.db",
        )
        app = App.build(settings, clock=clock)
        reader = backlog_client(settings)
        try:
            _play(t, app, emu, reader, clock, Path(tmp))
        finally:
            reader.close()
            app.close()
    t.line("")
    t.line("The demo ran the real worker code against an in-process Backlog emulator;")
    t.line("nothing left this machine.")
    return 0


def _hours(app: App, project: str, now: datetime) -> str:
    c = app.config.customer(project)
    b = balance(c.contracts, c.purchases, app.store.ledger(project), now)
    return (f"{project}: quarter {b.quarter.start}..{b.quarter.end} (end exclusive): allotted "
            f"{b.allotment} h + bought {b.purchased} h - consumed {b.consumed} h = left {b.remaining} h")


def _play(t: Transcript, app: App, emu: BacklogEmulator, reader: BacklogClient, clock: FixedClock,
          tmp: Path) -> None:
    t.line("Hoshu Bot demo: an in-process Backlog (projects ACME, BETA and the staff project HOSHU),")
    t.line(f"the shipped configuration, and a fixed clock starting {START.isoformat()}.")
    # The worker's first tick: with no cursor yet, the Backlog watcher starts after the newest activity.
    app.inquiries.poll(clock())
    t.step("Hours before anything happens", "bot/hour_tracker.py (rules H1-H10)")
    t.line("  " + _hours(app, "ACME", clock()))

    _monitoring(t, app, reader, tmp)
    key = _inquiry(t, app, emu, reader, clock)
    _estimate_and_approval(t, app, emu, reader, clock, key)
    _month_end(t, app, emu, reader, clock)


def _monitoring(t: Transcript, app: App, reader: BacklogClient, tmp: Path) -> None:
    """1. The bundled adapter error mails go through the real mail path."""
    t.step("1. Adapter error mail arrives (monitoring option, rules M1-M4)",
           "bot/mailbox/source.py, bot/mail/ (decode, adapters, routing, grouping),"
           " bot/monitoring/service.py, bot/monitoring/triage.py")
    inbox = tmp / "mail"
    inbox.mkdir()
    for eml in sorted(resources.files("bot.demo").iterdir(), key=lambda p: p.name):
        if eml.name.endswith(".eml"):
            (inbox / eml.name).write_bytes(eml.read_bytes())
            t.line(f"  mail: {eml.name}")
    result = DirectoryMailSource(inbox, app.handle_mail).run_once()
    t.line(f"  processed {result.processed}, quarantined {result.quarantined}, retried {result.retried}")
    for project in ("ACME", app.config.service.staff.project):
        for issue in reader.list_issues(project_ids=[reader.get_project(project).id], sort="created"):
            t.line(f"  issue {issue.key}: {issue.summary}")
    alert = next(iter(reader.list_issues(project_ids=[reader.get_project("ACME").id], sort="created",
                                         order="asc")), None)
    if alert is not None:
        t.line(f"  {alert.key} description (what the customer reads):")
        t.block(alert.description, limit=30)



def _inquiry(t: Transcript, app: App, emu: BacklogEmulator, reader: BacklogClient, clock: FixedClock) -> str:
    """2. A customer inquiry: acknowledged at once with the T2 deadline and the hours left (T5)."""
    clock.set(START + timedelta(minutes=15))
    t.step("2. A customer opens an inquiry (flow 1-2, rules T2, T5, C1-C8, O1-O7)",
           "bot/inquiry/ (watcher, handlers, texts, staff_texts), bot/backlog/writer.py")
    created = emu.add_issue_as(
        "yamada", "ACME", "申込フォームの入力チェックを追加したい",
        "申込フォームに JavaScript で入力チェックを追加していただけますか。12月10日までに公開したいです。",
    )
    key = str(created["issueKey"])
    t.line(f"  customer yamada opened {key}")
    app.inquiries.poll(clock())
    _comments(t, reader, key)
    row = InquiryRecords(app.store).get(key)
    staff_key = row.staff_issue_key if row else None
    if staff_key:
        t.line(f"  staff issue {staff_key} (staff project; customers never see it):")
        t.block(reader.get_issue(staff_key).description, limit=25)
    return key


def _estimate_and_approval(
    t: Transcript, app: App, emu: BacklogEmulator, reader: BacklogClient, clock: FixedClock, key: str
) -> None:
    """3-4. A staff estimate becomes a quote; the customer's approval consumes the hours (H7, H8)."""
    clock.set(START + timedelta(hours=1, minutes=30))
    t.step("3. Staff estimate 3 h of JavaScript work (flow 5, rules E6, H7, T6)",
           "bot/inquiry/commands.py, bot/inquiry/quotes.py, bot/hour_tracker.py quote()")
    row = InquiryRecords(app.store).get(key)
    staff_key = row.staff_issue_key if row is not None and row.staff_issue_key else key
    # Staff give /bot commands on the staff issue: the customer's issue shows only texts for the customer.
    command = "/bot estimate 3h E6 申込フォームの入力チェック追加"
    emu.add_comment_as("sato", staff_key, command)
    t.line(f"  staff sato commented on the staff issue {staff_key}: {command}")
    app.inquiries.poll(clock())
    _comments(t, reader, key)

    clock.set(START + timedelta(hours=3))
    t.step("4. The customer approves (flow 6-7, rule H8)",
           "bot/inquiry/approval.py, bot/state/store.py append_ledger()")
    t.line("  before: " + _hours(app, "ACME", clock()))
    emu.add_comment_as("yamada", key, "承認します。よろしくお願いいたします。")
    t.line(f"  customer yamada commented on {key}: 承認します。")
    app.inquiries.poll(clock())
    _comments(t, reader, key)
    t.line("  after:  " + _hours(app, "ACME", clock()))
    t.line(f"  {key} actual hours in Backlog: {reader.get_issue(key).actual_hours}")


def _month_end(
    t: Transcript, app: App, emu: BacklogEmulator, reader: BacklogClient, clock: FixedClock
) -> None:
    """5. The monthly report is published on the first business day of the next month (R1)."""
    clock.set(datetime(2026, 12, 1, 10, 30, tzinfo=JST))
    t.step("5. Month end: the November report on the first business day of December (rules R1-R3)",
           "bot/reports/ (content, render, publish)")
    app.reports.publish_due_reports(clock())
    for page in reader.list_wikis("ACME"):
        t.line(f"  wiki page in ACME: {page.name}")
        t.block(reader.get_wiki(page.id).content or "", limit=60)
    for project in ("BETA",):
        for issue in reader.list_issues(project_ids=[reader.get_project(project).id], sort="created"):
            t.line(f"  {project} has no wiki: report issue {issue.key}: {issue.summary}")
    calls = len(emu.requests)
    t.step("Backlog calls made by the bot during the demo", "bot/backlog_client.py, bot/sandbox/")
    kinds: dict[str, int] = {}
    for r in emu.requests:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    t.line(f"  {calls} calls in all: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def _comments(t: Transcript, reader: BacklogClient, key: str) -> None:
    """The comments of ``key`` not printed yet."""
    after = t.shown.get(key, 0)
    for c in reader.iter_comments(key):
        if c.id <= after or not c.content.strip():  # skip field-change-only entries
            continue
        who = c.created_user.user_id if c.created_user else "?"
        t.line(f"  comment #{c.id} on {key} by {who}:")
        t.block(c.content)
        t.shown[key] = c.id  # iter_comments walks in id order
