"""Alert, mail and inquiry records round-trip through the store unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.sla import Clock, ClockEvent, ClockKind, EventKind
from bot.state import StateStore
from bot.state.alerts import AlertEventRow, AlertGroupRow, AlertRecords
from bot.state.inquiries import InquiryRecords, InquiryRow, clock_from_json, clock_to_json
from bot.state.mail import MailRecords, MailSeen

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


class TestAlertRecords:
    def test_groups_keep_every_field_and_the_newest_generation_wins(self, store: StateStore) -> None:
        recs = AlertRecords(store)
        g0 = AlertGroupRow(
            fingerprint="fp1", generation=0, customer="ACME", adapter="kintone", job="受注連携",
            error_code="CB_VA01", error_class="action", issue_key="ACME-3", status="closed", count=4,
            first_seen=NOW, last_seen=NOW + timedelta(hours=1), last_comment_at=NOW, since_comment=2,
            recent=(NOW, NOW + timedelta(minutes=5)),
        )
        with store.transaction() as c:
            recs.save(c, g0)
            recs.save(c, g0.but(generation=1, issue_key="ACME-9", status="open", count=1))
        assert recs.latest("fp1") == g0.but(generation=1, issue_key="ACME-9", status="open", count=1)
        assert recs.by_issue("ACME-3") == g0
        assert [g.generation for g in recs.groups("ACME", status="open")] == [1]

    def test_an_event_is_recorded_once_per_mail(self, store: StateStore) -> None:
        recs = AlertRecords(store)
        e = AlertEventRow("mid-1", "fp1", "ACME", "kintone", "action", NOW)
        with store.transaction() as c:
            assert recs.add_event(c, e) is True
            assert recs.add_event(c, e) is False
        assert recs.events("ACME", NOW - timedelta(days=1), NOW + timedelta(days=1)) == [e]
        assert recs.events("ACME", NOW + timedelta(seconds=1), NOW + timedelta(days=1)) == []


class TestMailRecords:
    def test_seen_mail_round_trips_and_counts_by_outcome(self, store: StateStore) -> None:
        recs = MailRecords(store)
        seen = MailSeen("k1", "issue", "ACME", "fp1", "ACME-3", NOW)
        with store.transaction() as c:
            recs.put(c, seen)
            recs.put(c, MailSeen("k2", "ignored", None, None, "auto-replied", NOW))
        assert recs.get("k1") == seen
        assert recs.get("nope") is None
        assert recs.counts() == {"issue": 1, "ignored": 1}


class TestInquiryRecords:
    def test_an_inquiry_round_trips_with_its_workflow_data(self, store: StateStore) -> None:
        recs = InquiryRecords(store)
        q = InquiryRow(
            issue_key="ACME-12", customer="ACME", issue_id=12, summary="フォーム改修", created_user="yamada",
            created=NOW, status="未対応", updated=NOW, category="C5", staff_issue_key="HOSHU-4",
            data={"estimate": "3", "kind": "E6"},
        )
        with store.transaction() as c:
            recs.save(c, q)
        assert recs.get("ACME-12") == q
        assert recs.by_staff_issue("HOSHU-4") == q
        assert recs.for_customer("ACME") == [q]

    def test_a_clock_round_trips_with_its_history(self, store: StateStore) -> None:
        due = NOW + timedelta(days=1)
        clock = Clock(
            kind=ClockKind.FIRST_RESPONSE, issue_key="ACME-12", started=NOW, due=due, budget=Decimal(8),
            paused_total=Decimal("1.5"), met_at=NOW + timedelta(hours=3),
            history=(ClockEvent(EventKind.STARTED, NOW, due), ClockEvent(EventKind.MET, NOW, due)),
        )
        assert clock_from_json(clock_to_json(clock)) == clock
        recs = InquiryRecords(store)
        with store.transaction() as c:
            recs.save_clock(c, "ACME", 0, clock)
        (stored,) = recs.clocks("ACME-12")
        assert stored.clock == clock
        assert recs.clocks(open_only=True) == []
