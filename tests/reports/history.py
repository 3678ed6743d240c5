"""A fixed ledger and history for ACME (and a little for BETA), written straight into the state store.

ACME's quarter 2026-10-01..2026-12-31 holds 6 h. By the end of November: 1.5 h consumed in October,
1 h and 3 h (2 h worked at x1.5, T7) in November, 2 h bought on 2026-11-10: consumed 5.5, left 2.5.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules import sla
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from bot.state.alerts import AlertEventRow, AlertGroupRow, AlertRecords
from bot.state.inquiries import InquiryRecords, InquiryRow

JST = ZoneInfo("Asia/Tokyo")
WRITTEN = datetime(2026, 12, 1, 9, 0, tzinfo=JST)


def jst(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def consume(store: StateStore, customer: str, key: str, hours: str, at: datetime, title: str,
            category: str = "C5", multiplier: str = "1") -> None:
    store.append_ledger(
        customer=customer, kind="consume", hours=Decimal(hours), at=at, issue_key=key, who="sato",
        why="見積承認", ref=f"hoshu-bot:consume:{key}:{at:%m%d%H%M}", now=WRITTEN, title=title,
        category=category, multiplier=Decimal(multiplier),
    )


def purchase(store: StateStore, customer: str, hours: str, at: datetime) -> None:
    store.append_ledger(
        customer=customer, kind="purchase", hours=Decimal(hours), at=at, issue_key=None, who="suzuki",
        why="追加購入", ref=f"hoshu-bot:purchase:{customer}:{at:%Y%m%d}", now=WRITTEN,
    )


def issue(
    key: str, created: datetime, closed: datetime | None, summary: str, customer: str = "ACME"
) -> InquiryRow:
    return InquiryRow(
        issue_key=key, customer=customer, issue_id=int(key.split("-")[1]), summary=summary,
        created_user="yamada", created=created, status="完了" if closed else "処理中",
        updated=closed or created, category="C5", closed=closed,
    )


def fill_acme(store: StateStore, cal: BusinessCalendar) -> None:
    """The ACME history used by the golden files."""
    consume(store, "ACME", "ACME-3", "1.5", jst(10, 20, 15), "ログインできない件の調査", "C3")
    consume(store, "ACME", "ACME-5", "1", jst(11, 5, 14), "メールテンプレートの文言追加")
    purchase(store, "ACME", "2", jst(11, 10, 11))
    consume(store, "ACME", "ACME-7", "3", jst(11, 18, 19), "[至急] *キャンペーン* 設定_変更", "C5", "1.5")
    consume(store, "ACME", "ACME-8", "1", jst(12, 2, 11), "12月の作業")  # after the cut-off
    rows = [
        issue("ACME-1", jst(9, 1, 10), jst(9, 10, 10), "9月に完了した件"),
        issue("ACME-2", jst(10, 1, 11), None, "長期の調査 #2"),
        issue("ACME-3", jst(10, 15, 11), jst(11, 4, 16), "ログインできない件の調査"),
        issue("ACME-5", jst(11, 2, 9, 30), None, "メールテンプレートの文言追加"),
        issue("ACME-7", jst(11, 16, 11), jst(11, 27, 17), "[至急] *キャンペーン* 設定_変更"),
        issue("ACME-9", jst(12, 1, 9), None, "12月の課題"),
    ]
    c5 = sla.meet(sla.start(sla.ClockKind.FIRST_RESPONSE, "ACME-5", jst(11, 2, 9, 30), cal), jst(11, 2, 15))
    c7 = sla.meet(sla.start(sla.ClockKind.FIRST_RESPONSE, "ACME-7", jst(11, 16, 11), cal), jst(11, 18, 12))
    c2 = sla.start(sla.ClockKind.UPDATE, "ACME-2", jst(11, 30, 17), cal)
    old = sla.meet(sla.start(sla.ClockKind.FIRST_RESPONSE, "ACME-3", jst(10, 15, 11), cal), jst(10, 15, 12))
    alerts = AlertRecords(store)
    with store.transaction() as c:
        for r in rows:
            InquiryRecords.save(c, r)
        for seq, clock in enumerate((c5, c7, c2, old)):
            InquiryRecords.save_clock(c, "ACME", seq, clock)
        for fp, adapter, cls, status in (("fp-ds", "DataSpider", "transient", "closed"),
                                         ("fp-sf", "Salesforce", "action", "open")):
            alerts.save(c, AlertGroupRow(
                fingerprint=fp, generation=0, customer="ACME", adapter=adapter, job="j", error_code="E1",
                error_class=cls, issue_key=None, status=status, count=1, first_seen=jst(11, 3),
                last_seen=jst(11, 3),
            ))
        events = [("m1", "fp-ds", "DataSpider", "transient", jst(11, 3, 2)),
                  ("m2", "fp-ds", "DataSpider", "transient", jst(11, 3, 4)),
                  ("m3", "fp-ds", "DataSpider", "transient", jst(11, 20, 4)),
                  ("m4", "fp-sf", "Salesforce", "action", jst(11, 21, 13)),
                  ("m0", "fp-sf", "Salesforce", "action", jst(10, 31, 23, 59))]
        for key, fp, adapter, cls, at in events:
            alerts.add_event(c, AlertEventRow(key, fp, "ACME", adapter, cls, at))


def fill_beta(store: StateStore) -> None:
    """BETA (bridge 6 h per 3 months from 2026-05-01, then annual 36 h from 2026-11-01)."""
    consume(store, "BETA", "BETA-2", "2", jst(11, 12, 10), "シナリオ設定")
    with store.transaction() as c:
        InquiryRecords.save(c, issue("BETA-2", jst(11, 11, 10), jst(11, 13, 10), "シナリオ設定", "BETA"))
