"""Quotes and the rules decided on 2026-12-03 (issue 19 item 8, SERVICE_RULES.md T6 and O7), with the
figures of ``../shared/reviews/2026-12-03-rules.md``: O7 caps the hours consumed after the multipliers;
7 days or fewer before the wished date "may not be accepted"; a wished date already past is not quoted
against; ``remaining_after`` is what is left after the purchase; the quarter's number is one number."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.hour_tracker import Contract, LedgerEntry, QuotePolicy, quote
from bot.rules.calendar import BusinessCalendar
from bot.rules.lead_time import lead_time_findings
from tests.e2e.rig import cli
from tests.support.paths import CONFIG_DIR, ROOT

JST = ZoneInfo("Asia/Tokyo")
ACME = (Contract("annual", date(2026, 4, 1), Decimal(24), 12),)  # 6 h a quarter
AT = datetime(2026, 11, 26, 10, tzinfo=JST)
SATURDAY = (datetime(2026, 12, 19, 10, tzinfo=JST), datetime(2026, 12, 19, 15, tzinfo=JST))  # 5 h, x3


def used(hours: str) -> LedgerEntry:
    return LedgerEntry("ACME", "consume", Decimal(hours), datetime(2026, 10, 5, 12, tzinfo=JST), "ACME-1",
                       "sato", "confirmed", f"r{hours}")


class TestTaskCapAfterMultipliers:
    def test_a_5h_saturday_job_consumes_15h_and_is_over_the_cap(self, cal: BusinessCalendar) -> None:
        """O7 (decided): the cap is on consumed hours; 5 h x 3 = 15 h > 12 h although 5 h of work is not."""
        q = quote(ACME, [], [], AT, Decimal(5), calendar=cal, span=SATURDAY)
        assert (q.worked, q.requested) == (Decimal(5), Decimal(15))
        (cap,) = q.refusals
        assert (cap.rule, cap.case) == ("O7", "task_cap_consumed")
        assert dict(cap.values)["plan"] == "7.5時間 + 7.5時間"
        assert "平日の営業時間内" in cap.reason and "割増後15時間" in cap.reason

    def test_a_4h_saturday_job_consumes_exactly_12h_and_is_one_job(self, cal: BusinessCalendar) -> None:
        span = (SATURDAY[0], SATURDAY[0] + timedelta(hours=4))
        q = quote(ACME, [], [], AT, Decimal(4), calendar=cal, span=span)
        assert q.requested == Decimal(12)
        assert q.refusals == ()
        assert "O7" not in [w.rule for w in q.warnings]

    def test_over_12h_of_weekday_work_keeps_the_plain_split(self) -> None:
        (cap,) = quote(ACME, [], [], AT, Decimal(13)).refusals
        assert (cap.rule, cap.case, dict(cap.values)["plan"]) == ("O7", "task_cap", "6.5時間 + 6.5時間")


class TestLeadTime:
    """T6 (decided): the days before the customer's wished date, today counted as 0."""

    @pytest.mark.parametrize(("days", "case"), [
        (-33, "due_past"), (-1, "due_past"), (0, "due_too_close"), (7, "due_too_close"),
        (8, "due_close"), (20, "due_close"), (21, None),
    ], ids=["33-days-past", "yesterday", "today", "7-days", "8-days", "20-days", "21-days"])
    def test_the_case_by_days_ahead(self, days: int, case: str | None) -> None:
        found = lead_time_findings(AT.date() + timedelta(days=days), AT.date(), 7, 21)
        assert [f.case for f in found] == ([] if case is None else [case])
        assert all(f.rule == "T6" for f in found)

    def test_the_brochure_defaults_are_7_and_21_days(self) -> None:
        assert (QuotePolicy().refuse_days, QuotePolicy().recommended_days) == (7, 21)

    def test_a_past_date_is_not_counted_down_but_stops_the_quote(self) -> None:
        q = quote(ACME, [], [], AT, Decimal(1), due=date(2026, 11, 1))
        (past,) = q.refusals
        assert past.case == "due_past"
        assert "-" not in past.reason and "2026年11月1日" in past.reason
        assert "新しい完了希望日" in past.reason

    def test_seven_days_ahead_may_not_be_accepted(self) -> None:
        (w,) = quote(ACME, [], [], AT, Decimal(1), due=date(2026, 12, 3)).warnings
        assert (w.case, dict(w.values)["days"]) == ("due_too_close", "7")
        assert "お受けできない場合" in w.reason


class TestRemainingAfter:
    @pytest.mark.parametrize(("hours", "spent", "after", "buy"), [
        ("6.5", "0", "0.5", "1"),   # the review: 6.5 h against 6 h left, buy 1 h, 0.5 h is left
        ("12", "0", "0", "6"),      # H7 brochure: 12 h with 6 h left, buy 6 h
        ("0.5", "6", "0.5", "1"),   # H7 brochure: 0.5 h with nothing left, buy 1 h
        ("1.5", "0", "4.5", "0"),   # no purchase: what is left after the work
    ], ids=["review-6.5h", "brochure-12h", "brochure-0.5h", "no-purchase"])
    def test_what_is_left_after_the_work_and_the_purchase(self, hours: str, spent: str, after: str,
                                                          buy: str) -> None:
        entries = [used(spent)] if spent != "0" else []
        q = quote(ACME, [], entries, AT, Decimal(hours))
        assert (q.remaining_after, q.purchase_needed) == (Decimal(after), Decimal(buy))


# ---- through the CLI ------------------------------------------------------------------------------------
@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "IMAP_", "BACKLOG_"))}
    out.update({"BOT_CONFIG_DIR": str(CONFIG_DIR), "BOT_STATE_PATH": str(tmp_path / "state.db"),
                "PYTHONPATH": str(ROOT)})
    return out


def quote_cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    done = cli(env, "quote", "--customer", "ACME", "--at", AT.isoformat(), *args, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


class TestQuoteCommand:
    def test_a_5h_saturday_job_is_refused_with_the_split_and_weekday_work(self, env: dict[str, str],
                                                                          tmp_path: Path) -> None:
        span = ("--start", SATURDAY[0].isoformat(), "--end", SATURDAY[1].isoformat())
        code, out, err = quote_cli(env, tmp_path, "--hours", "5", *span)
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and "O7" in err and "7.5時間 + 7.5時間" in err and "平日" in err
        code, out, _ = quote_cli(env, tmp_path, "--hours", "5", *span, "--json")
        refused = json.loads(out)
        assert code == 2
        assert (refused["quoted"], refused["worked"], refused["requested"], refused["split"]) == (
            False, "5", "15", ["7.5", "7.5"])
        assert [w["rule"] for w in refused["warnings"]] == ["O7"]

    def test_a_past_wished_date_is_said_to_be_past(self, env: dict[str, str], tmp_path: Path) -> None:
        code, out, _ = quote_cli(env, tmp_path, "--hours", "1", "--due", "2026-11-01")
        assert code == 0
        assert "完了希望日まで-" not in out
        assert "⚠ T6: 完了希望日（2026年11月1日）はすでに過ぎています" in out
        _, out, _ = quote_cli(env, tmp_path, "--hours", "1", "--due", "2026-11-01", "--json")
        assert [(w["rule"], w["case"]) for w in json.loads(out)["warnings"]] == [("T6", "due_past")]

    def test_remaining_after_the_purchase_in_json_and_text(self, env: dict[str, str], tmp_path: Path) -> None:
        _, out, _ = quote_cli(env, tmp_path, "--hours", "6.5", "--json")
        figures = json.loads(out)
        left = (figures["remaining"], figures["purchase_needed"], figures["remaining_after"])
        assert left == ("6", "1", "0.5")
        _, text, _ = quote_cli(env, tmp_path, "--hours", "6.5")
        assert "追加購入 purchase needed 1 h" in text and "remaining after the purchase 0.5 h" in text
        assert "-0.5" not in text

    def test_the_quarter_number_is_the_same_in_text_and_json(self, env: dict[str, str],
                                                             tmp_path: Path) -> None:
        _, out, _ = quote_cli(env, tmp_path, "--hours", "1", "--json")
        quarter = json.loads(out)["quarter"]
        assert (quarter["number"], quarter["index"]) == (3, 2)
        _, text, _ = quote_cli(env, tmp_path, "--hours", "1")
        assert "quarter #3 (JSON number 3, index 2 from 0)" in text
