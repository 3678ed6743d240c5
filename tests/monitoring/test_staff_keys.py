"""What makes two staff mails one group: reason, sender and the subject's shape (issue 12 item 3)."""

from __future__ import annotations

from bot.mail.decode import parse_message
from bot.mail.routing import Staff
from bot.monitoring.staff import StaffKey, subject_shape

UNREADABLE = Staff("r", "unreadable", "読めません")


def _mail(subject: str, sender: str = "a@x.example") -> bytes:
    return f"From: {sender}\nSubject: {subject}\nContent-Type: text/plain\n\nbody\n".encode()


def test_dates_times_and_numbers_are_masked() -> None:
    assert subject_shape("エラー 2026/11/26 10:15 #42") == "エラー <日付> #<数>"
    assert subject_shape("2026年11月26日(木) 10:15 実行 7") == "<日付> 実行 <数>"
    assert subject_shape("job 12:30:01 failed") == "job <時刻> failed"


def test_same_shape_same_group_other_sender_or_reason_another() -> None:
    one = StaffKey.of(UNREADABLE, parse_message(_mail("連携 2026/11/01 #1")))
    two = StaffKey.of(UNREADABLE, parse_message(_mail("連携 2026/11/30 #999")))
    assert one.fingerprint == two.fingerprint
    other_sender = StaffKey.of(UNREADABLE, parse_message(_mail("連携 2026/11/01 #1", "b@x.example")))
    other_reason = StaffKey.of(Staff("s", "suspicious", "疑い"), parse_message(_mail("連携 2026/11/01 #1")))
    assert len({one.fingerprint, other_sender.fingerprint, other_reason.fingerprint}) == 3


def test_a_mail_that_could_not_be_parsed_groups_by_reason_alone() -> None:
    assert StaffKey.of(UNREADABLE, None).fingerprint == StaffKey.of(UNREADABLE, None).fingerprint
