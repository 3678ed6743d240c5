"""T6: how far ahead of the customer's wished completion date a request arrives (decided 2026-12-03).

The brochure: 「改修完了希望日の1週間前のご依頼になると、ご対応できない場合がございます」 and requests
should arrive 2-3 weeks ahead. Read as (SERVICE_RULES.md T6):

- the wished date already past: nothing is quoted against it; staff agree a new date with the customer
  (case ``due_past``, which stops a quote, see ``hour_tracker.Quote.refusals``);
- 7 days or fewer before it (``refuse_days``, today included): the request may not be accepted
  (``due_too_close``);
- fewer than ``recommended_days`` (21: 8-20 days): the gentle 2-3 weeks advice (``due_close``).

The wished date is the customer's, not the work date staff schedule; days are calendar days in Japan.
"""

from __future__ import annotations

from datetime import date

from bot.rules.findings import Finding

#: The cases of T6 that stop a quote: a date in the past cannot be quoted against.
REFUSING_CASES = frozenset({"due_past"})


def lead_time_findings(due: date, today: date, refuse_days: int, recommended_days: int) -> list[Finding]:
    """The T6 finding for a request made on ``today`` for work wished done by ``due`` (none when far)."""
    days = (due - today).days
    wished = f"{due.year}年{due.month}月{due.day}日"
    if days < 0:
        return [Finding(
            "T6",
            f"完了希望日（{wished}）はすでに過ぎています（{-days}日前）。この日付ではお見積りできません。"
            "新しい完了希望日をお客様とご相談ください。",
            case="due_past", values=(("due", due.isoformat()), ("days_past", str(-days))),
        )]
    ahead = "完了希望日は本日です。" if days == 0 else f"完了希望日まで{days}日です。"
    if days <= refuse_days:
        return [Finding(
            "T6",
            f"{ahead}完了希望日の1週間前以降のご依頼はお受けできない場合があります。",
            case="due_too_close", values=(("days", str(days)),),
        )]
    if days < recommended_days:
        return [Finding(
            "T6",
            f"{ahead}変更・設定のご依頼は2〜3週間前をお勧めしています。",
            case="due_close", values=(("days", str(days)),),
        )]
    return []
