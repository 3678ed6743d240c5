"""``rebuild-state`` on a space of Backlog's new plan (issue 18 item 4): every ``userId`` is null, so the
bot's own writes are found by its numeric id, and staff and inquirers by their configured entries."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.sandbox import BacklogEmulator, new_plan_seed
from bot.state import StateStore
from tests.e2e.rig import bot_env, cli
from tests.feed.support import StepClock, bot_comments, config_copy, inquiry_data, run_once, staff_issue
from tests.feed.test_new_plan_space import by_mail_and_id


def _ledger(state: Path) -> list[tuple[object, ...]]:
    store = StateStore.open(str(state), dry_run=True)
    try:
        return sorted((e.ref, e.kind, e.hours, e.issue_key) for e in store.ledger())
    finally:
        store.close()


def test_a_wiped_store_is_rebuilt_on_a_space_without_logins(tmp_path: Path) -> None:
    clock = StepClock()
    with BacklogEmulator.start(new_plan_seed(), clock=clock) as emu:
        config = config_copy(tmp_path, by_mail_and_id)
        run_once(emu, tmp_path, config)
        clock.t += 60
        key = str(emu.add_issue_as("yamada", "ACME", "フォームの改修", "入力チェックの追加")["issueKey"])
        run_once(emu, tmp_path, config)
        emu.add_comment_as("sato", staff_issue(emu, key), "/bot estimate 2h")
        clock.t += 60
        run_once(emu, tmp_path, config)
        emu.add_comment_as("yamada", key, "承認します。")
        clock.t += 60
        run_once(emu, tmp_path, config)
        assert len(bot_comments(emu, key, f"hoshu-bot:confirm:{key}:1")) == 1
        before = _ledger(tmp_path / "state.db")
        assert [(kind, hours) for _, kind, hours, _ in before] == [("consume", Decimal(2))]

        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"state.db{suffix}").unlink(missing_ok=True)
        env = {**bot_env(emu, tmp_path / "state.db"), "BOT_CONFIG_DIR": str(config)}
        done = cli(env, "rebuild-state", cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        assert _ledger(tmp_path / "state.db") == before
        assert inquiry_data(tmp_path, key)["registered"] is True  # the inquirer, named by mail address
        clock.t += 60
        run_once(emu, tmp_path, config)  # nothing is written twice after the rebuild
        assert len(bot_comments(emu, key, "hoshu-bot:ack:")) == 1
        assert len(bot_comments(emu, key, f"hoshu-bot:confirm:{key}:1")) == 1
