"""Alert numbers instead of fingerprints (issue 20 item 2, INTERFACE 2026-12-03).

A customer reads 検知番号：ACME-A1 on the alert issue and its summaries; the fingerprint lives in the store
and, for rebuild-state, on the staff project's index of numbers. A wiped store gets every alert
reference back from Backlog, and a new group never takes a number a customer has already seen.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.monitoring.numbers import AlertNumbers
from bot.rebuild.restore import Rebuilder
from bot.rebuild.scan import scan_backlog
from bot.state import StateStore
from bot.state.alerts import AlertRecords
from tests.monitoring.conftest import Rig, fixture_mail, variant

pytestmark = pytest.mark.dovecot

ACTION = "kintone_utf8_base64"  # ACME, kintone 受注連携 CB_VA01 (action)
ALERT_KINDS = ("hoshu-bot:alert", "hoshu-bot:alert-update", "hoshu-bot:alert-number")


def _alert_refs(store: StateStore) -> dict[str, str]:
    """The alert references, each with the issue it landed on (a summary written with the description in
    one PATCH is recorded by the issue key, and found again by its comment id: the same write)."""
    refs = {**store.refs_by_kind("issue"), **store.refs_by_kind("comment"),
            **store.refs_by_kind("alert-number")}
    return {r: t.split("#")[0] for r, t in refs.items() if ":".join(r.split(":")[:2]) in ALERT_KINDS}


def test_the_customer_reads_numbers_and_a_wiped_store_gets_every_alert_reference_back(rig: Rig) -> None:
    rig.tick = timedelta(minutes=7)
    rig.append(*(variant(fixture_mail(ACTION), n) for n in range(20)))  # one issue, summaries
    rig.run_once()
    (first,) = rig.issues("ACME")
    rig.emu.update_issue_as("sato", first.key, statusId="4")  # 完了: the next occurrence is generation 2
    rig.clock.advance(timedelta(minutes=30))
    rig.append(variant(fixture_mail(ACTION), 100), variant(fixture_mail(ACTION), 101))
    rig.run_once()
    first, second = rig.issues("ACME")
    texts = [first.description, second.description, *(c.content for c in rig.comments(first.key))]
    assert len(texts) >= 3
    assert all("hoshu-bot:" not in t and not any(len(w) == 64 for w in t.split(":")) for t in texts)
    assert [t.splitlines()[-1] for t in texts[2:]] == [
        f"検知番号：ACME-A1（{c} 回目までのご報告）" for c in
        [int(t.splitlines()[-1].split("（")[1].split(" ")[0]) for t in texts[2:]]]
    before = _alert_refs(rig.store)
    assert len([r for r in before if r.startswith("hoshu-bot:alert-number:")]) == 2

    fresh = StateStore.memory()
    scan = scan_backlog(rig.bot.client, rig.bot.config)
    rebuilt = Rebuilder(rig.bot.config, fresh, scan, rig.clock()).run(0)

    assert rebuilt["warnings"] == []
    assert _alert_refs(fresh) == before  # issues, summaries and numbers: every reference exactly
    groups = {(g.fingerprint, g.generation): g.issue_key for g in AlertRecords(fresh).groups()}
    assert groups == {(g.fingerprint, g.generation): g.issue_key for g in AlertRecords(rig.store).groups()}
    assert AlertNumbers(rig.bot.config, fresh, rig.bot.service.writer)._next("ACME") == 3


def test_a_number_is_recorded_before_the_issue_so_a_crash_reuses_it(rig: Rig) -> None:
    """The store has the number and the staff index has its line before the customer's issue exists."""
    service = rig.bot.service
    n = service.numbers.number("ACME", "f" * 64, 1, "[監視] テスト", rig.clock())
    assert n == service.numbers.number("ACME", "f" * 64, 1, "[監視] テスト", rig.clock()) == 1
    assert service.numbers.number("ACME", "e" * 64, 1, "[監視] 別件", rig.clock()) == 2
    assert service.numbers.number("BETA", "f" * 64, 1, "[監視] テスト", rig.clock()) == 1  # per customer
    assert [line.split(";")[0] for line in rig.numbered()] == [
        "hoshu-bot:alert-indexed:ACME:1", "hoshu-bot:alert-indexed:ACME:2", "hoshu-bot:alert-indexed:BETA:1"]
    assert rig.issues("ACME") == []
