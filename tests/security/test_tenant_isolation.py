"""Tenant isolation as a property (issue 8, security; routing rules M2, C8 and P1).

Across random customer configurations (alert senders and tenant keys overlapping on purpose, monitoring
on or off) and random alerts, every write the bot makes lands in the staff project or in the project of
the one customer that both sender and tenant key identify, and only if that customer has the
monitoring option. Writes are read from the emulator's request log, so nothing the bot says is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.backlog.directory import Directory
from bot.backlog.writer import BacklogWriter
from bot.backlog_client import BacklogClient
from bot.clock import FixedClock
from bot.config.loader import BotConfig, load_config, load_monitoring
from bot.mailbox.source import Disposition, FetchedMail
from bot.monitoring import MonitoringService
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.support.paths import CONFIG_DIR
from tests.support.worker_proc import emulator_seed

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
SENDERS = ("adapter@acme.example.jp", "alerts@beta.example.co.jp", "shared@relay.example.jp",
           "adapter@acme.example.jp.evil.example.com")
KEYS = ("acme-corp", "beta-shoji", "shared-tenant", "ACME_x")
STAFF = "HOSHU"

customer_side = st.fixed_dictionaries({
    "monitoring": st.booleans(),
    "senders": st.lists(st.sampled_from(SENDERS[:3]), min_size=1, max_size=3, unique=True),
    "keys": st.lists(st.sampled_from(KEYS[:3]), min_size=1, max_size=3, unique=True),
})
codes = st.sampled_from(("CB_VA01", "GAIA_IL23"))
mails = st.lists(st.tuples(st.sampled_from(SENDERS), st.sampled_from(KEYS), codes), min_size=1, max_size=6)


def kintone(sender: str, tenant: str, code: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "alerts@hoshu.example.jp"
    msg["Subject"] = "【kintone連携】エラー通知 受注連携"
    msg["Message-ID"] = f"<iso-{n}@isolation.test>"
    msg["Date"] = "Thu, 26 Nov 2026 10:15:30 +0900"
    msg.set_content("SHANON CONNECT kintone アダプタで連携エラーが発生しました。\n\n"
                    f"サブドメイン: {tenant}\nジョブ名: 受注連携\n発生日時: 2026/11/26 10:15:03\n"
                    f"エラーコード: {code}\nエラー内容: 入力内容が正しくありません。\n")
    return msg.as_bytes()


def expected_project(config: BotConfig, sender: str, tenant: str) -> str | None:
    """The one customer both sender and key identify (None: ambiguous or unknown, so staff)."""
    matches = [c for c in config.customers if sender in c.alert_senders and tenant in c.alert_keys]
    return matches[0].project if len(matches) == 1 else None


@pytest.fixture(scope="module")
def emu() -> Iterator[BacklogEmulator]:
    stamp = START.timestamp()
    limits = {"read": 10**9, "update": 10**9, "search": 10**9}
    with BacklogEmulator.start(emulator_seed(), limits=limits, clock=lambda: stamp) as emulator:
        yield emulator


def written_projects(emu: BacklogEmulator, since: int) -> set[str]:
    """Project keys of every write (POST/PATCH/DELETE) from the request log, from its form or path."""
    with emu.state.lock:
        by_id = {str(p.id): p.key for p in emu.state.projects.values()}
    out: set[str] = set()
    for r in emu.requests[since:]:
        if r.method not in ("POST", "PATCH", "DELETE"):
            continue
        if r.path.endswith("/issues"):
            out.add(by_id.get(r.form.get("projectId", ["?"])[0], "?"))
        elif "/issues/" in r.path:
            out.add(r.path.split("/issues/")[1].split("/")[0].rsplit("-", 1)[0])
        else:
            out.add("?" + r.path)
    return out


class TestTenantIsolation:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(acme=customer_side, beta=customer_side, sent=mails)
    def test_every_write_goes_to_the_routed_customer_or_staff(
        self, emu: BacklogEmulator, acme: dict[str, object], beta: dict[str, object],
        sent: list[tuple[str, str, str]],
    ) -> None:
        base = load_config(CONFIG_DIR)
        sides = {"ACME": acme, "BETA": beta}
        customers = tuple(replace(c, monitoring=bool(sides[c.project]["monitoring"]),
                                  alert_senders=tuple(sides[c.project]["senders"]),  # type: ignore[arg-type]
                                  alert_keys=tuple(sides[c.project]["keys"]))  # type: ignore[arg-type]
                          for c in base.customers)
        config = replace(base, customers=customers)
        store = StateStore.memory()
        clock = FixedClock(START)
        client = BacklogClient(emu.base_url, emu.api_key, max_retries=0, sleep=lambda _s: None)
        directory = Directory(client)
        service = MonitoringService(config, load_monitoring(CONFIG_DIR / "monitoring.toml"), store,
                                    BacklogWriter(client, store, directory, clock), directory,
                                    config.calendar(), clock, client)
        for n, (sender, tenant, code) in enumerate(sent):
            since = len(emu.requests)
            result = service.handle(FetchedMail(n + 1, 1, "INBOX", kintone(sender, tenant, code, n)))
            routed = expected_project(config, sender, tenant)
            allowed = {STAFF} | ({routed} if routed and config.customer(routed).monitoring else set())
            assert written_projects(emu, since) <= allowed, (sender, tenant, routed)
            if routed is None:
                assert result is Disposition.QUARANTINE
        client.close()
        store.close()
