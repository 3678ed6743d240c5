"""Nothing lost, nothing duplicated (issue 4): IDLE, a Dovecot restart, UIDVALIDITY, crashes, Backlog down."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from bot.backlog.writer import BacklogWriter
from bot.mail_watcher import MailWatcher
from bot.state.alerts import AlertRecords
from bot.state.mail import MailRecords
from tests.monitoring.conftest import PROCESSED, Rig, fixture_mail, variant

pytestmark = pytest.mark.dovecot

ACTION = "kintone_utf8_base64"
OTHER = "esm_401_shift_jis"


def issue_posts(rig: Rig) -> int:
    """Alert issues posted (the staff index of alert numbers left out)."""
    return sum(1 for w in rig.writes() if w == "POST issues")


class TestWatching:
    def test_a_mail_appended_while_idling_becomes_an_issue(self, rig: Rig) -> None:
        with rig.running(idle_check_seconds=5.0):
            rig.append(fixture_mail(OTHER))
            assert rig.wait_for(PROCESSED, 1)
            rig.append(fixture_mail(ACTION))  # now the watcher idles: only IDLE's EXISTS can wake it
            assert rig.wait_for(PROCESSED, 2)
        assert len(rig.issues("ACME")) == 2

    def test_a_dovecot_restart_mid_idle_loses_nothing(self, rig: Rig) -> None:
        with rig.running():
            rig.append(fixture_mail(ACTION))
            assert rig.wait_for(PROCESSED, 1)
            rig.server.restart()
            rig.append(fixture_mail(OTHER))
            assert rig.wait_for(PROCESSED, 2)
        assert len(rig.issues("ACME")) == 2

    def test_a_changed_uidvalidity_re_offers_mail_without_a_second_issue(self, rig: Rig) -> None:
        rig.append(fixture_mail(ACTION))
        rig.run_once()
        # A rebuilt mailbox: the same mail is back in INBOX under a new UIDVALIDITY.
        rig.append(rig.server.fetch_all(PROCESSED)[0])
        rig.server.reset_uidvalidity("INBOX")
        rig.run_once()
        assert rig.folders()["INBOX"] == 0
        assert len(rig.issues("ACME")) == 1
        assert AlertRecords(rig.store).groups()[0].count == 1


class TestCrashes:
    def test_killed_after_the_backlog_write_before_the_store_commit(
        self, rig: Rig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def killed(*_a: Any) -> bool:
            raise SystemExit(9)

        monkeypatch.setattr(AlertRecords, "add_event", staticmethod(killed))
        rig.append(fixture_mail(ACTION))
        with pytest.raises(SystemExit):
            rig.run_once()
        assert rig.folders()["INBOX"] == 1 and len(rig.issues("ACME")) == 1
        monkeypatch.undo()
        rig.restart_bot()
        rig.run_once()
        assert len(rig.issues("ACME")) == 1 and issue_posts(rig) == 1
        assert rig.folders() == {"INBOX": 0, PROCESSED: 1, "Quarantine": 0}
        assert MailRecords(rig.store).counts() == {"issue": 1}

    def test_killed_while_the_issue_reference_is_still_pending(
        self, rig: Rig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        original = BacklogWriter._record

        def killed(self: BacklogWriter, ref: str, kind: str, *a: Any, **k: Any) -> Any:
            if kind == "issue":
                raise SystemExit(9)
            return original(self, ref, kind, *a, **k)

        monkeypatch.setattr(BacklogWriter, "_record", killed)
        rig.append(fixture_mail(ACTION))
        with pytest.raises(SystemExit):
            rig.run_once()
        monkeypatch.undo()
        rig.restart_bot()
        rig.run_once()
        (issue,) = rig.issues("ACME")
        assert issue_posts(rig) == 1, "the pending reference was found in Backlog, not written again"
        assert AlertRecords(rig.store).groups()[0].issue_key == issue.key

    def test_killed_after_the_store_commit_before_the_move(
        self, rig: Rig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def killed(*_a: Any) -> None:
            raise SystemExit(9)

        monkeypatch.setattr(MailWatcher, "_file", killed)
        rig.append(fixture_mail(ACTION), fixture_mail("two_customers_named"))
        with pytest.raises(SystemExit):
            rig.run_once()
        monkeypatch.undo()
        rig.restart_bot()
        assert rig.folders()["INBOX"] == 2 and len(rig.issues("ACME")) == 1
        rig.run_once()
        assert (len(rig.issues("ACME")), len(rig.issues("HOSHU"))) == (1, 1)
        assert issue_posts(rig) == 2, "the re-offered alert was recognised, not written again"
        assert rig.folders() == {"INBOX": 0, PROCESSED: 1, "Quarantine": 1}


class TestBacklogDown:
    def test_the_mail_stays_in_the_folder_until_backlog_answers(self, rig: Rig) -> None:
        rig.emu.fail_next(50, "503")
        rig.append(fixture_mail(ACTION))
        rig.run_once()
        assert rig.folders()["INBOX"] == 1 and MailRecords(rig.store).counts() == {}
        rig.emu.clear_faults()
        rig.run_once()
        assert len(rig.issues("ACME")) == 1 and rig.folders()[PROCESSED] == 1

    def test_a_lost_answer_to_the_issue_post_does_not_duplicate_it(self, rig: Rig) -> None:
        rig.emu.fail_next(1, "drop_after_apply", path_contains="/issues")
        rig.append(variant(fixture_mail(ACTION), 1))
        rig.run_once()
        rig.run_once()
        assert len(rig.issues("ACME")) == 1
        assert rig.folders()[PROCESSED] == 1


class TestBigMail:
    def test_a_twenty_megabyte_attachment_is_triaged_without_its_content(self, rig: Rig) -> None:
        msg = EmailMessage()
        msg["From"] = "adapter@acme.example.jp"
        msg["To"] = "hoshu@vendor.example.jp"
        msg["Subject"] = "【kintone連携】エラー通知 受注連携"
        msg["Message-ID"] = "<big-attachment@monitoring.test>"
        msg["Date"] = "Thu, 26 Nov 2026 10:15:00 +0900"
        msg.set_content("SHANON CONNECT kintone アダプタで連携エラーが発生しました。\n\n"
                        "サブドメイン: acme-corp\nジョブ名: 受注連携\n"
                        "発生日時: 2026/11/26 10:15:03\nエラーコード: CB_VA01\n"
                        "エラー内容: 入力内容が正しくありません。\n")
        msg.add_attachment(b"\x89PNG" + bytes(20 * 1024 * 1024), maintype="application",
                           subtype="octet-stream", filename="dump.bin")
        rig.append(msg.as_bytes())
        rig.run_once()
        (issue,) = rig.issues("ACME")
        assert issue.summary == "[監視] kintone 受注連携: CB_VA01"
        assert len(issue.description) < 20_000 and "AAAAAAAA" not in issue.description
        assert rig.folders()[PROCESSED] == 1
