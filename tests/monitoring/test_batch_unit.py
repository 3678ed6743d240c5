"""One store transaction per fetched batch, mail filed only after its batch is durable (issue 12).

The seam is ``StateStore.batch()``: each ``transaction()`` inside is a savepoint; a reference recorded
before a Backlog write (``record_ref``) is made durable at once. Checked with a second connection to the
same SQLite file (what a crash would leave) and end to end with Dovecot.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import MailboxError
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.mail import MailRecords
from tests.monitoring.conftest import PROCESSED, START, Rig, fixture_mail, variant
from tests.support.dovecot import DovecotServer


def _durable(path: Path, sql: str) -> int:
    """What another connection (or the store after a crash) sees: committed rows only."""
    with contextlib.closing(sqlite3.connect(path)) as other:
        return int(other.execute(sql).fetchone()[0])


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[tuple[StateStore, Path]]:
    path = tmp_path / "state.db"
    store = StateStore.open(path)
    yield store, path
    store.close()


class TestStoreBatch:
    def test_nothing_is_durable_until_the_batch_commits_and_a_failed_step_rolls_back_alone(
        self, file_store: tuple[StateStore, Path]
    ) -> None:
        store, path = file_store
        count = "SELECT count(*) FROM cursors"
        with store.batch():
            store.set_cursor("a", "1", START)
            with pytest.raises(RuntimeError), store.transaction() as tx:
                tx.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('b', '2', 'x')")
                raise RuntimeError("this mail's step fails")
            store.set_cursor("c", "3", START)
            assert _durable(path, count) == 0, "inside the batch nothing is durable yet"
        assert _durable(path, count) == 2
        assert sorted(store.cursors()) == ["a", "c"]

    def test_a_batch_that_fails_leaves_nothing(self, file_store: tuple[StateStore, Path]) -> None:
        store, path = file_store
        with pytest.raises(RuntimeError), store.batch():
            store.set_cursor("a", "1", START)
            raise RuntimeError("crash before the batch is durable")
        assert _durable(path, "SELECT count(*) FROM cursors") == 0

    def test_a_reference_recorded_before_a_backlog_write_is_durable_at_once(
        self, file_store: tuple[StateStore, Path]
    ) -> None:
        store, path = file_store
        with store.batch():
            store.set_cursor("a", "1", START)
            store.record_ref("hoshu-bot:alert:x:1", "issue", "ACME", "pending", START)
            assert _durable(path, "SELECT count(*) FROM refs") == 1, "a crash now must find the mark"
            assert _durable(path, "SELECT count(*) FROM cursors") == 1, "the batch so far went with it"
            store.set_cursor("b", "2", START)
        assert _durable(path, "SELECT count(*) FROM cursors") == 2


@pytest.mark.dovecot
class TestWatcherBatch:
    def test_mails_stay_in_the_inbox_when_their_batch_did_not_commit(
        self, dovecot: DovecotServer, tmp_path: Path
    ) -> None:
        with BacklogEmulator.start() as emu:
            store = StateStore.open(tmp_path / "state.db")
            try:
                rig = Rig(dovecot, emu, store, FixedClock(START))
                rig.append(*(variant(fixture_mail("kintone_utf8_base64"), n) for n in range(3)))

                @contextlib.contextmanager
                def failing_commit() -> Iterator[None]:
                    with store.batch():
                        yield
                        raise OSError("disk full at commit")

                watcher = rig.watcher()
                watcher._unit = failing_commit
                with pytest.raises(MailboxError, match="disk full"):
                    watcher.run_once()
                assert rig.folders()["INBOX"] == 3, "not filed: their effects are not durable"
                assert MailRecords(store).counts() == {}
                rig.clock.advance(timedelta(minutes=1))
                rig.run_once()  # the next pass handles them; the writer finds the issue it opened
                assert rig.folders()[PROCESSED] == 3
                assert len(rig.issues("ACME")) == 1
                assert sum(MailRecords(store).counts().values()) == 3
            finally:
                store.close()
