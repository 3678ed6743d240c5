"""Tests of the customer's answer to a quote: approval, rejection or neither (flow ⑥, H8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.hour_tracker import Purchase, balance
from bot.inquiry.approval import (
    Approval,
    ConsumeNow,
    HoldForPurchase,
    NoEstimate,
    Rejection,
    classify_reply,
    decide_approval,
)
from tests.inquiry.examples import ACME, AT, acme_balance

TABLE = [
    ("承認", Approval("承認")),
    ("承認します。よろしくお願いいたします。", Approval("承認")),
    ("  承認します", Approval("承認")),
    ("　承認します", Approval("承認")),
    ("「承認」します", Approval("承認")),
    ("**承認**", Approval("承認")),
    ("\n\n承認します\n作業をお願いします", Approval("承認")),
    ("> お見積りは 3 時間です。\n> 承認の場合はコメントしてください。\n承認します", Approval("承認")),
    ("{quote}却下の場合は{/quote}\n承認します", Approval("承認")),
    ("却下します", Rejection("却下")),
    ("却下で。今回は見送ります", Rejection("却下")),
    ("承認しません", None),
    ("承認できません", None),
    ("承認の前に質問です", None),
    ("承認？", None),
    ("ご承認いただく前に確認させてください", None),
    ("内容を確認しました。承認します", None),
    ("> 承認", None),
    ("", None),
    ("   \n  ", None),
    ("/bot estimate 3h", None),
]


class TestClassifyReply:
    @pytest.mark.parametrize(("text", "expected"), TABLE, ids=[repr(t) for t, _ in TABLE])
    def test_classifies_by_the_first_word_of_the_authors_own_text(self, text: str, expected: object) -> None:
        """Only a comment whose own first line STARTS with the word approves or rejects."""
        assert classify_reply(text) == expected

    def test_uses_the_configured_words(self) -> None:
        """Approval and rejection words come from configuration; NFKC applies to both sides."""
        assert classify_reply("ＯＫです", approval_words=("OK", "承認")) == Approval("OK")
        assert classify_reply("お断りします", rejection_words=("お断り",)) == Rejection("お断り")
        assert classify_reply("承認", approval_words=("了承",)) is None

    def test_longer_word_wins_when_both_lists_match(self) -> None:
        """With 承認 for yes and 承認不要 for no, 「承認不要です」 is a rejection, not an approval."""
        assert classify_reply("承認不要です", ("承認",), ("承認不要",)) == Rejection("承認不要")

    def test_identical_words_in_both_lists_count_as_neither(self) -> None:
        """A misconfigured word in both lists is not guessed at: a person decides."""
        assert classify_reply("OK", ("OK",), ("ok",)) is None


class TestDecideApproval:
    def test_approval_before_any_estimate_consumes_nothing(self) -> None:
        """No quote on the issue: explained, nothing consumed."""
        assert decide_approval(None, acme_balance()) == NoEstimate()

    def test_approval_within_the_balance_is_consumed_now_h8(self) -> None:
        """3 h approved with 3.5 h left: consumed now, 0.5 h remain."""
        assert decide_approval(Decimal(3), acme_balance("2.5")) == ConsumeNow(Decimal(3), Decimal("0.5"))

    def test_approval_using_exactly_what_is_left_is_consumed(self) -> None:
        """6 h approved with 6 h left: nothing to buy."""
        assert decide_approval(Decimal(6), acme_balance()) == ConsumeNow(Decimal(6), Decimal(0))

    @pytest.mark.parametrize(
        ("quoted", "consumed", "needed", "price"),
        [("12", "0", 6, 90_000), ("0.5", "6", 1, 15_000), ("4", "2.5", 1, 15_000), ("7", "8", 7, 105_000)],
        ids=["brochure-12h-6-left", "brochure-half-0-left", "round-up-0.5-to-1", "overdrawn"],
    )
    def test_approval_short_of_hours_is_held_for_a_purchase_h7(
        self, quoted: str, consumed: str, needed: int, price: int
    ) -> None:
        """The shortfall is bought in whole hours, rounded up, at 15,000 yen per hour (H6, H7)."""
        decision = decide_approval(Decimal(quoted), acme_balance(consumed))
        assert isinstance(decision, HoldForPurchase)
        assert decision.purchase_needed == Decimal(needed)
        assert decision.price == price

    def test_held_approval_goes_through_once_the_purchase_is_recorded(self) -> None:
        """After `/bot purchase 6h` the same 12 h approval is consumed, leaving 0 h."""
        bought = balance(ACME, (Purchase(date(2026, 11, 30), Decimal(6)),), (), AT)
        assert decide_approval(Decimal(12), bought) == ConsumeNow(Decimal(12), Decimal(0))
