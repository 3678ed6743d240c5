"""Issue 18 through the worker: ``python -m bot run --once`` against the emulator, pass after pass.

The review's refusals that begin with 承認 move no hours and tell the customer nothing; staff get one note
each and record the answer with ``/bot approve`` on the staff issue; only then are the hours consumed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from tests.e2e.rig import bot_env, cli, comment_refs, emulator_clock

REFUSALS = ["承認いたしかねます。社内で再検討いたします。", "承認できかねます", "承認は来週になります",
            "承認者に確認いたします"]


def _once(env: dict[str, str], cwd: Path) -> None:
    done = cli(env, "run", "--once", cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]


def _consumed(state: Path) -> Decimal:
    store = StateStore.open(str(state), dry_run=True)
    try:
        return sum((e.hours for e in store.ledger("ACME") if e.kind == "consume"), Decimal(0))
    finally:
        store.close()


def _staff_issue(emu: BacklogEmulator, key: str) -> str:
    """The staff issue of ``key``: its title starts with ``[ACME-1]``."""
    with emu.state.lock:
        (staff,) = [f"{emu.state.projects[i.project_id].key}-{i.key_id}" for i in emu.state.issues.values()
                    if i.summary.startswith(f"[{key}]")]
    return staff


def test_refusals_reach_staff_and_only_a_staff_approval_consumes(tmp_path: Path) -> None:
    with BacklogEmulator.start(clock=emulator_clock()) as emu:
        state = tmp_path / "var" / "state.db"
        env = bot_env(emu, state)
        _once(env, tmp_path)  # first start: the store is created, the feed's cursor taken
        key = str(emu.add_issue_as("yamada", "ACME", "フォームの改修", "入力チェックの追加")["issueKey"])
        _once(env, tmp_path)
        staff = _staff_issue(emu, key)
        emu.add_comment_as("sato", staff, "/bot estimate 2h")
        _once(env, tmp_path)
        assert f"hoshu-bot:quote:{key}:1" in comment_refs(emu, key)
        customer_refs = comment_refs(emu, key)
        for reply in REFUSALS:
            emu.add_comment_as("yamada", key, reply)
        _once(env, tmp_path)
        _once(env, tmp_path)
        assert _consumed(state) == 0
        assert comment_refs(emu, key) == customer_refs  # nothing said to the customer
        notes = [r for r in comment_refs(emu, staff) if r.startswith(f"hoshu-bot:unclear:{key}:")]
        assert len(notes) == len(REFUSALS) == len(set(notes))
        emu.add_comment_as("sato", staff, "/bot approve お電話で承認を確認")
        _once(env, tmp_path)
        _once(env, tmp_path)
        assert _consumed(state) == 2
        assert comment_refs(emu, key).count(f"hoshu-bot:confirm:{key}:1") == 1
