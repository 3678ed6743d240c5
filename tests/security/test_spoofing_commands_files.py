"""Spoofed senders, ``/bot`` from non-staff, the state file's mode and the secret scan (issue 8, security).

- M2/C8: an alert whose sender is not the customer's (display-name tricks, look-alike domains, a
  customer's key from another customer's sender) is quarantined as a staff item, never a customer issue;
- P3: ``/bot`` lines from anyone but staff change nothing (no ledger entry, no hours);
- the state store and its WAL are created readable by their owner only (0600);
- the secret scan finds a planted secret, and a real worker run at DEBUG prints none.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.mailbox.source import Disposition
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.hostile.conftest import MailBot, bot, emu  # fixtures reused: the monitoring bot and emulator
from tests.hostile.test_hostile_mail import alert
from tests.inquiry_flow.harness import Flow, jst, start_emulator
from tests.support import secret_scan
from tests.support.worker_proc import WorkerEnv, WorkerProcess, emulator_seed, unique_secret

__all__ = ["bot", "emu"]

SPOOFS = {
    "display name of the customer, foreign address": '"adapter@acme.example.jp" <evil@evil.example.com>',
    "look-alike domain": "adapter@acme.example.jp.evil.example.com",
    "sub-domain of the customer": "adapter@mail.acme.example.jp",
    "another customer's sender with ACME's key": "alerts@beta.example.co.jp",
    "unknown sender with ACME's key": "noreply@example.com",
}


class TestSpoofedSenders:
    @pytest.mark.parametrize("sender", list(SPOOFS.values()), ids=list(SPOOFS))
    def test_quarantined_with_a_staff_item_and_nothing_for_the_customer(
        self, bot: MailBot, sender: str
    ) -> None:
        assert bot.handle(alert(sender=sender, n=99).as_bytes()) is Disposition.QUARANTINE
        with bot.emu.state.lock:
            projects = {p.id: p.key for p in bot.emu.state.projects.values()}
            written = [projects[i.project_id] for i in bot.emu.state.issues.values()]
        assert written == ["HOSHU"]


@pytest.fixture(scope="module")
def flow_emu() -> Iterator[tuple[BacklogEmulator, FixedClock]]:
    clock = FixedClock(jst(2026, 11, 30, 11))
    with start_emulator(clock) as emulator:
        yield emulator, clock


class TestBotCommandsFromNonStaff:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(user=st.sampled_from(["yamada", "kimura"]),
           line=st.sampled_from(["/bot consume 2h 対応", "/bot purchase 4h", "/bot estimate 1h",
                                 "/bot consume 0.5h", " /bot consume 1h"]))
    def test_a_bot_line_from_a_non_staff_user_changes_nothing_p3(
        self, flow_emu: tuple[BacklogEmulator, FixedClock], user: str, line: str
    ) -> None:
        emu, clock = flow_emu
        clock.set(jst(2026, 11, 30, 11))
        flow = Flow(emu, clock)
        key = flow.ask("設定のご相談")
        flow.poll()
        flow.say(user, key, line)  # customers cannot see the staff project: their issue is all they have
        flow.say(user, key, "承認")
        flow.poll()
        assert flow.store.ledger() == []
        assert flow.bot_comments_with(key, "hoshu-bot:quote:") == []


class TestStateFileMode:
    def test_the_store_its_wal_and_lock_are_owner_only(self, tmp_path: Path) -> None:
        old = os.umask(0o022)  # the usual umask: without care the file would be world-readable
        try:
            store = StateStore.open(tmp_path / "var" / "state.db", owner=True)
            store.set_cursor("imap:INBOX", "1:1", jst(2026, 11, 26, 10))
            files = [p for p in (tmp_path / "var").iterdir()]
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
            store.close()
        finally:
            os.umask(old)
        assert "state.db" in modes and "state.db-wal" in modes
        assert {name: mode & 0o077 for name, mode in modes.items()} == dict.fromkeys(modes, 0)


class TestSecretScan:
    def test_a_planted_secret_is_found_and_masked(self) -> None:
        token = unique_secret("planted")
        found = secret_scan.find(f"error: key={token} refused")
        assert found == [f"{token[:3]}…({len(token)})"]
        assert token not in found[0]

    def test_a_worker_run_at_debug_with_a_wrong_password_prints_no_secret(self, tmp_path: Path) -> None:
        seed = emulator_seed()
        with BacklogEmulator.start(seed) as backlog:
            env = WorkerEnv(base_url=backlog.base_url, api_key=backlog.api_key, state_path=tmp_path / "s.db",
                            log_level="DEBUG", now=jst(2026, 11, 26, 10),
                            extra={"IMAP_HOST": "127.0.0.1", "IMAP_PORT": "9", "IMAP_USER": "bot",
                                   "IMAP_PASSWORD": unique_secret("wrong-imap-pw"), "IMAP_SSL": "false"})
            worker = WorkerProcess(env, tmp_path / "logs")
            code = worker.run_once()
        out = worker.output()
        assert code == 1 and "mail" in out  # the mailbox is unreachable: a failed job, logged
        assert secret_scan.find(out) == []
