"""``parse-mail FILE.eml --json`` through the real CLI entry point (INTERFACE commands table)."""

from __future__ import annotations

import json
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
