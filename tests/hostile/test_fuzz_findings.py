"""Inputs the fuzzers found, kept as regressions (issue 8, bad input)."""

from __future__ import annotations

import pytest

from bot.mail.adapters import parse_stamp


class TestFuzzFindings:
    @pytest.mark.parametrize("text", ["2026/11/26 10:15:03 +72:00", "2026-11-26T10:15:03-24:00",
                                      "2026/11/26 10:15:03 +99:99"],
                             ids=["offset of three days", "offset of exactly a day", "offset out of range"])
    def test_a_timestamp_with_an_impossible_offset_is_no_timestamp(self, text: str) -> None:
        """Found by atheris: ``datetime.fromisoformat`` raised ValueError out of ``understand``."""
        assert parse_stamp(text) is None

    def test_a_normal_offset_still_parses(self) -> None:
        stamp = parse_stamp("2026-11-26T01:15:03+00:00")
        assert stamp is not None and stamp.hour == 10
