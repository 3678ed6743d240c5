"""Configuration: the shipped files load; each defect is exit 2 with one line naming file, field, problem."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config.loader import BotConfig, load_config
from bot.errors import ConfigError, UsageError
from tests.core.conftest import CONFIG_DIR

BETA_ANNUAL = 'kind = "annual"\nstart = 2026-11-01\nhours = 36\nmonths = 12\n'
PURCHASE = "\n[[customer.purchase]]\ndate = 2026-05-10\nhours = {}\n"
ACME_END = 'months = 12\n\n[[customer]]\nproject = "BETA"'

# (file, old text, new text, expected field, words expected in the problem)
DEFECTS = [
    ("customers.toml", "start = 2026-04-01", "start = 2026-02-30", "line", "date"),
    ("customers.toml", "start = 2026-04-01", 'start = "2026-13-01"', "customer[0].contract[0].start", "date"),
    ("customers.toml", "hours = 24\n", "hours = 30\n", "customer[0].contract[0].hours", "H1"),
    ("customers.toml", "hours = 6 ", "hours = 7 ", "customer[1].contract[0].hours", "H2"),
    (
        "customers.toml",
        ACME_END,
        ACME_END.replace("12\n", "12\n" + PURCHASE.format(-1)),
        "customer[0].purchase[0].hours",
        "greater than 0",
    ),
    (
        "customers.toml",
        ACME_END,
        ACME_END.replace("12\n", "12\n" + PURCHASE.format(0)),
        "customer[0].purchase[0].hours",
        "greater than 0",
    ),
    (
        "customers.toml",
        ACME_END,
        ACME_END.replace("12\n", "12\n" + PURCHASE.format(1.5)),
        "customer[0].purchase[0].hours",
        "H6",
    ),
    (
        "customers.toml",
        ACME_END,
        ACME_END.replace("12\n", "12\n" + PURCHASE.replace("2026-05-10", "2025-05-10").format(1)),
        "customer[0].purchase[0].date",
        "contract",
    ),
    ("customers.toml", 'project = "BETA"', 'project = "ACME"', "customer[1].project", "duplicate"),
    ("customers.toml", "start = 2026-11-01", "start = 2026-12-01", "customer[1].contract[1].start", "gap"),
    (
        "customers.toml",
        "start = 2026-11-01",
        "start = 2026-10-01",
        "customer[1].contract[1].start",
        "overlap",
    ),
    (
        "customers.toml",
        BETA_ANNUAL,
        'kind = "bridge"\nstart = 2026-11-01\nhours = 6\nmonths = 3\n\n[[customer.contract]]\n'
        + BETA_ANNUAL.replace("2026-11-01", "2027-02-01"),
        "customer[1].contract[1].months",
        "at most 6 months",
    ),
    (
        "customers.toml",
        "[[customer.contract]]\n" + BETA_ANNUAL,
        "",
        "customer[1].contract[0].kind",
        "followed by an annual",
    ),
    (
        "customers.toml",
        "months = 12\n\n[[customer]]",
        "months = 6\n\n[[customer]]",
        "customer[0].contract[0].months",
        "12 months",
    ),
    ("customers.toml", "months = 6\n", "months = 4\n", "customer[1].contract[0].months", "3 or 6"),
    ("customers.toml", 'kind = "annual"', 'kind = "yearly"', "customer[0].contract[0].kind", "annual"),
    (
        "customers.toml",
        "hours = 24\n",
        "hours = 24\nprice = 400000\n",
        "customer[0].contract[0].price",
        "custom",
    ),
    ("service.toml", 'opening = "10:00"', 'opening = "10am"', "business_hours.opening", "HH:MM"),
    (
        "service.toml",
        'timezone = "Asia/Tokyo"',
        'timezone = "Mars/Olympus"',
        "business_hours.timezone",
        "zone",
    ),
    ("estimates.toml", "minimum = 3\n", 'minimum = "lots"\n', "kind[5].minimum", "number"),
    ("categories.toml", 'consumes = "no"', 'consumes = "maybe"', "category[1].consumes", "yes"),
]
IDS = [
    "bad-date-toml",
    "bad-date-string",
    "H1-unknown-annual-size",
    "H2-unknown-bridge-size",
    "H6-negative-purchase",
    "H6-zero-purchase",
    "H6-fractional-purchase",
    "H6-purchase-outside-contract",
    "duplicate-project",
    "H3-gap",
    "H3-overlap",
    "H2-bridge-over-6-months",
    "H2-bridge-not-followed",
    "H1-annual-months",
    "H2-bridge-months",
    "unknown-kind",
    "H1-price-only-for-custom",
    "bad-opening",
    "bad-timezone",
    "bad-estimate",
    "bad-consumes",
]


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_CONFIG_DIR", str(target))
    monkeypatch.delenv("BOT_NOW", raising=False)
    return target


class TestShippedConfig:
    def test_example_customers(self, config: BotConfig) -> None:
        acme, beta = config.customers
        assert (acme.project, acme.name, acme.monitoring, acme.inquirers) == (
            "ACME",
            "株式会社アクメ",
            True,
            ("yamada",),
        )
        assert acme.alert_keys == ("00D5g000004ACME", "acme-corp", "ACME_")
        assert [(c.kind, c.hours, c.months) for c in beta.contracts] == [
            ("bridge", Decimal(6), 6),
            ("annual", Decimal(36), 12),
        ]
        assert config.customer("BETA") is beta

    def test_unknown_customer_is_a_usage_error(self, config: BotConfig) -> None:
        with pytest.raises(UsageError, match="known: ACME, BETA"):
            config.customer("GAMMA")

    def test_service_values_from_the_brochure(self, config: BotConfig) -> None:
        s = config.service
        assert (s.staff.project, s.staff.users, s.staff.bot_user) == (
            "HOSHU",
            ("sato", "suzuki"),
            "hoshu-bot",
        )
        assert s.workflow.approval_sentences[0] == "承認します。"
        assert s.workflow.decline_sentences[0] == "見送ります。"
        assert "ただし" in s.workflow.not_an_answer and "承認" in s.workflow.answer_words
        assert s.workflow.waiting_status_names == ("お客様確認待ち",)
        assert s.spot.price_per_hour == 15000
        assert (s.plans.annual[0].hours, s.plans.annual[0].price) == (Decimal(24), 375000)
        assert [(p.hours, p.price) for p in s.plans.bridge][-1] == (Decimal(24), 318750)
        assert (s.sla.first_response_business_days, s.sla.result_within_business_days) == (1, 2)
        assert s.sla.reminder_at == Decimal("0.75")
        assert s.quarter_end.notice_business_days == 10
        assert s.quarter_end.usage_thresholds == (80, 100)
        assert [k.id for k in s.estimates.kinds] == [f"E{i}" for i in range(1, 12)]
        assert [c.id for c in s.categories] == [f"C{i}" for i in range(1, 9)]
        assert [r.id for r in s.out_of_scope] == [f"O{i}" for i in range(1, 8)]
        assert config.calendar().verified_through == 2027

    def test_custom_plan_of_100_hours_or_more_may_carry_a_price(self, broken: Path) -> None:
        path = broken / "customers.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("hours = 24\n", "hours = 120\nprice = 1500000\n"),
            encoding="utf-8",
        )
        acme = load_config(broken).customer("ACME")
        assert (acme.contracts[0].hours, acme.contracts[0].price, acme.contracts[0].allotment) == (
            Decimal(120),
            1500000,
            Decimal(30),
        )


class TestBadConfig:
    @pytest.mark.parametrize(("file", "old", "new", "field", "problem"), DEFECTS, ids=IDS)
    def test_each_defect_is_exit_2_with_one_line(
        self,
        broken: Path,
        capsys: pytest.CaptureFixture[str],
        file: str,
        old: str,
        new: str,
        field: str,
        problem: str,
    ) -> None:
        path = broken / file
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            load_config(broken)
        assert info.value.field.startswith(field)
        assert problem.lower() in info.value.problem.lower()
        code = main(["quote", "--customer", "ACME", "--hours", "1", "--at", "2026-11-26T10:00+09:00"])
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1
        assert file in err
        assert field in err
        assert "Traceback" not in err

    def test_deadline_fails_the_same_way(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = broken / "customers.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("hours = 24\n", "hours = 30\n"), encoding="utf-8"
        )
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 2
        assert "customer[0].contract[0].hours" in capsys.readouterr().err

    def test_missing_file(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        (broken / "service.toml").unlink()
        assert main(["deadline", "--received", "2026-11-20T17:00+09:00"]) == 2
        err = capsys.readouterr().err
        assert "service.toml" in err
        assert "not found" in err


class TestStaffUsers:
    """Issue 18 item 4: staff users and the bot's user are named by login, mail address or id:123, and a
    malformed entry is refused when service.toml is read (exit 2 naming the file and field)."""

    def test_the_three_forms_are_accepted(self) -> None:
        from bot.config.service import Staff  # noqa: PLC0415

        assert Staff(users=("sato", "sato@example.com", "id:1002"), bot_user="id:1000").users[2] == "id:1002"

    @pytest.mark.parametrize("entry", ["id:x", "id:", "sa to"])
    def test_a_malformed_entry_is_refused(self, entry: str) -> None:
        from pydantic import ValidationError  # noqa: PLC0415

        from bot.config.service import Staff  # noqa: PLC0415

        with pytest.raises(ValidationError):
            Staff(users=(entry,))
