"""Unreadable, unroutable and suspicious mail grouped for staff, end to end (M2; issue 12 item 3).

Through real Dovecot, the watcher, the service and the emulator: one staff issue per (reason, sender,
subject shape), a count and first/last receipt, at most one summary comment per interval.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.state.alerts import AlertRecords
from bot.state.mail import MailRecords
from tests.monitoring.conftest import QUARANTINE, Rig, fixture_mail, variant

pytestmark = pytest.mark.dovecot


def unreadable(n: int, sender: str = "adapter@acme.example.jp") -> bytes:
    """A mail of ACME's registered sender with its key but no recognisable code; the subject carries a
    number and a date that differ per mail (the shape stays the same)."""
    return (f"From: {sender}\nTo: alerts@hoshu.example.jp\nSubject: kintone連携 2026/11/{n % 28 + 1:02d} "
            f"10:{n % 60:02d} 実行番号 {1000 + n}\nMessage-ID: <unreadable-{n}@acme.example.jp>\n"
            "Date: Thu, 26 Nov 2026 10:15:30 +0900\nContent-Type: text/plain; charset=utf-8\n\n"
            "acme-corp の連携で問題が発生しました。詳細は管理画面をご確認ください。\n").encode()


def staff_comments(rig: Rig, issue_key: str) -> list[str]:
    return [c.content for c in rig.bot.client.list_comments(issue_key, count=100)
            if "hoshu-bot:quarantine-update:" in c.content]


class TestStaffGroups:
    def test_thirty_copies_of_one_unreadable_mail_make_one_staff_issue_counting_30(self, rig: Rig) -> None:
        rig.append(*(unreadable(n) for n in range(30)))
        rig.run_once()
        (issue,) = rig.issues("HOSHU")
        assert rig.issues("ACME") == []
        assert rig.folders()[QUARANTINE] == 30, "every mail is kept for staff"
        reason = "ACME のメールですが、エラーコードを読み取れません"
        assert issue.summary == f"[監視] 振り分けできないメール: {reason}"
        (group,) = AlertRecords(rig.store).groups()
        assert (group.count, group.issue_key) == (30, issue.key)
        assert MailRecords(rig.store).counts() == {"quarantined": 30}
        rig.clock.advance(timedelta(hours=1))
        assert rig.bot.service.flush() == 1
        (comment,) = staff_comments(rig, issue.key)
        assert "29 通届きました" in comment and "30通" in comment
        assert rig.bot.service.flush() == 0, "at most one summary per interval, nothing new since"

    def test_a_repeat_after_the_interval_refreshes_the_count_in_the_same_write(self, rig: Rig) -> None:
        rig.tick = timedelta(minutes=10)
        rig.append(*(unreadable(n) for n in range(8)))  # 10 .. 80 minutes
        rig.run_once()
        (issue,) = rig.issues("HOSHU")
        (comment,) = staff_comments(rig, issue.key)
        assert "6 通届きました" in comment  # mails 2..7 since the issue was opened; the 8th waits
        description = rig.bot.client.get_issue(issue.key).description
        assert "7通" in description and "初回の受信" in description and "最後の受信" in description
        assert len(rig.writes("issues")) == 2, "the issue, then one PATCH with comment and description"

    def test_another_sender_reason_or_subject_shape_is_another_group(self, rig: Rig) -> None:
        other_subject = unreadable(2).replace(b"Subject: kintone", b"Subject: Salesforce")
        rig.append(unreadable(0), unreadable(1, "stranger@example.com"), other_subject,
                   fixture_mail("right_key_wrong_sender"))
        rig.run_once()
        assert len(rig.issues("HOSHU")) == 4
        assert len(AlertRecords(rig.store).groups()) == 4

    def test_a_spoofed_sender_is_still_quarantined_and_grouped(self, rig: Rig) -> None:
        rig.append(*(variant(fixture_mail("right_key_wrong_sender"), n) for n in range(5)))
        rig.run_once()
        (issue,) = rig.issues("HOSHU")
        assert "なりすましの疑い" in issue.summary
        assert rig.issues("ACME") == []
        assert rig.folders()[QUARANTINE] == 5
        assert AlertRecords(rig.store).groups()[0].count == 5

    def test_a_staff_issue_closed_in_backlog_gets_a_new_one_for_the_next_mail(self, rig: Rig) -> None:
        rig.append(unreadable(0))
        rig.run_once()
        (first,) = rig.issues("HOSHU")
        rig.emu.update_issue_as("sato", first.key, statusId="4")  # 完了
        rig.clock.advance(timedelta(minutes=10))
        rig.append(unreadable(1))
        rig.run_once()
        old, new = rig.issues("HOSHU")
        assert old.key == first.key
        assert new.description.splitlines()[-1].endswith(":2"), "generation 2 of the group"
        assert staff_comments(rig, old.key) == [], "nothing more is written to the closed issue"
