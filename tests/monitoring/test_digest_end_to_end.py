"""A digest through Dovecot, the watcher, the service and the emulator (issue 21 item 6, Must hold).

One mail listing several errors makes one alert per error, each in its own group: one Backlog issue per
distinct problem, as if the errors had come in separate mails; the unreadable entries reach staff; a
re-delivery or a crash in the middle of the digest never duplicates an issue, and the mail is filed only
once every entry is durable.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.state.alerts import AlertRecords
from bot.state.mail import MailRecords
from tests.monitoring.conftest import FIXTURES, PROCESSED, QUARANTINE, Rig

pytestmark = pytest.mark.dovecot

PUBLIC = FIXTURES / "public"


def digest(name: str) -> bytes:
    return (PUBLIC / f"{name}.eml").read_bytes()


def issue_posts(rig: Rig) -> int:
    """Alert issues posted (the staff index of alert numbers left out)."""
    return sum(1 for w in rig.writes() if w == "POST issues")


class TestDigest:
    def test_each_listed_error_is_its_own_alert_and_issue(self, rig: Rig) -> None:
        rig.append(digest("digest_separated_dataspider"))  # timeout (transient), CB_VA01, input not found
        rig.run_once()
        acme = rig.issues("ACME")
        assert sorted(i.summary for i in acme) == [
            "[監視] DataSpider Cloud ACME_請求連携: InputDataNotFoundException",
            "[監視] DataSpider Cloud ACME_顧客同期: CB_VA01",
        ]
        assert rig.issues("HOSHU") == [] and rig.folders()[PROCESSED] == 1
        groups = AlertRecords(rig.store).groups()
        assert sorted((g.job, g.status) for g in groups) == [
            ("ACME_受注取込", "waiting"), ("ACME_請求連携", "open"), ("ACME_顧客同期", "open")]
        assert MailRecords(rig.store).counts() == {"issue": 2, "waiting": 1, "digest": 1}

    def test_unreadable_entries_go_to_staff_and_the_readable_ones_still_count(self, rig: Rig) -> None:
        rig.append(digest("digest_numbered_with_unreadable"))  # CB_VA01, GAIA_RE18 (transient), entry 3
        rig.run_once()
        (issue,) = rig.issues("ACME")
        assert issue.summary == "[監視] kintone 受注連携: CB_VA01"
        (staff,) = rig.issues("HOSHU")
        assert "3 件のうち 1 件（3 番目）" in (staff.description or "")
        assert rig.folders()[QUARANTINE] == 1, "staff look at the mail itself"
        jobs = {g.job for g in AlertRecords(rig.store).groups() if g.customer == "ACME"}
        assert jobs == {"受注連携", "顧客同期"}

    def test_the_same_error_listed_twice_is_one_issue_seen_twice(self, rig: Rig) -> None:
        rig.append(digest("digest_same_error_twice"))
        rig.run_once()
        (issue,) = rig.issues("ACME")
        (group,) = AlertRecords(rig.store).groups()
        assert (group.issue_key, group.count) == (issue.key, 2)

    def test_a_re_delivered_digest_acts_on_nothing_again(self, rig: Rig) -> None:
        raw = digest("digest_numbered_english")
        rig.append(raw)
        rig.run_once()
        rig.append(raw)
        rig.run_once()
        # REQUIRED_FIELD_MISSING opens its issue; UNABLE_TO_LOCK_ROW (transient) waits
        assert len(rig.issues("ACME")) == 1 and issue_posts(rig) == 1
        assert rig.folders()[PROCESSED] == 2
        assert [g.count for g in AlertRecords(rig.store).groups()] == [1, 1]

    def test_killed_in_the_middle_of_a_digest_the_restart_finishes_it_without_duplicates(
        self, rig: Rig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        original = AlertRecords.add_event
        calls: list[object] = []

        def killed_at_the_second(*a: Any) -> None:
            calls.append(a)
            if len(calls) == 2:  # the second entry's store write
                raise SystemExit(9)
            original(*a)

        monkeypatch.setattr(AlertRecords, "add_event", staticmethod(killed_at_the_second))
        rig.append(digest("digest_separated_dataspider"))
        with pytest.raises(SystemExit):
            rig.run_once()
        assert rig.folders()["INBOX"] == 1, "not filed before every entry is durable"
        monkeypatch.undo()
        rig.restart_bot()
        rig.run_once()
        assert len(rig.issues("ACME")) == 2 and issue_posts(rig) == 2
        assert rig.folders() == {"INBOX": 0, PROCESSED: 1, QUARANTINE: 0}
        assert MailRecords(rig.store).counts() == {"issue": 2, "waiting": 1, "digest": 1}


class TestRebuiltDigest:
    @pytest.mark.parametrize("name", ["digest_separated_dataspider", "digest_numbered_with_unreadable"])
    def test_a_filed_digest_gives_back_the_records_the_service_wrote(self, rig: Rig, name: str) -> None:
        """rebuild-state reads a filed digest as the service keyed it: the mail, each listed error
        (``#<n>``, grouped, with its own event) and the unreadable ones (``#staff``), so a report after a
        rebuild counts every listed error (issue 21 item 6)."""
        from bot.rebuild.mail import judge  # noqa: PLC0415

        raw = digest(name)
        rig.append(raw)
        rig.run_once()
        rows = rig.store.conn.execute("SELECT mail_key, outcome, fingerprint FROM mail_seen").fetchall()
        stored = {str(k): (str(o), f) for k, o, f in rows}
        folder = QUARANTINE if rig.folders()[QUARANTINE] else PROCESSED
        filed = {m.key: m for m in judge(raw, folder, QUARANTINE, rig.bot.config, rig.monitoring_config)}
        assert sorted(filed) == sorted(stored) and len(filed) >= 3
        # an entry's outcome says what its group did (issue, waiting ...); the rebuild says grouped
        assert {k: (m.outcome, m.fingerprint) for k, m in filed.items() if m.outcome != "grouped"} == {
            k: v for k, v in stored.items() if k in filed and filed[k].outcome != "grouped"}
        assert {k: m.fingerprint for k, m in filed.items()} == {k: f for k, (_, f) in stored.items()}
        ever = (rig.clock() - timedelta(days=3650), rig.clock() + timedelta(days=3650))
        events = {(e.mail_key, e.fingerprint) for e in AlertRecords(rig.store).events("ACME", *ever)}
        assert {(m.key, m.fingerprint) for m in filed.values() if m.outcome == "grouped"} == events
