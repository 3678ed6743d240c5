"""The hour ledger as a command (issue 19 item 7), through the CLI on the Backlog emulator.

``ledger --customer KEY`` lists every entry and the quarter balances; ``ledger adjust`` records hours used
outside the bot (negative gives hours back), refuses the same adjustment twice unless ``--again``, and
copies each one to the staff project, from where ``rebuild-state`` restores the same ledger. Quotes,
``status`` and the monthly report count adjustments like any consumption.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import BacklogEmulator
from bot.state import StateStore
from testing.postgres import Cluster
from tests.e2e.rig import bot_env, cli, comment_refs, emulator_clock, writings
from tests.support.postgres import pg_cluster  # noqa: F401 - fixture

OCT_31 = "2026-10-31T18:00:00+09:00"
REASON = "導入前の作業（10月分）"


@pytest.fixture
def emu() -> Iterator[BacklogEmulator]:
    with BacklogEmulator.start(clock=emulator_clock()) as e:
        yield e


@pytest.fixture
def env(emu: BacklogEmulator, tmp_path: Path) -> dict[str, str]:
    return bot_env(emu, tmp_path / "state.db")  # BOT_NOW: Thursday 2026-11-26 10:00 JST


def _ok(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = cli(env, *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _refused(env: dict[str, str], cwd: Path, *args: str) -> str:
    """Exit 2 with exactly one line on stderr, nothing on stdout; the line without the program name."""
    done = cli(env, *args, cwd=cwd)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    return lines[0].removeprefix("hoshu-bot: ")


def _adjust(env: dict[str, str], cwd: Path, hours: str, reason: str = REASON, *more: str) -> str:
    return _ok(env, cwd, "ledger", "adjust", "--customer", "ACME", "--hours", hours, "--reason", reason,
               "--by", "sato", *more)


def _ledger(state: Path | str) -> list[object]:
    store = StateStore.open(state, dry_run=True)
    try:
        return list(store.ledger("ACME"))
    finally:
        store.close()


def _listing(env: dict[str, str], cwd: Path) -> dict[str, object]:
    data = json.loads(_ok(env, cwd, "ledger", "--customer", "ACME", "--json"))
    assert isinstance(data, dict)
    return data


def _current(data: dict[str, object]) -> dict[str, str]:
    quarters = data["quarters"]
    assert isinstance(quarters, list)
    [q] = [q for q in quarters if q["current"]]
    return q  # type: ignore[no-any-return]


class TestAdjustAndList:
    def test_an_adjustment_is_confirmed_listed_and_copied_to_the_staff_project(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        out = _adjust(env, tmp_path, "3", REASON, "--at", OCT_31)
        lines = out.splitlines()
        assert lines[0] == (f'ACME: adjustment #1 recorded: +3 h at 2026-10-31 18:00, reason "{REASON}", '
                            "by sato")
        assert lines[1].startswith("  copied to the staff project: HOSHU-")
        assert lines[2] == ("  quarter 2026-10-01 to 2026-12-31: allotment 6 h + purchased 0 h - consumed 3 h"
                            " = remaining 3 h")
        text = _ok(env, tmp_path, "ledger", "--customer", "ACME")
        assert f"  2026-10-31 18:00  adjustment      +3 h  #1 {REASON}  (by sato)" in text.splitlines()
        assert ("  2026-10-01 to 2026-12-31: allotment 6 h + purchased 0 h - consumed 3 h = remaining 3 h"
                " (this quarter)") in text.splitlines()
        data = _listing(env, tmp_path)
        assert data["entries"] == [{
            "kind": "adjustment", "at": OCT_31, "hours": "3", "issue": None, "title": "", "reason": REASON,
            "who": "sato", "ref": "hoshu-bot:adjust:ACME:1", "number": 1, "copied": True}]
        w = writings(emu)
        assert w.with_prefix("hoshu-bot:adjust") == ["hoshu-bot:adjust:ACME:1", "hoshu-bot:adjustments:ACME"]
        [staff_issue] = [k for k, r in w.issues.items() if r == "hoshu-bot:adjustments:ACME"]
        assert staff_issue.startswith("HOSHU-")  # the staff project: customers cannot see it
        [comment] = w.texts["hoshu-bot:adjust:ACME:1"]
        assert REASON in comment and "3 時間" in comment
        last = comment.strip().splitlines()[-1]
        assert last.startswith("hoshu-bot:adjust:ACME:1;h=3;t=20261031T180000;by=sato;r=")

    def test_a_negative_adjustment_gives_hours_back_and_defaults_to_now(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        _adjust(env, tmp_path, "4", REASON, "--at", OCT_31)
        out = _adjust(env, tmp_path, "-1.5", "ACME-3 の記録の誤り")
        assert out.splitlines()[0] == ('ACME: adjustment #2 recorded: -1.5 h at 2026-11-26 10:00, '
                                       'reason "ACME-3 の記録の誤り", by sato')
        q = _current(_listing(env, tmp_path))
        assert (q["consumed"], q["remaining"]) == ("2.5", "3.5")
        out = json.loads(_adjust(env, tmp_path, "-0.5", "二重の記録", "--json"))
        assert {k: out[k] for k in ("recorded", "number", "hours", "at", "reason", "who")} == {
            "recorded": True, "number": 3, "hours": "-0.5", "at": "2026-11-26T10:00:00+09:00",
            "reason": "二重の記録", "who": "sato"}
        assert out["staff_copy"].startswith("HOSHU-") and out["copied_now"] == ["hoshu-bot:adjust:ACME:3"]
        assert out["quarter"] == {"index": 2, "start": "2026-10-01", "end": "2027-01-01", "allotment": "6",
                                  "purchased": "0", "consumed": "2", "remaining": "4"}

    def test_the_same_adjustment_twice_is_refused_unless_again(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        args = ("ledger", "adjust", "--customer", "ACME", "--hours", "3", "--reason", REASON, "--by", "sato",
                "--at", OCT_31)
        _ok(env, tmp_path, *args)
        line = _refused(env, tmp_path, *args)
        assert line == (f'ACME: the same adjustment (+3 h, "{REASON}") is already recorded as #1 at '
                        "2026-10-31 18:00 by sato; 'hoshu-bot ledger --customer ACME' lists it, and --again "
                        "records a second one")
        assert len(_ledger(Path(env["BOT_STATE_PATH"]))) == 1
        out = _ok(env, tmp_path, *args, "--again")
        assert out.startswith("ACME: adjustment #2 recorded: +3 h")
        assert len(_ledger(Path(env["BOT_STATE_PATH"]))) == 2
        assert writings(emu).with_prefix("hoshu-bot:adjust:") == ["hoshu-bot:adjust:ACME:1",
                                                                  "hoshu-bot:adjust:ACME:2"]


class TestRefused:
    @pytest.mark.parametrize(("more", "line"), [
        (("--hours", "0.3", "--reason", "x"), "--hours: a non-zero multiple of 0.5 h (rule H10), got 0.3"),
        (("--hours", "0", "--reason", "x"), "--hours: a non-zero multiple of 0.5 h (rule H10), got 0"),
        (("--hours", "three", "--reason", "x"), "--hours: not a number: 'three'"),
        (("--hours", "1", "--reason", "  "),
         "--reason: say why (it is shown in the ledger, the staff project and the monthly report)"),
        (("--hours", "1", "--reason", "x", "--at", "2026-12-01T10:00:00+09:00"),
         "--at 2026-12-01T10:00:00+09:00 is after now (2026-11-26T10:00:00+09:00): record hours once they "
         "are used"),
        (("--hours", "1", "--reason", "x", "--at", "2026-10-31T18:00"),
         "--at: needs a UTC offset, e.g. 2026-11-20T17:00+09:00"),
        (("--hours", "1", "--reason", "x", "--at", "2026-03-31T18:00:00+09:00"),
         "no contract covers 2026-03-31"),
        (("--hours", "-1", "--reason", "x"),
         "--hours -1: the quarter 2026-10-01 to 2026-12-31 would have consumed -1 h on 2026-11-26; "
         "only hours consumed before can be given back"),
    ])
    def test_bad_input_is_exit_2_with_one_line_and_writes_nothing(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path, more: tuple[str, ...], line: str
    ) -> None:
        assert _refused(env, tmp_path, "ledger", "adjust", "--customer", "ACME", *more) == line
        assert writings(emu).with_prefix("hoshu-bot:adjust") == []
        assert _ledger(Path(env["BOT_STATE_PATH"])) == []

    def test_an_unknown_customer_and_a_missing_customer(self, env: dict[str, str], tmp_path: Path) -> None:
        assert _refused(env, tmp_path, "ledger", "adjust", "--customer", "ACMEE", "--hours", "1",
                        "--reason", "x") == "unknown customer 'ACMEE' (known: ACME, BETA)"
        assert _refused(env, tmp_path, "ledger", "--customer", "ACMEE") == \
            "unknown customer 'ACMEE' (known: ACME, BETA)"
        assert _refused(env, tmp_path, "ledger") == \
            "ledger: --customer KEY is required (or 'ledger adjust --customer KEY ...')"
        assert "the following arguments are required: --reason" in _refused(
            env, tmp_path, "ledger", "adjust", "--customer", "ACME", "--hours", "1")

    def test_an_empty_store_is_not_adjusted_while_backlog_shows_the_bots_earlier_work(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        _adjust(env, tmp_path, "3", REASON, "--at", OCT_31)
        Path(env["BOT_STATE_PATH"]).unlink()  # the store is lost (a Procfile platform wiped the disk)
        line = _refused(env, tmp_path, "ledger", "adjust", "--customer", "ACME", "--hours", "1",
                        "--reason", "x")
        assert line.startswith(f"state store sqlite {env['BOT_STATE_PATH']} is empty but Backlog shows the "
                               "bot's earlier work")
        assert line.endswith("run 'hoshu-bot rebuild-state' first, then 'ledger adjust' again")


class TestCountedEverywhere:
    def test_quote_status_and_report_count_the_adjustment(self, env: dict[str, str], tmp_path: Path) -> None:
        _adjust(env, tmp_path, "4", REASON, "--at", OCT_31)
        _adjust(env, tmp_path, "-1", "記録の誤り")
        quote = json.loads(_ok(env, tmp_path, "quote", "--customer", "ACME", "--hours", "1", "--json"))
        assert (quote["consumed"], quote["remaining"]) == ("3", "3")
        status = json.loads(cli(env, "status", "--json", cwd=tmp_path).stdout)
        assert status["ledger"]["ACME"]["remaining"] == "3"
        q = _current(_listing(env, tmp_path))
        assert q == {**q, "allotment": "6", "purchased": "0", "consumed": "3", "remaining": "3"}
        october = _ok(env, tmp_path, "report", "--customer", "ACME", "--month", "2026-10", "--dry-run")
        assert f"| - | {REASON} | 調整 | 4 時間 | ×1 | 4 時間 | 2026年10月31日(土) |" in october
        november = _ok(env, tmp_path, "report", "--customer", "ACME", "--month", "2026-11", "--dry-run")
        assert "| - | 記録の誤り | 調整 | -1 時間 | ×1 | -1 時間 | 2026年11月26日(木) |" in november

    def test_the_acknowledgement_of_a_new_inquiry_states_the_hours_with_the_adjustment(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        _ok(env, tmp_path, "run", "--once")  # the first start: the feed's cursor is taken
        _adjust(env, tmp_path, "4.5", REASON, "--at", OCT_31)
        key = str(emu.add_issue_as("yamada", "ACME", "フォームの改修", "入力チェックの追加")["issueKey"])
        _ok(env, tmp_path, "run", "--once")
        [ack] = writings(emu).texts[f"hoshu-bot:ack:{key}"]
        assert "ご利用時間は 4.5 時間、残りは 1.5 時間です。" in ack

    def test_onboarding_before_the_first_run_keeps_the_first_start_and_its_backfill(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        """The README's order: adjust a new store, then the first ``run``; an inquiry already open in
        Backlog is still adopted (backfill) and acknowledged with the adjusted hours."""
        key = str(emu.add_issue_as("yamada", "ACME", "フォームの改修", "入力チェックの追加")["issueKey"])
        _adjust(env, tmp_path, "2", REASON, "--at", OCT_31)
        _ok(env, tmp_path, "run", "--once")
        [ack] = writings(emu).texts[f"hoshu-bot:ack:{key}"]
        assert "ご利用時間は 2 時間、残りは 4 時間です。" in ack

    def test_a_worker_pass_after_an_adjustment_writes_nothing_more_about_it(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        _adjust(env, tmp_path, "3", REASON, "--at", OCT_31)
        before = writings(emu).refs
        _ok(env, tmp_path, "run", "--once")
        after = writings(emu)
        assert after.duplicates() == {}
        assert [r for r in after.refs if r.startswith("hoshu-bot:adjust")] == \
            [r for r in before if r.startswith("hoshu-bot:adjust")]
        assert _current(_listing(env, tmp_path))["consumed"] == "3"


class TestDurable:
    def test_rebuild_state_restores_the_same_ledger(self, env: dict[str, str], tmp_path: Path) -> None:
        state = Path(env["BOT_STATE_PATH"])
        _adjust(env, tmp_path, "4", REASON, "--at", OCT_31)
        _adjust(env, tmp_path, "-1.5", "記録の誤り (ACME-3)")
        before, listed = _ledger(state), _listing(env, tmp_path)
        state.unlink()  # wiped
        out = _ok(env, tmp_path, "rebuild-state")
        assert "  ledger_adjustments: 2" in out.splitlines()
        assert _ledger(state) == before
        assert _listing(env, tmp_path) == listed
        # numbering goes on where it stopped, and the same adjustment is still known as given
        assert _adjust(env, tmp_path, "1", "追加の調整").startswith("ACME: adjustment #3 recorded")
        assert "already recorded as #1" in _refused(
            env, tmp_path, "ledger", "adjust", "--customer", "ACME", "--hours", "4", "--reason", REASON,
            "--at", OCT_31)

    def test_on_postgresql_too(
        self, emu: BacklogEmulator, tmp_path: Path, pg_cluster: Cluster  # noqa: F811 - the fixture
    ) -> None:
        first, second = pg_cluster.database(), pg_cluster.database()
        env = bot_env(emu, tmp_path / "unused.db", DATABASE_URL=first)
        _adjust(env, tmp_path, "4", REASON, "--at", OCT_31)
        _adjust(env, tmp_path, "-0.5", "記録の誤り")
        before, listed = _ledger(first), _listing(env, tmp_path)
        assert _current(listed)["consumed"] == "3.5"
        rebuilt = {**env, "DATABASE_URL": second}  # the store is lost: a new, empty database
        assert "  ledger_adjustments: 2" in _ok(rebuilt, tmp_path, "rebuild-state").splitlines()
        assert _ledger(second) == before
        assert _listing(rebuilt, tmp_path) == listed

    def test_a_copy_that_failed_is_listed_as_such_and_written_by_the_same_command_again(
        self, emu: BacklogEmulator, env: dict[str, str], tmp_path: Path
    ) -> None:
        _adjust(env, tmp_path, "1", "先の調整")  # the staff issue exists
        emu.fail_next(1, "500", path_contains="/comments", method="POST")
        args = ("ledger", "adjust", "--customer", "ACME", "--hours", "3", "--reason", REASON, "--by", "sato",
                "--at", OCT_31)
        done = cli(env, *args, cwd=tmp_path)
        assert done.returncode == 1
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("hoshu-bot: ACME: adjustment #2 is in the ledger but not yet in the staff "
                               "project")
        assert line.endswith("run 'hoshu-bot ledger adjust' for ACME again to copy it")
        text = _ok(env, tmp_path, "ledger", "--customer", "ACME")
        assert f"#2 {REASON} (not yet in the staff project: 'ledger adjust' writes it on its next run)" \
            in text
        assert _current(_listing(env, tmp_path))["consumed"] == "4"  # counted already
        again = _ok(env, tmp_path, *args)
        assert again.splitlines()[0] == (f'ACME: adjustment #2 (+3 h at 2026-10-31 18:00, "{REASON}") was '
                                         "recorded before; nothing new is recorded")
        assert len(_ledger(Path(env["BOT_STATE_PATH"]))) == 2
        w = writings(emu)
        assert w.duplicates() == {}
        [issue] = [k for k, r in w.issues.items() if r == "hoshu-bot:adjustments:ACME"]
        assert comment_refs(emu, issue) == ["hoshu-bot:adjust:ACME:1", "hoshu-bot:adjust:ACME:2"]


class TestBesideTheWorker:
    def test_listing_and_adjusting_work_while_a_worker_holds_the_store(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        owner = StateStore.open(Path(env["BOT_STATE_PATH"]), owner=True)
        try:
            assert owner.lease is not None
            _adjust(env, tmp_path, "2", REASON, "--at", OCT_31)
            assert _current(_listing(env, tmp_path))["consumed"] == "2"
            assert [e.hours for e in owner.ledger("ACME")] == [2]  # the worker sees it at once
        finally:
            owner.close()
