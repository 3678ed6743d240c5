"""Grouping through the whole chain (M2, C8): one issue per fingerprint, bounded comments, transient
threshold, reopening after close, duplicates and tenant isolation. Time is a FixedClock, never a sleep."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.config.loader import BotConfig
from bot.config.monitoring import GroupingConfig
from bot.state.alerts import AlertRecords
from bot.state.mail import MailRecords
from tests.monitoring.conftest import PROCESSED, Rig, fixture_mail, shipped_monitoring, variant

pytestmark = pytest.mark.dovecot

ACTION = "kintone_utf8_base64"  # ACME, kintone 受注連携 CB_VA01 (action)
TRANSIENT = "esm_503"  # ACME, eSM 商談取込 HTTP_503 (transient)


class TestRepeats:
    def test_two_hundred_repeats_make_one_issue_and_at_most_one_comment_per_interval(self, rig: Rig) -> None:
        rig.tick = timedelta(minutes=1)  # 200 mails over 200 minutes
        rig.append(*(variant(fixture_mail(ACTION), n) for n in range(200)))
        rig.run_once()
        (issue,) = rig.issues("ACME")
        comments = rig.comments(issue.key)
        intervals = 200 // 60 + 1
        assert 1 <= len(comments) <= intervals
        # The lower bound: the issue, then one PATCH per summary that carries the comment and the
        # refreshed description together.
        assert len(rig.writes("issues")) == 1 + len(comments)
        assert rig.folders()[PROCESSED] == 200
        (group,) = AlertRecords(rig.store).groups()
        assert (group.count, group.issue_key, group.status) == (200, issue.key, "open")
        assert "200回" not in comments[-1].content or group.since_comment == 0
        assert "発生回数" in rig.bot.client.get_issue(issue.key).description

    def test_summary_comments_account_for_every_occurrence(self, rig: Rig) -> None:
        rig.tick = timedelta(minutes=7)
        rig.append(*(variant(fixture_mail(ACTION), n) for n in range(30)))
        rig.run_once()
        (issue,) = rig.issues("ACME")
        rig.clock.advance(timedelta(hours=2))
        assert rig.bot.service.flush() == 1
        assert rig.bot.service.flush() == 0, "nothing new since the last summary"
        (group,) = AlertRecords(rig.store).groups()
        assert group.since_comment == 0
        counted = [int(c.content.split("同じエラーが ")[1].split(" 回")[0]) for c in rig.comments(issue.key)]
        assert sum(counted) == 29, "every repeat after the first is summarised exactly once"

    def test_the_same_mail_delivered_twice_has_one_effect(self, rig: Rig) -> None:
        raw = fixture_mail(ACTION)
        rig.append(raw, raw)
        rig.run_once()
        (issue,) = rig.issues("ACME")
        assert rig.comments(issue.key) == []
        assert AlertRecords(rig.store).groups()[0].count == 1
        assert rig.folders()[PROCESSED] == 2
        assert MailRecords(rig.store).counts() == {"issue": 1}

    def test_a_longer_comment_interval_is_honoured(self, make_rig: object) -> None:
        base = shipped_monitoring()
        config = base.model_copy(update={"grouping": GroupingConfig(comment_interval_minutes=600)})
        rig = make_rig(monitoring_config=config)  # type: ignore[operator]
        rig.tick = timedelta(minutes=1)
        rig.append(*(variant(fixture_mail(ACTION), n) for n in range(100)))
        rig.run_once()
        (issue,) = rig.issues("ACME")
        assert rig.comments(issue.key) == []


class TestTransient:
    @pytest.mark.parametrize(("gap", "opens"), [(10, True), (40, False)], ids=["within-1h", "spread-out"])
    def test_a_transient_error_opens_only_at_its_third_occurrence_within_the_window(
        self, rig: Rig, gap: int, opens: bool
    ) -> None:
        rig.tick = timedelta(minutes=gap)
        rig.append(variant(fixture_mail(TRANSIENT), 1), variant(fixture_mail(TRANSIENT), 2))
        rig.run_once()
        assert rig.issues("ACME") == []
        rig.append(variant(fixture_mail(TRANSIENT), 3))
        rig.run_once()
        issues = rig.issues("ACME")
        assert len(issues) == int(opens)
        if opens:
            assert "3回" in issues[0].description and "一時的なエラー" in issues[0].description

    def test_flush_never_opens_a_waiting_transient_group(self, rig: Rig) -> None:
        rig.append(variant(fixture_mail(TRANSIENT), 1), variant(fixture_mail(TRANSIENT), 2))
        rig.run_once()
        rig.clock.advance(timedelta(hours=5))
        assert rig.bot.service.flush() == 0
        assert rig.issues("ACME") == []
        assert AlertRecords(rig.store).groups()[0].status == "waiting"

    def test_an_action_error_opens_at_once(self, rig: Rig) -> None:
        rig.append(fixture_mail(ACTION))
        rig.run_once()
        assert len(rig.issues("ACME")) == 1


class TestClosedIssues:
    def test_a_new_occurrence_after_close_opens_a_new_issue_that_links_the_old(self, rig: Rig) -> None:
        rig.append(variant(fixture_mail(ACTION), 1))
        rig.run_once()
        (old,) = rig.issues("ACME")
        rig.emu.update_issue_as("sato", old.key, statusId="4")  # 完了
        rig.clock.advance(timedelta(minutes=30))
        rig.append(variant(fixture_mail(ACTION), 2), variant(fixture_mail(ACTION), 3))
        rig.run_once()
        first, second = rig.issues("ACME")
        assert first.key == old.key
        assert old.key in second.description.replace("\\", "")  # whatever escaping the renderer does
        # generation 2 of the fingerprint gets the customer's next alert number (issue 20 item 2)
        assert [first.description.splitlines()[-1], second.description.splitlines()[-1]] == [
            "検知番号：ACME-A1", "検知番号：ACME-A2"]
        assert [line.split(";")[0] for line in rig.numbered()] == [
            "hoshu-bot:alert-indexed:ACME:1", "hoshu-bot:alert-indexed:ACME:2"]
        assert [line.rsplit(";", 1)[1] for line in rig.numbered()] == ["g=1", "g=2"]
        assert rig.comments(old.key) == [], "nothing more is written to the closed issue"
        rows = {g.generation: g for g in AlertRecords(rig.store).groups()}
        assert (rows[1].status, rows[2].status, rows[2].count) == ("closed", "open", 2)

    def test_a_transient_group_reopened_after_close_still_links_the_old_issue(self, rig: Rig) -> None:
        rig.tick = timedelta(minutes=5)
        rig.append(*(variant(fixture_mail(TRANSIENT), n) for n in range(3)))
        rig.run_once()
        (old,) = rig.issues("ACME")
        rig.emu.update_issue_as("sato", old.key, statusId="3")  # 処理済み
        rig.clock.advance(timedelta(hours=2))
        for n in range(3, 6):
            rig.append(variant(fixture_mail(TRANSIENT), n))
            rig.run_once()
        _, new = rig.issues("ACME")
        assert old.key in new.description.replace("\\", "")


class TestTenantIsolation:
    def test_a_mail_for_acme_never_writes_into_beta(self, dovecot: object, emu: object, store: object,
                                                    make_rig: object) -> None:
        def beta_monitored(config: BotConfig) -> BotConfig:
            customers = tuple(dataclasses.replace(c, monitoring=True) for c in config.customers)
            return dataclasses.replace(config, customers=customers)

        rig: Rig = make_rig(edit_config=beta_monitored)  # type: ignore[operator]
        rig.append(fixture_mail(ACTION), fixture_mail("kintone_beta_no_monitoring"),
                   fixture_mail("beta_sender_acme_key"))
        rig.run_once()
        (acme,), (beta,) = rig.issues("ACME"), rig.issues("BETA")
        assert "beta" not in acme.description.lower() and "BETA" not in acme.description
        assert "acme" not in beta.description.lower()
        posts = [(r.form.get("projectId", [""])[0], r.form["summary"][0]) for r in rig.emu.requests
                 if r.method == "POST" and r.path.endswith("/issues")]
        alerts = sorted(p for p, summary in posts if "監視の検知番号" not in summary)
        assert alerts == ["101", "102", "103"], "ACME, BETA and one staff item for the spoof"
        # each customer's alert numbers on a staff issue of its own, in the staff project only
        assert sorted(s for p, s in posts if "監視の検知番号" in s) == sorted([
            "監視の検知番号 株式会社アクメ（ACME）", "監視の検知番号 ベータ商事株式会社（BETA）"])
        assert all(p == "103" for p, s in posts if "監視の検知番号" in s)
        (staff,) = rig.issues("HOSHU")
        assert "なりすましの疑い" in staff.summary
