"""The alert issue text (M2, M3, C8): summary, polite description, masked and neutralised excerpt."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.mail.error_table import classify
from bot.mail.mask import EMAIL_MASK, PHONE_MASK, mask
from bot.mail.message import Alert
from bot.mail.pipeline import summary, understand
from bot.monitoring.triage import Occurrences, title, triage
from bot.wording import Wording
from tests.mail.support import CUSTOMERS, FIXTURES, monitoring

T = datetime(2026, 11, 26, 1, 15, tzinfo=ZoneInfo("UTC"))
SEEN = Occurrences(3, T, T)


def _triage(name: str):  # type: ignore[no-untyped-def]
    u = understand((FIXTURES / f"{name}.eml").read_bytes(), monitoring(), CUSTOMERS)
    assert u.alert is not None and u.info is not None and u.label is not None
    return triage(Wording.packaged().voice("ACME"), u.alert, u.mail, u.info, u.label, SEEN)


class TestSummary:
    def test_names_adapter_job_and_code(self) -> None:
        alert = Alert("kintone", "acme-corp", "受注連携", "CB_VA01", "", None, "s")
        assert summary("kintone", alert) == "[監視] kintone 受注連携: CB_VA01"

    def test_the_issue_title_comes_from_its_template(self) -> None:
        """issue 15: the triage's title is ``customer/alert_title``, the same words as before."""
        alert = Alert("kintone", "acme-corp", "受注連携", "CB_VA01", "", None, "s")
        assert title(Wording.packaged().voice("ACME"), "kintone", alert) == summary("kintone", alert)

    def test_is_fitted_to_255_and_has_no_4byte_characters(self) -> None:
        alert = Alert("kintone", None, "𠮷" * 400, "CB_VA01", "", None, "s")
        s = summary("kintone", alert)
        assert len(s) <= 255
        assert all(ord(ch) <= 0xFFFF for ch in s)


class TestDescription:
    @pytest.mark.parametrize("rule", ["markdown", "backlog"])
    def test_is_polite_and_states_when_how_often_class_cause_and_who_decides(self, rule: str) -> None:
        text = _triage("kintone_utf8_base64").description(rule)  # type: ignore[arg-type]
        assert "お知らせいたします" in text
        assert "2026年11月26日" in text and "10:15" in text
        assert "3回" in text
        assert "対応が必要なエラー" in text
        assert "入力内容が正しくありません" in text
        assert "お客様にご判断いただき" in text and "保守時間を消化いたします" in text

    @pytest.mark.parametrize("rule", ["markdown", "backlog"])
    def test_excerpt_masks_contacts_and_neutralises_mentions_and_references(self, rule: str) -> None:
        text = _triage("mention_and_notation_injection").description(rule)  # type: ignore[arg-type]
        assert "<@sato>" not in text
        assert "yamada@acme.example.jp" not in text and "03-1234-5678" not in text
        assert EMAIL_MASK in text and PHONE_MASK in text
        assert "hoshu-bot:ack:ACME-1" not in text

    def test_four_byte_characters_never_reach_the_text(self) -> None:
        text = _triage("four_byte_characters").description("markdown")
        assert all(ord(ch) <= 0xFFFF for ch in text)

    def test_transient_errors_say_a_retry_is_expected(self) -> None:
        t = _triage("sf_lock_row_qp")
        assert "一時的なエラー" in t.description("markdown")
        assert classify("UNABLE_TO_LOCK_ROW").error_class == "transient"


class TestMask:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("連絡先 yamada@acme.example.jp まで", f"連絡先 {EMAIL_MASK} まで"),
            ("TEL 03-1234-5678", f"TEL {PHONE_MASK}"),
            ("携帯 090-1234-5678", f"携帯 {PHONE_MASK}"),
            ("+81 3 1234 5678", PHONE_MASK),
            ("発生日時 2026/11/26 10:15:03", "発生日時 2026/11/26 10:15:03"),
            ("組織ID 00D5g000004ACME", "組織ID 00D5g000004ACME"),
        ],
        ids=["email", "landline", "mobile", "international", "date untouched", "org id untouched"],
    )
    def test_masks_contacts_only(self, text: str, expected: str) -> None:
        assert mask(text) == expected


class TestOriginalTextIsShown:
    def test_the_job_keys_the_fingerprint_normalised_but_is_shown_as_written(self) -> None:
        """A: matching runs on the NFKC copy (① → 1), people read the original (① ㈱ 髙 and （）)."""
        u = understand((FIXTURES / "kintone_cp50221_nec_ibm.eml").read_bytes(), monitoring(), CUSTOMERS)
        assert u.alert is not None
        assert u.alert.job == "1受注連携(髙﨑)"
        assert u.alert.shown_job == "①受注連携（髙﨑）"
        assert u.summary == "[監視] kintone ①受注連携（髙﨑）: CB_VA01"
        same_job_other_width = understand(
            (FIXTURES / "kintone_shift_jis_label_cp932.eml").read_bytes(), monitoring(), CUSTOMERS
        )
        assert same_job_other_width.fingerprint == u.fingerprint
