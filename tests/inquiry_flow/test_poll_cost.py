"""Step 1: a poll with no news costs at most 2 Backlog calls, however many customer projects there are."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.clock import FixedClock
from bot.config.loader import Customer
from bot.sandbox import BacklogEmulator
from bot.sandbox.seed import seed_for
from tests.inquiry_flow.harness import Flow, jst, shared_config


def generated_customers(n: int) -> tuple[Customer, ...]:
    """``CUST001``.. with ACME's contract, as ``seed_for`` names their projects and users."""
    acme = shared_config().customer("ACME")
    return tuple(
        replace(acme, project=f"CUST{i:03d}", name=f"顧客{i:03d}株式会社", inquirers=(f"cust{i:03d}-user",),
                alert_senders=(), alert_keys=())
        for i in range(1, n + 1)
    )


@pytest.fixture(scope="module")
def big_clock() -> FixedClock:
    return FixedClock(jst(2026, 11, 30, 11))


@pytest.fixture(scope="module")
def big(big_clock: FixedClock) -> Iterator[BacklogEmulator]:
    stamp = lambda: big_clock().timestamp()  # noqa: E731
    with BacklogEmulator.start(seed_for(200), clock=stamp) as emulator:
        yield emulator


class TestPollCost:
    def test_a_poll_over_200_customer_projects_with_no_news_costs_at_most_2_calls(
        self, big: BacklogEmulator, big_clock: FixedClock
    ) -> None:
        flow = Flow(big, big_clock, shared_config(generated_customers(200)))
        big.clear_requests()
        result = flow.poll()
        assert result.seen == 0
        assert len(big.requests) <= 2

    def test_news_in_one_of_200_projects_is_found_by_the_same_poll(
        self, big: BacklogEmulator, big_clock: FixedClock
    ) -> None:
        flow = Flow(big, big_clock, shared_config(generated_customers(200)))
        key = flow.ask("ログインできません", user="cust150-user", project="CUST150")
        flow.poll()
        assert len(flow.bot_comments_with(key, "hoshu-bot:ack:")) == 1
        big.clear_requests()
        flow.poll()
        assert len(big.requests) <= 2
