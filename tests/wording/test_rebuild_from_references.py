"""rebuild-state with the slimmer texts (issue 15): the ledger, quotes and references come back exactly
from the one reference line each text carries (hours after T7, multiplier, instant, who; quote hours and
kind), including an off-hours quote (×3), a purchase, a consumption without quote and a pending quote."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.backlog.refs import is_reference
from bot.clock import FixedClock
from bot.config.loader import load_config
from bot.inquiry.watcher import newest_id
from bot.rebuild.restore import Rebuilder
from bot.rebuild.scan import scan_backlog
from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from bot.state.inquiries import InquiryRecords
from tests.inquiry_flow.harness import Flow, jst, start_emulator
from tests.support.paths import CONFIG_DIR


@pytest.fixture
def flow() -> Iterator[Flow]:
    clock = FixedClock(jst(2026, 11, 30, 11))
    emu: BacklogEmulator
    with start_emulator(clock) as emu:
        yield Flow(emu, clock)


def _ledger(store: StateStore) -> list[tuple[object, ...]]:
    return sorted((e.ref, e.customer, e.kind, e.hours, e.at, e.issue_key, e.who, e.multiplier)
                  for e in store.ledger())


def test_a_wiped_store_is_rebuilt_exactly_from_the_reference_lines(flow: Flow) -> None:
    saturday = flow.ask("土曜の設定変更")
    flow.poll()
    flow.staff_says(saturday, "/bot schedule 2026-12-19 10:00-13:00\n/bot estimate 3h E6")
    flow.poll()
    flow.at(jst(2026, 11, 30, 11, 5)).say("yamada", saturday, "承認します")
    flow.poll()  # 9 h > 6 h left: held until the purchase (H7)
    flow.at(jst(2026, 11, 30, 11, 20)).staff_says(saturday, "/bot purchase 4h")
    flow.poll()
    quick = flow.ask("基本機能の質問")
    flow.poll()
    flow.at(jst(2026, 11, 30, 13, 7)).staff_says(quick, "/bot consume 0.5h 基本機能の回答")
    flow.poll()
    pending = flow.ask("調査のお願い")
    flow.poll()
    flow.at(jst(2026, 11, 30, 14)).staff_says(pending, "/bot estimate 2h E3")
    flow.poll()

    ledger = _ledger(flow.store)
    assert {(e[2], e[3], e[7]) for e in ledger} >= {
        ("consume", 9, 3), ("purchase", 4, 1), ("consume", Decimal("0.5"), 1)}
    for key in (saturday, quick, pending):
        for text in (t for t in flow.comments(key) if t.strip()):  # a field-only update leaves an empty one
            # issue 20 item 2: one document number, no machine syntax (the data is on the staff issue)
            assert sum(is_reference(line) for line in text.splitlines()) == 1, text
            assert "hoshu-bot:" not in text and ";h=" not in text, text
    refs = {kind: flow.store.refs_by_kind(kind) for kind in ("comment", "issue")}
    quotes = {k: InquiryRecords(flow.store).get(k).data.get("quote") for k in (saturday, pending)}  # type: ignore[union-attr]

    fresh = StateStore.memory()
    scan = scan_backlog(flow.client, flow.config)
    Rebuilder(flow.config, fresh, scan, flow.clock()).run(newest_id(flow.client))

    assert _ledger(fresh) == ledger
    rebuilt = {k: InquiryRecords(fresh).get(k).data.get("quote") for k in (saturday, pending)}  # type: ignore[union-attr]
    assert rebuilt == quotes
    assert rebuilt[pending]["state"] == "pending" and rebuilt[pending]["kind"] == "E3"  # type: ignore[index]
    assert rebuilt[saturday]["requested"] == "9" and rebuilt[saturday]["state"] == "approved"  # type: ignore[index]
    for kind, known in refs.items():
        assert set(known) <= set(fresh.refs_by_kind(kind)), kind


def test_an_edited_closing_line_is_in_the_next_acknowledgement(tmp_path: Path) -> None:
    """The vendor edits ``customer/ack.j2``: the next acknowledgement the bot posts says the new words."""
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    ack = config_dir / "templates" / "customer" / "ack.j2"
    ack.write_text(ack.read_text(encoding="utf-8").replace(
        '{% include "_closing.j2" %}', "今後ともどうぞよろしくお願い申し上げます。"), encoding="utf-8")
    clock = FixedClock(jst(2026, 11, 30, 11))
    with start_emulator(clock) as emu:
        flow = Flow(emu, clock, load_config(config_dir))
        key = flow.ask("ログインできません")
        flow.poll()
        (text,) = flow.bot_comments_with(key, f"hoshu-bot:ack:{key}")
        assert "今後ともどうぞよろしくお願い申し上げます。" in text
        assert "今後ともよろしくお願いいたします。" not in text
