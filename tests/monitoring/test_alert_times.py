"""Times that agree (issue 12 item 4): the adapter's error time, per occurrence first and last, and the
mail's receipt time, each labelled, never one shown as the other. Real Dovecot, the emulator, a FixedClock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.monitoring.conftest import Rig

pytestmark = pytest.mark.dovecot


def kintone(n: int, stamp: str | None) -> bytes:
    when = f"発生日時: {stamp}\n" if stamp else ""
    return ("From: adapter@acme.example.jp\nTo: alerts@hoshu.example.jp\nSubject: kintone連携エラー\n"
            f"Message-ID: <times-{n}@acme.example.jp>\nDate: Wed, 02 Dec 2026 08:00:00 +0900\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            f"サブドメイン: acme-corp\nジョブ名: 受注連携\n{when}エラーコード: CB_VA01\n").encode()


def rows(rig: Rig, key: str) -> str:
    return rig.bot.client.get_issue(key).description.replace("\\", "")


class TestTimes:
    def test_the_adapter_time_and_the_receipt_time_are_labelled_apart(self, rig: Rig) -> None:
        rig.append(kintone(1, "2026/11/20 09:12:00"))  # the error happened days before the bot saw it
        rig.run_once()
        (issue,) = rig.issues("ACME")
        text = rows(rig, issue.key)
        assert "エラーの発生日時（アダプタの記載）" in text and "2026年11月20日(金) 09:12" in text
        assert "メールの受信日時" in text and "2026年11月26日(木) 10:00" in text  # the bot's clock
        assert "12月2日" not in text.split("受信したメール")[0], "the Date header is neither of the two"

    def test_first_and_last_adapter_times_across_occurrences(self, rig: Rig) -> None:
        rig.tick = timedelta(minutes=40)
        rig.append(kintone(1, "2026/11/26 09:00:00"), kintone(2, "2026/11/26 09:30:00"),
                   kintone(3, "2026/11/26 10:20:00"))
        rig.run_once()  # received 10:40 (opens), 11:20, 12:00 (a summary is due: description refreshed)
        (issue,) = rig.issues("ACME")
        text = rows(rig, issue.key)
        adapter = "初回 2026年11月26日(木) 09:00、最終 2026年11月26日(木) 10:20"
        assert f"| エラーの発生日時（アダプタの記載） | {adapter} |" in text
        assert "| メールの受信日時 | 初回 2026年11月26日(木) 10:40、最終 2026年11月26日(木) 12:00 |" in text
        assert "| 発生回数 | 3回 |" in text

    def test_without_an_adapter_time_the_issue_says_so_and_does_not_borrow_another(self, rig: Rig) -> None:
        rig.append(kintone(1, None))
        rig.run_once()
        (issue,) = rig.issues("ACME")
        text = rows(rig, issue.key)
        assert "| エラーの発生日時（アダプタの記載） | メールに記載がありません |" in text
        assert "| メールの受信日時 | 2026年11月26日(木) 10:00 |" in text
