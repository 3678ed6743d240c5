"""Rule tables: estimate minimums (E1-E11, O7, H10), categories (C1-C8), out of scope (O1-O7)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.config.loader import BotConfig
from bot.errors import UsageError
from bot.rules.categories import Category, consumes_hours, normalise, suspect_categories
from bot.rules.estimates import check_estimate, minimum_for
from bot.rules.scope import suspect_out_of_scope


class TestEstimates:
    @pytest.mark.parametrize(
        ("kind", "minimum"),
        [
            ("E1", "0.5"),
            ("E2", "2"),
            ("E3", "1"),
            ("E4", "0.5"),
            ("E5", "1.5"),
            ("E6", "3"),
            ("E7", "2"),
            ("E8", "1.5"),
            ("E9", "1.5"),
            ("E10", "1"),
            ("E11", "3"),
        ],
        ids=[f"E{i}" for i in range(1, 12)],
    )
    def test_minimum_for_each_kind(self, config: BotConfig, kind: str, minimum: str) -> None:
        assert minimum_for(kind, config.service.estimates) == Decimal(minimum)

    @pytest.mark.parametrize(
        ("hours", "kind", "rules"),
        [
            ("3", "E6", []),
            ("2", "E6", ["E6"]),
            ("13", None, ["O7"]),
            ("1.25", None, ["H10"]),
            ("12.5", "E11", ["O7"]),
            ("0.25", "E1", ["E1", "H10"]),
        ],
        ids=[
            "E6-at-minimum",
            "E6-below-minimum",
            "O7-over-12h",
            "H10-not-a-step",
            "O7-with-kind",
            "E1-below-and-H10",
        ],
    )
    def test_check_estimate(self, config: BotConfig, hours: str, kind: str | None, rules: list[str]) -> None:
        found = check_estimate(Decimal(hours), kind, config.service.estimates)
        assert [f.rule for f in found] == rules
        assert all(f.reason for f in found)

    def test_unknown_kind_is_a_usage_error(self, config: BotConfig) -> None:
        with pytest.raises(UsageError, match="E12"):
            config.service.estimates.minimum_for("E12")


class TestCategories:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("キャンペーンのコピー方法を知りたい", "C1"),
            ("シナリオを設定してほしい", "C5"),
            ("SHANON CONNECT 連携エラーがでたので調査し解決してほしい", "C8"),
            ("先月のアクセスログを集計してレポートにしてほしい", "C6"),
            ("社名変更に伴う影響を調べたい、回避方法も", "C4"),
        ],
        ids=["C1-how-to", "C5-setting-proxy", "C8-adapter-error", "C6-report", "C4-impact"],
    )
    def test_brochure_examples_suggest_their_category(
        self, config: BotConfig, text: str, expected: str
    ) -> None:
        found = suspect_categories(text, config.service.categories)
        assert expected in [s.category.id for s in found]

    def test_full_width_text_matches_after_nfkc(self, config: BotConfig) -> None:
        assert normalise("ＱｕｉｃｋＳｉｇｈｔ") == "quicksight"
        found = suspect_categories("ＱｕｉｃｋＳｉｇｈｔで集計", config.service.categories)
        assert found[0].category.id == "C6"

    def test_nothing_matches_plain_thanks(self, config: BotConfig) -> None:
        assert suspect_categories("ありがとうございました", config.service.categories) == ()

    @pytest.mark.parametrize(
        ("cid", "answers", "fix", "consumes"),
        [
            ("C1", False, False, False),
            ("C1", True, False, True),
            ("C2", True, True, False),
            ("C3", False, False, True),
            ("C7", True, True, False),
            ("C8", False, False, False),
            ("C8", False, True, True),
        ],
        ids=[
            "C1-forwarded-free",
            "C1-answered-by-maintenance",
            "C2-never",
            "C3-yes",
            "C7-never",
            "C8-triage-free",
            "C8-fix-consumes",
        ],
    )
    def test_consumes_hours(
        self, config: BotConfig, cid: str, answers: bool, fix: bool, consumes: bool
    ) -> None:
        cat: Category = next(c for c in config.service.categories if c.id == cid)
        assert consumes_hours(cat, maintenance_answers=answers, is_fix=fix) is consumes


class TestOutOfScope:
    @pytest.mark.parametrize(
        ("text", "rule", "channel"),
        [
            ("Google Analyticsのトラッキングコードのカスタマイズ方法を知りたい", "O1", "ベンダー"),
            ("自社でカスタマイズしたテンプレートが崩れたので修正してほしい", "O2", "担当営業"),
            ("SMPリード情報を一括削除してほしい", "O3", "BPO"),
            ("毎月このレポートを作ってください", "O4", "BPO"),
            ("自社サイトにトラッキングコードを埋めてほしい", "O5", "担当営業"),
            ("開発委託したアプリの監視もお願いします", "O6", "個別契約"),
            ("全面リニューアルで40時間ほどの作業です", "O7", "分割"),
        ],
        ids=[
            "O1-other-product",
            "O2-own-template",
            "O3-personal-data",
            "O4-routine",
            "O5-tracking-code",
            "O6-separate-development",
            "O7-over-12h",
        ],
    )
    def test_brochure_examples_are_suspected(
        self, config: BotConfig, text: str, rule: str, channel: str
    ) -> None:
        found = {f.rule: f for f in suspect_out_of_scope(text, config.service.out_of_scope)}
        assert rule in found
        f = found[rule]
        assert channel in f.channel
        assert f.matched
        assert f.matched[0] in f.reason
        assert f.explanation.endswith("ます。")

    def test_an_ordinary_request_is_not_suspected(self, config: BotConfig) -> None:
        assert (
            suspect_out_of_scope("キャンペーンのメール本文を一部修正してほしい", config.service.out_of_scope)
            == ()
        )
