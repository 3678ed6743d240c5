"""``parse-mail FILE.eml --json`` through the real CLI entry point (INTERFACE commands table)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.mail.support import FIXTURES
from tests.support.paths import ROOT

CASES = [
    (
        "kintone_cp50221_nec_ibm",
        {
            "adapter": "kintone",
            "customer": "ACME",
            "error_code": "CB_VA01",
            "error_class": "action",
            "summary": "[監視] kintone ①受注連携（髙﨑）: CB_VA01",  # as the mail wrote it
            "occurred_at": "2026-11-26T10:15:03+09:00",
        },
    ),
    (
        "sf_wrapped_in_trigger",
        {
            "adapter": "salesforce",
            "customer": "ACME",
            "error_code": "UNABLE_TO_LOCK_ROW",
            "error_class": "transient",
            "occurred_at": "2026-11-26T21:30:00+09:00",
        },
    ),
    ("esm_503", {"adapter": "esm", "customer": "ACME", "error_code": "HTTP_503", "error_class": "transient"}),
    (
        "kintone_beta_no_monitoring",
        {"customer": "BETA", "route": {"kind": "no_monitoring", "project": "BETA"}},
    ),
    ("right_key_wrong_sender", {"customer": None, "adapter": "kintone"}),
    (
        "bounce_multipart_report",
        {
            "adapter": None,
            "customer": None,
            "error_code": None,
            "route": {"kind": "ignore", "reason": "delivery status report (bounce)"},
        },
    ),
]


@pytest.fixture(autouse=True)
def _config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_CONFIG_DIR", str(ROOT / "config"))


class TestParseMailCommand:
    @pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
    def test_prints_the_interface_fields_as_json(
        self, name: str, expected: dict[str, object], capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["parse-mail", str(FIXTURES / f"{name}.eml"), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        for key in (
            "adapter",
            "customer",
            "error_code",
            "error_class",
            "fingerprint",
            "subject",
            "occurred_at",
            "summary",
        ):
            assert key in out
        for key, value in expected.items():
            assert out[key] == value, key

    def test_fingerprint_is_a_sha256_and_stable(self, capsys: pytest.CaptureFixture[str]) -> None:
        path = str(FIXTURES / "kintone_utf8_base64.eml")
        main(["parse-mail", path, "--json"])
        first = json.loads(capsys.readouterr().out)["fingerprint"]
        main(["parse-mail", str(FIXTURES / "kintone_crlf_qp.eml"), "--json"])
        assert len(first) == 64 and json.loads(capsys.readouterr().out)["fingerprint"] == first

    def test_missing_file_is_a_usage_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["parse-mail", str(tmp_path / "nope.eml")]) == 2
        assert "cannot read" in capsys.readouterr().err

    def test_text_output_lists_the_fields(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["parse-mail", str(FIXTURES / "esm_503.eml")]) == 0
        assert "error_class: transient" in capsys.readouterr().out


START_AND_ERROR = (
    b"From: adapter@acme.example.jp\nTo: alerts@hoshu.example.jp\nSubject: kintone renkei\n"
    b"Message-ID: <explain-1@x>\nDate: Thu, 26 Nov 2026 10:15:30 +0900\n"
    b"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
    + "実行開始日時: 2026/11/28 02:00:00\n処理名: 受注取込\n発生日時: 2026年11月28日 3時05分10秒\n"
      "サブドメイン acme-corp\n応答：401 Unauthorized\n".encode()
)


class TestExplainAndJson:
    """Issue 21 item 7 (and the first-day review: the snippet pinned 実行開始日時 and always named
    config/monitoring.toml)."""

    def test_explain_pins_the_error_time_line_and_names_the_configured_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = tmp_path / "elsewhere"
        shutil.copytree(ROOT / "config", config)
        monkeypatch.setenv("BOT_CONFIG_DIR", str(config))
        mail = tmp_path / "m.eml"
        mail.write_bytes(START_AND_ERROR)
        assert main(["parse-mail", str(mail), "--explain"]) == 0
        out = capsys.readouterr().out
        assert f"{config / 'monitoring.toml'} に追加してください" in out
        assert "'''^発生日時:" in out and "実行開始日時" not in out.split("[[customer_rule]]")[1]
        assert "エラー発生日時: 2026-11-28T03:05:10+09:00" in out

    def test_json_carries_the_message_and_a_digest_its_alerts(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["parse-mail", str(FIXTURES / "kintone_utf8_base64.eml"), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["message"] == "入力内容が正しくありません。"
        digest = FIXTURES / "public" / "digest_numbered_with_unreadable.eml"
        assert main(["parse-mail", str(digest), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert [(a["entry"], a["error_code"], a["job"]) for a in out["alerts"]] == [
            (1, "CB_VA01", "受注連携"), (2, "GAIA_RE18", "顧客同期")]
        assert out["unreadable_entries"] == [3]
        assert all("message" in a for a in out["alerts"])

    def test_no_time_written_is_null_and_explained(self, capsys: pytest.CaptureFixture[str]) -> None:
        mail = FIXTURES / "public" / "sf_no_time_written.eml"
        assert main(["parse-mail", str(mail), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["occurred_at"] is None and out["mail_date"] is not None
        assert main(["parse-mail", str(mail), "--explain"]) == 0
        assert "受信日時では代用しません" in capsys.readouterr().out
