"""Backlog fails in bursts (issue 8): 429, 500, 503, timeouts and dropped connections, before and after
the write was applied. The App is built in-process (as ``run`` builds it) with a short read timeout, so
a "slow" answer is a real client timeout while the emulator still applies the write afterwards.
Nothing may be lost (M2) or written twice (idempotent references), and the ledger stays as told (H8).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from bot.app import App
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.settings import Settings
from tests.faults import invariants
from tests.faults.storm import START, StormRig
from tests.support.dovecot import DovecotServer
from tests.support.paths import CONFIG_DIR

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

MODES = ("500", "503", "429", "slow", "drop", "drop_after_apply")
PATHS = (None, "/issues", "/comments", "/activities")
ROUNDS = 60


@pytest.fixture
def app(rig: StormRig) -> Iterator[App]:
    server: DovecotServer = rig.server
    settings = Settings(  # type: ignore[call-arg]
        BACKLOG_BASE_URL=rig.emu.base_url, BACKLOG_API_KEY=rig.emu.api_key, IMAP_HOST=server.host,
        IMAP_PORT=server.port, IMAP_USER=server.user, IMAP_PASSWORD=server.password, IMAP_SSL=False,
        BOT_CONFIG_DIR=str(CONFIG_DIR),
        BOT_STATE_PATH=str(rig.worker.env.state_path),
    )
    client = BacklogClient(rig.emu.base_url, rig.emu.api_key, timeout=(2, 0.3), max_retries=2,
                           sleep=lambda _s: None)
    built = App.build(settings, clock=FixedClock(START), client=client)
    yield built
    built.close()


def one_round(app: App) -> None:
    now = app.clock()
    for job in app.jobs(once=True):
        try:
            job.fn(now)
        except Exception as exc:  # the worker logs and backs off a failed job; so does this round
            print(f"job {job.name} failed: {type(exc).__name__}")


class TestBacklogBursts:
    def test_bursts_of_every_failure_lose_and_duplicate_nothing(self, app: App, rig: StormRig) -> None:
        rig.emu.slow_seconds = 0.6  # longer than the client's 0.3 s read timeout
        one_round(app)  # first start
        rig.ask("ACME", "yamada", "1")
        rig.ask("BETA", "tanaka", "0.5")
        for n in range(ROUNDS):
            rig.send(rig.rng.randint(0, 6))
            if n < len(MODES):  # every mode at least once, on whatever call comes next
                rig.emu.fail_next(1, MODES[n])
            elif rig.rng.random() < 0.7:
                rig.emu.fail_next(rig.rng.randint(1, 4), rig.rng.choice(MODES),
                                  path_contains=rig.rng.choice(PATHS))
            one_round(app)
            rig.drive()
        rig.emu.clear_faults()
        for _ in range(10):
            one_round(app)
            rig.drive()
            if rig.done():
                break
        faults = {r.fault for r in rig.emu.requests if r.fault}
        assert faults >= {"500", "503", "429", "slow", "drop", "drop_after_apply"}
        assert rig.problems() == []
        assert invariants.consumed(app.store.ledger()) == Decimal("1.5")
