"""The generic reading piece by piece: code vocabularies, whole-token keys, labels, sources (issue 12)."""

from __future__ import annotations

import tomllib

import pytest

from bot.config.monitoring import MonitoringConfig
from bot.mail.adapters import parse_alert
from bot.mail.decode import parse_message
from bot.mail.explain import explain, rule_snippet
from bot.mail.generic import job_from_subject, named_adapter
from bot.mail.keys import find_key
from bot.mail.pipeline import understand
from bot.mail.vocabulary import candidates, pick, salesforce_codes
from tests.mail.support import CUSTOMERS, monitoring
from tests.support.paths import CONFIG_DIR


def _mail(body: str, subject: str = "連携エラー", frm: str = "adapter@acme.example.jp") -> bytes:
    return (f"From: {frm}\nTo: alerts@hoshu.example.jp\nSubject: {subject}\nMessage-ID: <g@x>\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n").encode()


class TestVocabulary:
    def test_the_documented_salesforce_status_codes_ship_as_data(self) -> None:
        codes = salesforce_codes()
        assert len(codes) > 150
        assert {"ENTITY_IS_LOCKED", "FIELD_INTEGRITY_EXCEPTION", "UNABLE_TO_LOCK_ROW"} <= codes
        assert "ERROR" not in codes

    @pytest.mark.parametrize(("text", "code"), [
        ("HTTP 503 Service Unavailable", "HTTP_503"),
        ("HTTP/1.1 502 Bad Gateway", "HTTP_502"),
        ("status=429", "HTTP_429"),
        ("ステータスコード 503", "HTTP_503"),
        ("HTTPステータス: 401", "HTTP_401"),
        ("エラー: [400] 入力が不正です", "HTTP_400"),
        ('{"status": 500}', "HTTP_500"),
    ])
    def test_http_statuses_in_their_written_forms(self, text: str, code: str) -> None:
        assert pick(candidates(text), "esm") == (code, None)

    def test_a_kintone_code_beats_the_http_status_beside_it(self) -> None:
        found = candidates("エラー: [400] CB_VA01 入力内容が正しくありません")
        assert pick(found, "kintone") == ("CB_VA01", None)

    def test_a_wrapper_yields_the_inner_code(self) -> None:
        text = "ComponentFailedException ... Caused by: java.net.SocketTimeoutException: Read timed out"
        assert pick(candidates(text), "dataspider") == ("SocketTimeoutException", "ComponentFailedException")
        sf = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: caused by: System.DmlException: UNABLE_TO_LOCK_ROW"
        wrapper = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"
        assert pick(candidates(sf), "salesforce") == ("UNABLE_TO_LOCK_ROW", wrapper)

    def test_java_names_with_packages_and_nothing_generic(self) -> None:
        found = [f.code for f in candidates("java.lang.RuntimeException / com.x.y.FooError / Exception")]
        assert found == ["FooError"]

    def test_upper_case_words_outside_the_vocabulary_are_not_codes(self) -> None:
        assert pick(candidates("message_category: ERROR, STATUS: FAILED_BADLY"), "salesforce") is None


class TestKeys:
    @pytest.mark.parametrize(("key", "text", "found"), [
        ("acme-corp", "https://acme-corp.cybozu.com/k/42/", True),
        ("acme-corp", "https://ACME-CORP.cybozu.com/", True),  # host names ignore case
        ("acme-corp", "acme-corporation.cybozu.com", False),
        ("acme-corp", "xacme-corp", False),
        ("acme-corp", "acme-corp-dev.cybozu.com", False),
        ("ACME_", "ACME_受注取込", True),
        ("ACME_", "XACME_esm", False),
        ("00D5g000004ACME", "orgId=00D5g000004ACMEEAQ", True),  # the 18-character form
        ("00D5g000004ACME", "00D5g000004ACMEX", False),
        ("", "anything", False),
    ])
    def test_whole_token_anywhere(self, key: str, text: str, found: bool) -> None:
        assert (find_key(key, text) is not None) is found


class TestLabelsAndNames:
    def test_adapter_names_subject_first_and_dataspider_before_what_it_wraps(self) -> None:
        assert named_adapter("DataSpider: kintone書き込み", "") == "dataspider"
        assert named_adapter("kintone連携", "SMP for Salesforce") == "kintone"
        assert named_adapter("連携エラー", "eSM のAPI") == "esm"
        assert named_adapter("連携エラー", "なし") is None

    def test_job_from_the_subject_without_tags_error_words_or_dates(self) -> None:
        assert job_from_subject("【kintone連携】エラー通知 受注連携 2026/11/26 10:15") == "受注連携"
        assert job_from_subject("[kintone] エラー") is None

    @pytest.mark.parametrize("label", ["ジョブ名", "ジョブ", "処理名", "スクリプト", "Job", "Task",
                                       "Script name"])
    def test_job_label_synonyms_with_full_width_colon(self, label: str) -> None:
        raw = _mail(f"{label}：在庫同期\nエラー：CB_VA01\nacme-corp", subject="kintone")
        alert = parse_alert(parse_message(raw), monitoring(), ("ACME",), ("acme-corp",))
        assert alert is not None
        assert (alert.job, dict(alert.sources)["job"]) == ("在庫同期", "label")

    def test_registered_sender_and_key_but_no_code_is_not_guessed(self) -> None:
        u = understand(_mail("acme-corp kintone 連携で問題が発生しました"), monitoring(), CUSTOMERS)
        assert u.alert is None
        assert getattr(u.route, "kind", None) == "unreadable"


class TestExplain:
    RAW = _mail("アプリ: https://acme-corp.cybozu.com/k/42/\nジョブ: 顧客登録\n"
                "エラー: [400] CB_VA01 不正です", subject="【連携通知】kintone 登録失敗")

    def test_names_the_source_of_each_value(self) -> None:
        text = explain(understand(self.RAW, monitoring(), CUSTOMERS), CUSTOMERS)
        assert "エラーコード: CB_VA01（値の形・語彙）" in text
        assert "テナント: acme-corp（登録済みのキー）" in text
        assert "ジョブ: 顧客登録（見出し語）" in text

    def test_the_snippet_is_valid_config_and_pins_the_layout(self) -> None:
        u = understand(self.RAW, monitoring(), CUSTOMERS)
        snippet = rule_snippet(u, CUSTOMERS)
        assert snippet is not None
        shipped = (CONFIG_DIR / "monitoring.toml").read_text(encoding="utf-8")
        config = MonitoringConfig.model_validate(tomllib.loads(shipped + "\n" + snippet))
        pinned = parse_alert(parse_message(self.RAW), config, ("ACME",))
        assert pinned is not None
        assert (pinned.error_code, pinned.job, pinned.tenant_key) == ("CB_VA01", "顧客登録", "acme-corp")
        assert dict(pinned.sources)["error_code"] == "format:customer_rule:ACME"

    def test_no_snippet_without_an_alert(self) -> None:
        u = understand(_mail("こんにちは"), monitoring(), CUSTOMERS)
        assert rule_snippet(u, CUSTOMERS) is None
