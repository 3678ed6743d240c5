"""MailWatcher.run_once against a real Dovecot: order, filing per disposition, cursor, crash safety."""

from __future__ import annotations

import pytest

from bot.errors import MailboxError
from bot.mail_watcher import MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from tests.imap.conftest import Recorder, Rig, imap_settings, subject_of
from tests.support.dovecot import DovecotServer, make_mail

pytestmark = pytest.mark.dovecot


def subjects(server: DovecotServer, folder: str) -> list[str]:
    return [subject_of(raw) for raw in server.fetch_all(folder)]


class TestRunOnce:
    def test_every_mail_is_handled_once_in_uid_order_and_filed_by_disposition(self, rig: Rig) -> None:
        for name in ("m1", "m2", "bad", "m3"):
            rig.server.append("INBOX", make_mail(name))
        rig.recorder.answers["bad"] = Disposition.QUARANTINE

        result = rig.watcher().run_once()

        assert rig.recorder.calls == [(1, "m1"), (2, "m2"), (3, "bad"), (4, "m3")]
        assert result.fetched == 4 and result.processed == 3 and result.quarantined == 1
        assert rig.server.folder_uids("INBOX") == []
        assert subjects(rig.server, "Processed") == ["m1", "m2", "m3"]
        assert subjects(rig.server, "Quarantine") == ["bad"]

    def test_cursor_is_persisted_after_the_moves(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("m1"))
        rig.server.append("INBOX", make_mail("m2"))

        rig.watcher().run_once()

        assert rig.cursors.get("INBOX") == (rig.server.uidvalidity("INBOX"), 2)

    def test_a_second_pass_offers_only_new_mail(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("old"))
        rig.watcher().run_once()
        rig.server.append("INBOX", make_mail("new"))

        rig.watcher().run_once()

        assert rig.recorder.subjects == ["old", "new"]

    def test_retry_mail_stays_in_place_and_is_offered_again_next_pass(self, rig: Rig) -> None:
        for name in ("m1", "later", "m3"):
            rig.server.append("INBOX", make_mail(name))
        rig.recorder.answers["later"] = Disposition.RETRY
        watcher = rig.watcher()

        first = watcher.run_once()
        # The cursor stops before the retried UID 2 even though UID 3 was filed.
        assert rig.cursors.get("INBOX") == (rig.server.uidvalidity("INBOX"), 1)
        rig.recorder.answers["later"] = Disposition.PROCESSED
        second = watcher.run_once()

        assert first.retried == 1 and first.processed == 2
        assert second.fetched == 1 and second.processed == 1
        assert rig.recorder.calls == [(1, "m1"), (2, "later"), (3, "m3"), (2, "later")]
        assert rig.server.folder_uids("INBOX") == []
        assert rig.cursors.get("INBOX") == (rig.server.uidvalidity("INBOX"), 2)

    def test_fetching_does_not_mark_mail_seen(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("peek"))
        rig.recorder.answers["peek"] = Disposition.RETRY

        rig.watcher().run_once()

        assert b"\\Seen" not in rig.server.flags("INBOX")[1]

    def test_missing_processed_and_quarantine_folders_are_created(self, rig: Rig) -> None:
        rig.watcher(processed_folder="Done", quarantine_folder="Held").run_once()

        with rig.server.client() as c:
            assert c.folder_exists("Done") and c.folder_exists("Held")

    def test_a_20_mb_attachment_mail_passes_through(self, rig: Rig) -> None:
        big = make_mail("big", extra_bytes=20 * 1024 * 1024)
        rig.server.append("INBOX", big)
        rig.server.append("INBOX", make_mail("small"))
        sizes: list[int] = []
        rig.recorder.answers.clear()

        def handler(mail):  # type: ignore[no-untyped-def]
            sizes.append(len(mail.raw))
            return rig.recorder(mail)

        MailWatcher(imap_settings(rig.server), handler, rig.cursors).run_once()

        assert rig.recorder.subjects == ["big", "small"]
        assert sizes[0] == len(big)
        assert rig.server.fetch_all("Processed")[0] == big


class TestPoisonMail:
    def test_a_raising_handler_counts_as_retry_then_quarantines_after_the_limit(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("poison"))
        rig.server.append("INBOX", make_mail("fine"))
        rig.recorder.answers["poison"] = ValueError("cannot parse")
        watcher = rig.watcher(quarantine_after=3)

        passes = [watcher.run_once() for _ in range(3)]

        assert [p.retried for p in passes] == [1, 1, 0]
        assert passes[2].quarantined == 1
        assert rig.recorder.subjects == ["poison", "fine", "poison", "poison"]
        assert subjects(rig.server, "Quarantine") == ["poison"]
        assert subjects(rig.server, "Processed") == ["fine"]


class TestCrashBetweenEffectAndMove:
    def test_an_abort_after_the_handler_effect_reoffers_the_mail_on_the_next_run(self, rig: Rig) -> None:
        """The handler records its effect, then the process dies before the MOVE (simulated by an abort).

        Mails are filed per fetch batch, so the whole batch stays in place and is offered again; the
        caller's dedup (Message-ID + body hash) makes the second offer harmless.
        """
        rig.server.append("INBOX", make_mail("m1"))
        rig.server.append("INBOX", make_mail("crash"))
        rig.recorder.answers["crash"] = KeyboardInterrupt()

        with pytest.raises(KeyboardInterrupt):
            rig.watcher().run_once()
        assert rig.server.folder_uids("INBOX") == [1, 2]
        assert rig.cursors.get("INBOX") == (rig.server.uidvalidity("INBOX"), 0)

        rig.recorder.answers.clear()
        rig.watcher().run_once()  # a fresh process: new watcher, same cursor store

        assert rig.recorder.subjects == ["m1", "crash", "m1", "crash"]
        assert subjects(rig.server, "Processed") == ["m1", "crash"]

    @pytest.mark.parametrize(("chunk", "filed"), [(1000, [120]), (60, [100, 20])])
    def test_a_storm_is_filed_in_few_commands_once_its_batches_are_durable(
            self, rig: Rig, chunk: int, filed: list[int]) -> None:
        """120 mails in batches of 50: filed when ``fetch_chunk`` of them wait (after the second batch
        with 60) and at the end of the pass, not per mail nor per batch (a MOVE costs Dovecot more as the
        folder grows)."""
        for i in range(120):
            rig.server.append("INBOX", make_mail(f"m{i}"))
        watcher = rig.watcher(fetch_chunk=chunk)
        moves: list[int] = []
        original = watcher._file

        def counting(session: object, uids: list[int], disposition: Disposition) -> None:
            moves.append(len(uids))
            original(session, uids, disposition)  # type: ignore[arg-type]

        watcher._file = counting  # type: ignore[method-assign]
        assert watcher.run_once().processed == 120
        assert moves == filed
        assert rig.server.folder_uids("INBOX") == []


class TestUidValidity:
    def test_a_changed_uidvalidity_resets_the_cursor_and_reoffers_every_mail(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("a"))
        rig.server.append("INBOX", make_mail("b"))
        rig.recorder.answers.update(a=Disposition.RETRY, b=Disposition.RETRY)
        rig.watcher().run_once()
        rig.cursors.set("INBOX", rig.server.uidvalidity("INBOX"), 2)  # as if both had been handled

        new_validity = rig.server.reset_uidvalidity("INBOX")
        rig.recorder.answers.clear()
        result = rig.watcher().run_once()

        assert result.processed == 2
        assert rig.recorder.subjects == ["a", "b", "a", "b"]
        assert rig.cursors.get("INBOX") == (new_validity, 2)


class TestDryRun:
    def test_dry_run_hands_mail_over_but_writes_nothing_to_the_mailbox(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("m1"))

        result = rig.watcher(dry_run=True).run_once()

        assert result.processed == 1
        assert rig.server.folder_uids("INBOX") == [1]
        assert rig.cursors.get("INBOX") is None
        with rig.server.client() as c:
            assert not c.folder_exists("Processed")


class TestConnectionErrors:
    def test_run_once_raises_mailbox_error_when_the_server_is_unreachable(
        self, dovecot: DovecotServer
    ) -> None:
        settings = imap_settings(dovecot, port=1)
        watcher = MailWatcher(settings, Recorder(), MemoryCursorStore())

        with pytest.raises(MailboxError, match=r"127\.0\.0\.1:1\b"):
            watcher.run_once()


class TestMailArrivingDuringAPass:
    def test_a_mail_appended_while_the_pass_runs_is_handled_in_the_same_catch_up(self, rig: Rig) -> None:
        """The server may announce it in the answer to our FETCH or MOVE, which IDLE will not repeat:
        the catch-up searches again until nothing is new, so it is not left waiting for a wake-up."""
        rig.server.append("INBOX", make_mail("first"))
        handler = rig.recorder

        def appending(mail: FetchedMail) -> Disposition:
            answer = handler(mail)
            if handler.subjects == ["first"]:
                rig.server.append("INBOX", make_mail("late"))
            return answer

        watcher = MailWatcher(imap_settings(rig.server), appending, rig.cursors, stop_event=rig.stop)
        result = watcher.run_once()
        assert result.processed == 2
        assert handler.subjects == ["first", "late"]
        assert rig.server.folder_uids("INBOX") == []
