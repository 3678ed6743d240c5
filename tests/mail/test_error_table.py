"""Error classification from reference section D: transient (retry) or action (a person decides)."""

from __future__ import annotations

import pytest

from bot.mail.error_table import classify, unwrap

CASES = [
    ("UNABLE_TO_LOCK_ROW", "", "transient"),
    ("INVALID_SESSION_ID", "", "transient"),
    ("SERVER_UNAVAILABLE", "", "transient"),
    ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", "action"),
    ("REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit exceeded.", "transient"),
    ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "", "action"),
    ("REQUIRED_FIELD_MISSING", "", "action"),
    ("INVALID_FIELD", "", "action"),
    ("INSUFFICIENT_ACCESS_OR_READONLY", "", "action"),
    ("CB_VA01", "", "action"),
    ("CB_NO02", "", "action"),
    ("GAIA_CO02", "", "transient"),
    ("GAIA_DA02", "", "transient"),
    ("GAIA_RE18", "", "transient"),
    ("GAIA_TM12", "", "transient"),
    ("GAIA_AP01", "", "action"),
    ("SocketTimeoutException", "", "transient"),
    ("UnknownHostException", "", "transient"),
    ("InputDataNotFoundException", "", "action"),
    ("ClientProtocolException", "", "action"),
    ("SsApiException", "", "action"),
    ("HTTP_503", "", "transient"),
    ("HTTP_429", "", "transient"),
    ("HTTP_401", "", "action"),
    ("HTTP_422", "", "action"),
    ("SOMETHING_NEW", "", "action"),
]


class TestClassify:
    @pytest.mark.parametrize(("code", "message", "expected"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
    def test_class_follows_reference_section_d(self, code: str, message: str, expected: str) -> None:
        assert classify(code, message).error_class == expected

    def test_every_class_comes_with_a_polite_cause_and_next_step(self) -> None:
        for code, message, _ in CASES:
            info = classify(code, message)
            assert info.cause.endswith("。") and info.next_step.endswith("。")


class TestUnwrap:
    @pytest.mark.parametrize(
        ("code", "text", "inner"),
        [
            (
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                "Update failed. UNABLE_TO_LOCK_ROW, unable to ...",
                "UNABLE_TO_LOCK_ROW",
            ),
            ("CANNOT_EXECUTE_FLOW_TRIGGER", "REQUIRED_FIELD_MISSING: Name", "REQUIRED_FIELD_MISSING"),
            ("KintoneResponseStatusException", "CB_VA01 入力内容が正しくありません", "CB_VA01"),
        ],
        ids=["trigger", "flow", "dataspider-kintone"],
    )
    def test_wrapper_is_classified_by_its_inner_code(self, code: str, text: str, inner: str) -> None:
        assert unwrap(code, text) == (inner, code)

    def test_plain_codes_and_wrappers_without_a_known_inner_code_stay(self) -> None:
        assert unwrap("CB_VA01", "GAIA_RE18") == ("CB_VA01", None)
        assert unwrap("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "nothing known") == (
            "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
            None,
        )
