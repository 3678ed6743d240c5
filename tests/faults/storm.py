"""The storm rig: a real worker subprocess, its own Dovecot and an emulator, alert mail and customers.

``StormRig`` feeds alert mail (several fingerprints, plus mail for quarantine, for a customer without
the monitoring option and auto-replies) and drives customer inquiries through estimate and approval
from the outside, exactly as people would in Backlog; the fault tests kill and disturb the worker in
between and then ``settle`` it and check ``tests.faults.invariants``.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.hour_tracker import LedgerEntry
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.faults import invariants
from tests.support.dovecot import DovecotServer
from tests.support.paths import MAIL_FIXTURES as FIXTURES
from tests.support.worker_proc import WorkerEnv, WorkerProcess, emulator_seed

log = logging.getLogger(__name__)

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 26, 10, 0, tzinfo=JST)  # Thursday, business hours (T1); ACME has 6 h this quarter
ALERTS = ("kintone_utf8_base64", "esm_401_shift_jis", "sf_lock_row_qp", "dsc_input_not_found_windows31j",
          "sf_validation_jis", "kintone_euc_jp")
OTHERS = ("unknown_sender_no_key", "kintone_beta_no_monitoring", "out_of_office_subject")
_MID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n", re.IGNORECASE | re.MULTILINE)
LIMITS = {"read": 1_000_000, "update": 1_000_000, "search": 1_000_000}
BOT = "hoshu-bot"


def storm_mail(name: str, n: int) -> bytes:
    """Fixture ``name`` as a new mail: a fresh Message-ID (a real repeat of the same error)."""
    raw = _MID.sub(b"", (FIXTURES / f"{name}.eml").read_bytes(), count=1)
    return f"Message-ID: <storm-{n}@faults.test>\r\n".encode() + raw


def fixed_epoch(when: datetime) -> Callable[[], float]:
    stamp = when.timestamp()
    return lambda: stamp


@dataclass
class Inquiry:
    """One customer question walked through ask -> estimate (staff) -> approve (customer) -> confirmed."""

    project: str
    user: str
    hours: str
    key: str = ""
    stage: str = "new"


#: The client's read timeout (30 s) plus a margin: how long a held pending write may wait (issue 22).
HOLD_SECONDS = 35.0


@dataclass
class StormRig:
    tmp: Path
    server: DovecotServer
    emu: BacklogEmulator
    rng: random.Random
    database_url: str | None = None  # PostgreSQL (issue 14); None: the SQLite file under tmp
    worker: WorkerProcess = field(init=False)
    sent: list[str] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    _n: int = 0

    def __post_init__(self) -> None:
        extra = {"DATABASE_URL": self.database_url} if self.database_url else {}
        env = WorkerEnv(base_url=self.emu.base_url, api_key=self.emu.api_key,
                        state_path=self.tmp / "var" / "state.db", imap=self.server, now=START, extra=extra)
        self.worker = WorkerProcess(env, self.tmp / "logs")

    @property
    def location(self) -> str:
        return self.database_url or str(self.worker.env.state_path)

    def another_worker(self, name: str, **extra: str) -> WorkerProcess:
        """A second worker process on the same store and mailbox (a standby on another machine);
        ``extra``: variables of its own (another route to the database)."""
        env = self.worker.env
        if extra:
            env = replace(env, extra={**env.extra, **extra})
        return WorkerProcess(env, self.tmp / name)

    def short_lease(self, lease: float, poll: int) -> None:
        """Every worker started from now on holds a lease of ``lease`` s and polls Backlog every ``poll``
        s (issue 22: the failover tests stay short)."""
        self.worker.env.extra.update({"BOT_LEASE_SECONDS": str(lease), "BOT_POLL_SECONDS": str(poll)})

    @classmethod
    def emulator(cls) -> BacklogEmulator:
        return BacklogEmulator.start(emulator_seed(), limits=LIMITS, clock=fixed_epoch(START))

    # ---- mail ----------------------------------------------------------------------------------------
    def next_mail(self) -> bytes:
        self._n += 1
        name = self.rng.choice(OTHERS) if self.rng.random() < 0.08 else self.rng.choice(ALERTS)
        raw = storm_mail(name, self._n)
        self.sent.append(f"<storm-{self._n}@faults.test>")
        return raw

    def send(self, count: int) -> None:
        with self.server.client() as c:
            for _ in range(count):
                c.append("INBOX", self.next_mail())

    # ---- customers and staff, from the outside -------------------------------------------------------
    def ask(self, project: str, user: str, hours: str) -> None:
        n = len(self.inquiries) + 1
        issue = self.emu.add_issue_as(user, project, f"設定変更のお願い その{n}", "項目の追加をお願いします")
        self.inquiries.append(Inquiry(project, user, hours, str(issue["issueKey"]), "asked"))

    def drive(self) -> None:
        """Every inquiry takes its next step if the bot has done its part (people react to the bot)."""
        snap = invariants.snapshot(self.emu)
        issues, comments = snap.by(BOT)
        staff_of = {t.ref.rsplit(":", 1)[-1]: t.issue_key for t in issues
                    if t.ref and t.ref.startswith("hoshu-bot:staff:")}
        refs = {t.ref for t in comments if t.ref}
        for q in self.inquiries:
            if q.stage == "asked" and q.key in staff_of:
                self.emu.add_comment_as("sato", staff_of[q.key], f"/bot estimate {q.hours}h")
                q.stage = "estimated"
            elif q.stage == "estimated" and f"hoshu-bot:quote:{q.key}:1" in refs:
                self.emu.add_comment_as(q.user, q.key, "承認します。よろしくお願いします。")
                q.stage = "approved"
            elif q.stage == "approved" and f"hoshu-bot:confirm:{q.key}:1" in refs:
                q.stage = "confirmed"

    # ---- settling and checking ------------------------------------------------------------------------
    def settle(self, max_passes: int = 30) -> int:
        """``run --once`` until every inquiry is confirmed and the inbox is empty; returns the passes.

        A write the last killed worker may have sent is held for the client's read timeout after its
        pending mark (issue 22: it may still land), so settling lasts at least that long before it
        gives up, however fast the passes are."""
        self.emu.clear_faults()
        started, n = time.monotonic(), 0
        while True:
            n += 1
            code = self.worker.run_once()
            self.drive()
            if code == 0 and self.done():
                return n
            if n >= max_passes:
                if time.monotonic() - started > HOLD_SECONDS:
                    return n
                time.sleep(1)

    def done(self) -> bool:
        return all(q.stage == "confirmed" for q in self.inquiries) and not self.server.folder_uids("INBOX")

    def ledger(self) -> list[LedgerEntry]:
        store = StateStore.open(self.location)
        try:
            return store.ledger()
        finally:
            store.close()

    def problems(self) -> list[str]:
        snap = invariants.snapshot(self.emu)
        ledger = self.ledger()
        found = invariants.mail_problems(self.server, self.sent)
        found += invariants.duplicate_problems(snap)
        found += invariants.ledger_problems(ledger, snap)
        stuck = [f"{q.key} stuck at {q.stage}" for q in self.inquiries if q.stage != "confirmed"]
        return found + stuck

    def pause(self, seconds: float) -> None:
        """Let the worker run for a while (the kill point is random; nothing is asserted on time)."""
        time.sleep(seconds)
