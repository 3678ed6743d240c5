"""A mail batch's writes on both stores (issue 22 item 3): queued and sent together on PostgreSQL, a batch
memo of mail records and groups; each mail's savepoint still commits or fails alone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import StateError
from bot.state import StateStore
from bot.state.alerts import AlertGroupRow, AlertRecords
from bot.state.mail import MailRecords, MailSeen

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def seen(key: str) -> MailSeen:
    return MailSeen(key, "grouped", "ACME", "fp", "", NOW)


def group(fp: str, generation: int = 1, count: int = 1) -> AlertGroupRow:
    return AlertGroupRow(fp, generation, "ACME", "kintone", "job", "CB_VA01", "action", None, "waiting",
                         count, NOW, NOW)


def keys_in(store: StateStore) -> set[str]:
    return {str(r[0]) for r in store.conn.execute("SELECT mail_key FROM mail_seen")}


def test_a_batch_commits_every_mail_and_a_failed_mail_alone_is_rolled_back(store: StateStore) -> None:
    with store.batch():
        for key in ("a", "b"):
            with store.transaction() as c:
                MailRecords.put(c, seen(key))
        with pytest.raises(RuntimeError), store.transaction() as c:
            MailRecords.put(c, seen("lost"))
            raise RuntimeError("the mail's handling failed after its write")
        with store.transaction() as c:
            MailRecords.put(c, seen("c"))

    assert keys_in(store) == {"a", "b", "c"}


def test_a_mail_that_read_after_its_writes_and_then_failed_leaves_nothing(store: StateStore) -> None:
    """The read sends the mail's queued writes (and its savepoint) first; the failure rolls back to it."""
    with store.batch():
        with store.transaction() as c:
            MailRecords.put(c, seen("a"))
        with pytest.raises(RuntimeError), store.transaction() as c:
            MailRecords.put(c, seen("lost"))
            with store.transaction() as inner:
                MailRecords.put(inner, seen("lost too"))
            assert c.execute("SELECT count(*) FROM mail_seen").fetchone()[0] == 3
            raise RuntimeError("failed after a read")
        assert store.conn.execute("SELECT count(*) FROM mail_seen").fetchone()[0] == 1
        with store.transaction() as c:
            MailRecords.put(c, seen("b"))
            with pytest.raises(RuntimeError), store.transaction() as inner:
                MailRecords.put(inner, seen("inner lost"))
                raise RuntimeError("the inner part failed alone")

    assert keys_in(store) == {"a", "b"}


def test_what_a_batch_wrote_is_read_back_inside_it(store: StateStore) -> None:
    mails, alerts = MailRecords(store), AlertRecords(store)
    with store.batch():
        with store.transaction() as c:
            MailRecords.put(c, seen("a"))
            AlertRecords.save(c, group("fp", count=3))
        # A statement that needs an answer sees the queued writes (they are sent before it).
        assert store.conn.execute("SELECT count(*) FROM mail_seen").fetchone()[0] == 1
        assert mails.get("a") == seen("a")
        assert alerts.latest("fp") == group("fp", count=3)
        assert alerts.issue_of("fp", 1) is None


def test_prefetch_answers_as_the_single_reads_do_and_saves_keep_it_current(store: StateStore) -> None:
    mails, alerts = MailRecords(store), AlertRecords(store)
    with store.transaction() as c:
        MailRecords.put(c, seen("old"))
        AlertRecords.save(c, group("fp", 1))
        AlertRecords.save(c, group("fp", 2, count=7))
    with store.batch():
        mails.prefetch(["old", "new"])
        alerts.prefetch(["fp", "other"])
        assert mails.get("old") == seen("old") and mails.get("new") is None
        assert alerts.latest("fp") == group("fp", 2, count=7) and alerts.latest("other") is None
        with store.transaction() as c:
            MailRecords.put(c, seen("new"))
            AlertRecords.save(c, group("fp", 1, count=99))  # an older generation: not the newest
            AlertRecords.save(c, group("other", 1, count=2))
        assert mails.get("new") == seen("new")
        assert alerts.latest("fp") == group("fp", 2, count=7)
        assert alerts.latest("other") == group("other", 1, count=2)
    assert alerts.latest("other") == group("other", 1, count=2)


def test_a_rolled_back_mail_leaves_nothing_in_the_memo(store: StateStore) -> None:
    mails, alerts = MailRecords(store), AlertRecords(store)
    with store.batch():
        mails.prefetch(["a"])
        alerts.prefetch(["fp"])
        with pytest.raises(RuntimeError), store.transaction() as c:
            MailRecords.put(c, seen("a"))
            AlertRecords.save(c, group("fp", count=5))
            raise RuntimeError("failed")
        assert mails.get("a") is None
        assert alerts.latest("fp") is None
    assert mails.get("a") is None and keys_in(store) == set()


def test_a_batch_that_failed_writes_nothing_and_is_not_remembered(store: StateStore) -> None:
    mails = MailRecords(store)
    with pytest.raises(RuntimeError), store.batch():
        mails.prefetch(["a"])
        with store.transaction() as c:
            MailRecords.put(c, seen("a"))
        raise RuntimeError("the batch broke off")
    assert mails.get("a") is None and keys_in(store) == set()


@pytest.mark.parametrize("location", ["postgresql"], indirect=True)
def test_postgresql_sends_a_batchs_writes_together_and_a_failed_write_fails_the_batch(
        store: StateStore) -> None:
    """A queued write that the server refuses: nothing of the batch commits, so the watcher files none
    of its mails; the next batch is sent statement by statement, so the refused mail fails alone."""
    statements: list[str] = []
    execute = store.conn.execute

    def counted(sql: str, parameters: object = (), /) -> object:
        statements.append(sql)
        return execute(sql, parameters)  # type: ignore[arg-type]

    store.conn.execute = counted  # type: ignore[method-assign,assignment]
    bad = group("fp").but(count="not a number")  # PostgreSQL refuses it; only when it is sent
    with pytest.raises(StateError), store.batch():
        for key in ("a", "b"):
            with store.transaction() as c:
                MailRecords.put(c, seen(key))
        with store.transaction() as c:
            AlertRecords.save(c, bad)  # queued: no error yet
        with store.transaction() as c:
            MailRecords.put(c, seen("c"))
    assert not any("mail_seen" in s for s in statements)  # every write went in the pipeline
    assert keys_in(store) == set()

    with store.batch():
        for key in ("a", "b"):
            with store.transaction() as c:
                MailRecords.put(c, seen(key))
        with pytest.raises(Exception, match="integer"), store.transaction() as c:
            AlertRecords.save(c, bad)
        with store.transaction() as c:
            MailRecords.put(c, seen("c"))
    assert keys_in(store) == {"a", "b", "c"}

    with store.batch(), store.transaction() as c:  # and the batch after it is queued again
        MailRecords.put(c, seen("d"))
    assert keys_in(store) == {"a", "b", "c", "d"}


def test_occurrence_times_are_the_adapter_times_of_the_groups_handled_mails(store: StateStore) -> None:
    """Events looked up with their mail records (issue 22: by key, whatever the store's size); an event
    whose mail record is missing, or stored at the instant it was handled, is no adapter time."""
    from datetime import timedelta  # noqa: PLC0415

    from bot.state.alerts import AlertEventRow  # noqa: PLC0415

    early, late = NOW - timedelta(hours=2), NOW + timedelta(minutes=5)
    with store.transaction() as c:
        for key, occurred, seen_at in (("a", early, NOW - timedelta(hours=1)), ("b", NOW, NOW + timedelta(1)),
                                       ("c", late, late), ("d", NOW, None)):
            AlertRecords.add_event(c, AlertEventRow(key, "fp", "ACME", "kintone", "action", occurred))
            if seen_at is not None:
                MailRecords.put(c, MailSeen(key, "grouped", "ACME", "fp", "", seen_at))
    assert AlertRecords(store).occurred_times("fp", NOW - timedelta(hours=3)) == [early, NOW]
    assert AlertRecords(store).occurred_times("fp", NOW) == [NOW]
