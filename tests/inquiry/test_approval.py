"""What an approval does (flow ⑥-⑦, H6-H8); whether a reply is one: tests/inquiry/test_answers.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.hour_tracker import Purchase, balance
from bot.inquiry.approval import ConsumeNow, HoldForPurchase, NoEstimate, decide_approval
from tests.inquiry.examples import ACME, AT, acme_balance


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
