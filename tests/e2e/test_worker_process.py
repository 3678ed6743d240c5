"""End to end (issue 7): ``python -m bot run`` as a process against Dovecot and the Backlog emulator.

Mail is appended to the real mailbox and customers and staff act through the emulator, the worker is
stopped with SIGTERM and started again, and what it wrote is checked: nothing twice, nothing missing.
The second test loses the state store mid-life and rebuilds it with ``rebuild-state``; the third loses
it and starts ``run`` again (issue 14: refused with a hint, or rebuilt first with BOT_AUTO_REBUILD).
Every test runs on both stores: the SQLite file and a real PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from bot.hour_tracker import LedgerEntry
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import (
    WorkerProcess,
    bot_env,
    cli,
    comment_refs,
    cursor,
    emulator_clock,
    fixture_mail,
    variant,
    wait_for,
    writings,
)
from tests.support.dovecot import DovecotServer, dovecot, dovecot_server
from tests.support.postgres import database_url, pg_cluster

__all__ = ["database_url", "dovecot", "dovecot_server", "pg_cluster"]

ALERTS = ("esm_status_422", "dsc_smp_api_exception")  # two ACME action alerts: one issue each (M2)
UNROUTABLE = "unknown_sender_no_key"  # a staff item in HOSHU, the mail to Quarantine


@pytest.fixture(params=("sqlite", "postgresql"))
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The worker's store: the SQLite file, or a fresh PostgreSQL database (DATABASE_URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "var" / "state.db")
    return str(request.getfixturevalue("database_url"))


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


class Scene:
    """One bot installation: mailbox, emulator, state path, and helpers that play and wait."""

    def __init__(self, emu: BacklogEmulator, mailbox: DovecotServer, tmp: Path, location: str) -> None:
        self.emu, self.mailbox, self.tmp = emu, mailbox, tmp
        self.state = tmp / "var" / "state.db"
        self.location = location
        extra = {"DATABASE_URL": location} if location.startswith("postgresql://") else {}
        self.env = bot_env(emu, self.state, mailbox, **extra)
        self.runs = 0
        self.worker: WorkerProcess | None = None

    def start(self) -> WorkerProcess:
        self.runs += 1
        self.worker = WorkerProcess(self.env, self.tmp, name=f"worker{self.runs}").start()
        # Ready when the Backlog watcher has its cursor: customer activity after that is answered.
        wait_for(lambda: cursor(self.location, "backlog:activities") is not None, "the watcher's cursor",
                 self.worker)
        return self.worker

    def stop(self) -> None:
        assert self.worker is not None
        rc = self.worker.terminate()
        assert rc == 0, self.worker.log()[-3000:]
        assert '"worker stopped"' in self.worker.log()

    def wipe(self) -> None:
        """The platform wiped the disk (SQLite) or the database was replaced by an empty one."""
        if self.location.startswith("postgresql://"):
            with psycopg.connect(self.location, autocommit=True) as c:
                c.execute("DROP SCHEMA public CASCADE")
                c.execute("CREATE SCHEMA public")
            return
        for suffix in ("", "-wal", "-shm"):
            self.state.with_name(self.state.name + suffix).unlink(missing_ok=True)

    def ledger(self) -> list[LedgerEntry]:
        store = StateStore.open(self.location, dry_run=True)
        try:
            return store.ledger()
        finally:
            store.close()

    def mail(self, raw: bytes) -> None:
        self.mailbox.append("INBOX", raw)

    def wait_mailbox_empty(self) -> None:
        wait_for(lambda: self.mailbox.folder_uids("INBOX") == [], "INBOX to be empty", self.worker)

    def ask(self, summary: str, description: str) -> str:
        key = str(self.emu.add_issue_as("yamada", "ACME", summary, description)["issueKey"])
        self.wait_ref(key, f"hoshu-bot:ack:{key}")
        return key

    def say(self, user: str, key: str, text: str, expect: str) -> None:
        self.emu.add_comment_as(user, key, text)
        self.wait_ref(key, expect)

    def wait_ref(self, key: str, ref: str) -> None:
        wait_for(lambda: ref in comment_refs(self.emu, key), f"{ref} on {key}", self.worker)

    def wait_alert_issues(self, n: int) -> None:
        wait_for(lambda: len(writings(self.emu).with_prefix("hoshu-bot:alert-no:")) >= n,
                 f"{n} alert issues", self.worker)

    def assert_nothing_twice_nothing_missing(self, inquiries: list[str], approved: list[str]) -> None:
        w = writings(self.emu)
        assert w.duplicates() == {}
        # one issue per fingerprint, each with its own alert number, mapped back by the staff index
        numbers = [r.split(":")[3] for r in w.with_prefix("hoshu-bot:alert-no:")]
        assert sorted(numbers) == [str(n) for n in range(1, len(ALERTS) + 1)]
        indexed = [t for r in w.with_prefix("hoshu-bot:alert-indexed:") for t in w.texts[r]]
        fingerprints = {t.splitlines()[-1].split(";fp=")[1].split(";")[0] for t in indexed}
        assert len(indexed) == len(fingerprints) == len(ALERTS)
        assert w.with_prefix("hoshu-bot:alert:") == []  # no fingerprint where a customer can read it
        for key in inquiries:
            assert w.refs[f"hoshu-bot:ack:{key}"] == 1
            assert w.refs[f"hoshu-bot:staff:{key}"] == 1
        for key in approved:
            (text,) = w.texts[f"hoshu-bot:confirm:{key}:1"]
            # issue 20 item 2: the customer reads the quote's number only; the ledger entry's data is
            # on the staff issue's record of it
            assert text.splitlines()[-1] == f"お見積り番号：{key}-1（ご承認の確認）"
            assert "hoshu-bot:" not in text
            (record,) = w.texts[f"hoshu-bot:confirm-data:{key}:1"]
            assert record.splitlines()[-1].startswith(f"hoshu-bot:confirm-data:{key}:1;h=3;x=")
        assert len(w.with_prefix("hoshu-bot:confirm:")) == len(approved)
        assert len(w.with_prefix("hoshu-bot:quarantine:")) == 1
        assert self.mailbox.folder_uids("INBOX") == []
        assert len(self.mailbox.folder_uids("Quarantine")) == 1


def _approve(scene: Scene, key: str) -> None:
    """Flow ⑤-⑦: staff estimate, the quote, the customer's approval and its one confirmation (H8)."""
    scene.say("sato", key, "/bot estimate 3h E6", f"hoshu-bot:quote:{key}:1")
    scene.say("yamada", key, "承認します。よろしくお願いいたします。", f"hoshu-bot:confirm:{key}:1")


class TestWorkerProcess:
    def test_a_restarted_worker_neither_repeats_nor_misses_anything(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path, location: str
    ) -> None:
        scene = Scene(emu, dovecot, tmp_path, location)
        scene.start()
        scene.mail(fixture_mail(ALERTS[0]))
        scene.mail(variant(fixture_mail(ALERTS[0]), 1))  # a repeat: grouped, no second issue
        scene.mail(fixture_mail(UNROUTABLE))
        first = scene.ask("申込フォームの入力チェックを追加したい", "入力チェックをお願いします。")
        _approve(scene, first)
        scene.wait_alert_issues(1)
        scene.wait_mailbox_empty()
        scene.stop()

        scene.start()
        scene.mail(fixture_mail(ALERTS[0]))  # the very same mail again (re-delivery): no effect at all
        scene.mail(variant(fixture_mail(ALERTS[0]), 2))
        scene.mail(fixture_mail(ALERTS[1]))
        second = scene.ask("メール配信の設定を確認したい", "配信停止の設定方法を教えてください。")
        scene.say("yamada", first, "ありがとうございました。", f"hoshu-bot:ack:{first}")
        scene.wait_alert_issues(2)
        scene.wait_mailbox_empty()
        scene.stop()

        scene.assert_nothing_twice_nothing_missing([first, second], [first])
        assert len(dovecot.folder_uids("Processed")) == 5

    def test_a_lost_store_is_rebuilt_and_the_worker_goes_on_without_duplicates(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path, location: str
    ) -> None:
        scene = Scene(emu, dovecot, tmp_path, location)
        scene.start()
        scene.mail(fixture_mail(ALERTS[0]))
        scene.mail(fixture_mail(UNROUTABLE))
        first = scene.ask("申込フォームの入力チェックを追加したい", "入力チェックをお願いします。")
        _approve(scene, first)
        scene.wait_alert_issues(1)
        scene.wait_mailbox_empty()
        scene.stop()

        scene.wipe()
        done = cli(scene.env, "rebuild-state", "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["counts"]["ledger"] == 1
        assert summary["counts"]["inquiries"] == 1
        assert summary["counts"]["alert_groups"] == 1
        assert summary["counts"]["mail_grouped"] == 1
        assert summary["counts"]["mail_quarantined"] == 1
        assert summary["warnings"] == []

        scene.start()
        scene.mail(fixture_mail(ALERTS[0]))  # re-delivered: recognised by the rebuilt mail record
        scene.mail(variant(fixture_mail(ALERTS[0]), 3))  # a repeat: joins the rebuilt open group
        scene.mail(fixture_mail(ALERTS[1]))
        second = scene.ask("メール配信の設定を確認したい", "配信停止の設定方法を教えてください。")
        scene.say("yamada", first, "ありがとうございました。", f"hoshu-bot:ack:{first}")
        _approve(scene, second)
        scene.wait_alert_issues(2)
        scene.wait_mailbox_empty()
        scene.stop()

        scene.assert_nothing_twice_nothing_missing([first, second], [first, second])
        status = cli(scene.env, "status", "--json", cwd=tmp_path)
        ledger = json.loads(status.stdout)["ledger"]["ACME"]
        assert ledger["consumed"] == "6"  # both approvals, each once (H8)

    def test_a_wiped_store_is_refused_then_rebuilt_on_start_with_the_same_ledger(
        self, emu: BacklogEmulator, dovecot: DovecotServer, tmp_path: Path, location: str
    ) -> None:
        """Issue 14: ``run`` never starts blind; with BOT_AUTO_REBUILD it rebuilds first (H6, H8)."""
        scene = Scene(emu, dovecot, tmp_path, location)
        scene.start()
        scene.mail(fixture_mail(ALERTS[0]))
        first = scene.ask("申込フォームの入力チェックを追加したい", "入力チェックをお願いします。")
        _approve(scene, first)
        scene.wait_alert_issues(1)
        scene.wait_mailbox_empty()
        scene.stop()
        before = scene.ledger()
        assert [e.hours for e in before] == [Decimal(3)]

        scene.wipe()
        refused = cli(scene.env, "run", "--once", cwd=tmp_path)
        assert refused.returncode == 2
        (line,) = [ln for ln in refused.stderr.splitlines() if ln.startswith("hoshu-bot:")]
        assert "is empty but Backlog shows the bot's earlier work" in line
        assert "hoshu-bot rebuild-state" in line and "BOT_AUTO_REBUILD=true" in line
        assert "Traceback" not in refused.stderr
        assert scene.ledger() == []  # refused before writing anything

        done = cli({**scene.env, "BOT_AUTO_REBUILD": "true"}, "run", "--once", cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "rebuilding it first (BOT_AUTO_REBUILD)" in done.stderr
        assert scene.ledger() == before
        status = json.loads(cli(scene.env, "status", "--json", cwd=tmp_path).stdout)
        assert status["store"].startswith("postgresql postgresql://" if "://" in location else "sqlite ")
        assert status["ledger"]["ACME"]["consumed"] == "3"
        assert writings(emu).duplicates() == {}
