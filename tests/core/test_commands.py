"""The ``deadline`` and ``quote`` commands through the real CLI entry point (INTERFACE.md)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.state import StateStore


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


class TestDeadlineCommand:
    @pytest.mark.parametrize(
        ("received", "clock_start", "deadline"),
        [
            ("2026-11-20T17:00+09:00", "2026-11-20T17:00:00+09:00", "2026-11-24T17:00:00+09:00"),
            ("2026-11-28T11:00+09:00", "2026-11-30T10:00:00+09:00", "2026-11-30T18:00:00+09:00"),
            ("2026-12-28T17:00+09:00", "2026-12-28T17:00:00+09:00", "2027-01-04T17:00:00+09:00"),
        ],
        ids=["T2-national-holiday-monday", "T2-saturday", "T2-year-end-closure"],
    )
    def test_prints_received_clock_start_and_deadline_with_offset(
        self,
        env: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        received: str,
        clock_start: str,
        deadline: str,
    ) -> None:
        out = run_json(capsys, "deadline", "--received", received)
        assert out == {
            "received": received.replace("00+", "00:00+"),
            "clock_start": clock_start,
            "deadline": deadline,
        }

    def test_business_days_option(self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        """T4: two business days."""
        out = run_json(capsys, "deadline", "--received", "2026-11-20T17:00+09:00", "--business-days", "2")
        assert out["deadline"] == "2026-11-25T17:00:00+09:00"

    def test_text_output_is_friendly(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 0
        assert "2026-11-24T17:00:00+09:00" in capsys.readouterr().out

    @pytest.mark.parametrize("received", ["2026-11-20T17:00", "yesterday"], ids=["naive", "garbage"])
    def test_bad_received_is_exit_2_with_one_line(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], received: str
    ) -> None:
        assert main(["deadline", "--received", received]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "--received" in err


class TestQuoteCommand:
    def test_brochure_example(self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        """H7: 12 h requested, 6 h left in quarter 2026-10-01..2027-01-01 -> buy 6 h for 90,000 yen."""
        out = run_json(
            capsys, "quote", "--customer", "ACME", "--hours", "12", "--at", "2026-11-26T10:00+09:00"
        )
        assert out["customer"] == "ACME"
        assert out["quarter"]["index"] == 2  # zero-based within the contract
        assert (out["quarter"]["start"], out["quarter"]["end"]) == ("2026-10-01", "2027-01-01")
        assert {k: out[k] for k in ("allotment", "purchased", "consumed", "remaining", "requested")} == {
            "allotment": "6",
            "purchased": "0",
            "consumed": "0",
            "remaining": "6",
            "requested": "12",
        }
        assert (out["remaining_after"], out["purchase_needed"], out["purchase_price"]) == ("0", "6", 90000)
        assert [w["rule"] for w in out["warnings"]] == ["H6"]

    def test_t6_warning(self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        out = run_json(
            capsys, "quote", "--customer", "ACME", "--hours", "12", "--at", "2026-11-26T10:00+09:00",
            "--due", "2026-12-01",
        )
        rules = [w["rule"] for w in out["warnings"]]
        assert "T6" in rules
        assert "O7" not in rules  # 12 h is still one job
        assert all(w["text"] for w in out["warnings"])

    def test_over_12h_is_not_quoted_as_one_job(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """O7 (issue 13): 13 h is refused with exit 2 and the split to quote instead."""
        code = main(["quote", "--customer", "ACME", "--hours", "13", "--at", "2026-11-26T10:00+09:00",
                     "--json"])
        err = capsys.readouterr().err
        assert code == 2
        assert "O7" in err and "6.5時間 + 6.5時間" in err

    def test_span_applies_off_hours_multipliers(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """T7: 6 h worked Friday 17:00-23:00 are 1 + 4 x 1.5 + 1 x 2.0 = 9 h."""
        out = run_json(
            capsys,
            "quote",
            "--customer",
            "ACME",
            "--hours",
            "6",
            "--at",
            "2026-11-26T10:00+09:00",
            "--start",
            "2026-11-27T17:00+09:00",
            "--end",
            "2026-11-27T23:00+09:00",
        )
        assert (out["requested"], out["purchase_needed"], out["purchase_price"]) == ("9", "3", 45000)
        assert "T7" in [w["rule"] for w in out["warnings"]]

    def test_at_defaults_to_bot_now(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        env.setenv("BOT_NOW", "2027-01-05T10:00+09:00")
        out = run_json(capsys, "quote", "--customer", "ACME", "--hours", "1")
        assert (out["quarter"]["index"], out["quarter"]["start"]) == (3, "2027-01-01")

    def test_bridge_then_annual_customer(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = run_json(
            capsys, "quote", "--customer", "BETA", "--hours", "1", "--at", "2026-11-26T10:00+09:00"
        )
        assert (out["quarter"]["index"], out["allotment"], out["remaining_after"]) == (0, "9", "8")

    def test_text_output(self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["quote", "--customer", "ACME", "--hours", "12", "--at", "2026-11-26T10:00+09:00"]) == 0
        out = capsys.readouterr().out
        assert "株式会社アクメ" in out
        assert "¥90,000" in out

    @pytest.mark.parametrize(
        ("argv", "needle"),
        [
            (["--customer", "NOPE", "--hours", "1"], "unknown customer"),
            (["--customer", "ACME", "--hours", "0.3"], "H10"),
            (["--customer", "ACME", "--hours", "abc"], "--hours"),
            (
                [
                    "--customer",
                    "ACME",
                    "--hours",
                    "3",
                    "--start",
                    "2026-12-14T10:00+09:00",
                    "--end",
                    "2026-12-14T12:00+09:00",
                ],
                "span",
            ),
            (["--customer", "ACME", "--hours", "1", "--start", "2026-12-14T10:00+09:00"], "--end"),
            (["--customer", "ACME", "--hours", "1", "--due", "12/1"], "--due"),
            (["--customer", "ACME", "--hours", "1", "--at", "2026-03-01T10:00+09:00"], "no contract"),
        ],
        ids=[
            "unknown-customer",
            "H10-step",
            "not-a-number",
            "hours-exceed-span",
            "start-without-end",
            "bad-due",
            "no-contract",
        ],
    )
    def test_bad_usage_is_exit_2_with_one_line(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
    ) -> None:
        at = [] if "--at" in argv else ["--at", "2026-11-26T10:00+09:00"]
        assert main(["quote", *argv, *at]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert needle in err


class TestQuoteReadsTheLedger:
    def test_consumption_recorded_in_the_state_store_is_counted(
        self, tmp_path: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """H7: after 6 h consumed (recorded by the worker), 0.5 h more needs 1 h bought."""
        state = tmp_path / "state.db"
        env.setenv("BOT_STATE_PATH", str(state))
        store = StateStore.open(state, owner=True)
        at = datetime(2026, 11, 2, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
        store.append_ledger(customer="ACME", kind="consume", hours=Decimal(6), at=at, issue_key="ACME-1",
                            who="yamada", why="承認", ref="hoshu-bot:consume:ACME-1:1", now=at)
        store.close()
        assert main(["quote", "--customer", "ACME", "--hours", "0.5", "--at", "2026-11-26T10:00+09:00",
                     "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert (out["consumed"], out["remaining"], out["purchase_needed"]) == ("6", "0", "1")
