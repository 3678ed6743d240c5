"""The fixture corpus: every trap real mailers produce, each checked field by field (reference A1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.parse_mail import as_json
from bot.mail.pipeline import understand
from tests.mail.support import CUSTOMERS, FIXTURES, generator, load_case, monitoring

CASES = sorted(FIXTURES.glob("*.json"))
ALERT_FIELDS = (
    "adapter",
    "customer",
    "error_code",
    "error_class",
    "job",
    "tenant_key",
    "wrapper",
    "subject",
    "from",
)


class TestCorpus:
    def test_has_at_least_forty_mails_each_with_a_sidecar(self) -> None:
        emls = sorted(p.stem for p in FIXTURES.glob("*.eml"))
        assert len(emls) >= 40
        assert emls == [p.stem for p in CASES]

    def test_generator_is_deterministic_and_matches_the_committed_files(self, tmp_path: Path) -> None:
        generator().main(tmp_path)
        for eml in FIXTURES.glob("*.eml"):
            assert (tmp_path / eml.name).read_bytes() == eml.read_bytes(), eml.name
            assert (tmp_path / f"{eml.stem}.json").read_text() == eml.with_suffix(".json").read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
class TestFixture:
    def test_parses_to_the_expected_alert_field_by_field(self, case: Path) -> None:
        raw, expected = load_case(case)
        got = as_json(understand(raw, monitoring(), CUSTOMERS))
        for field in ALERT_FIELDS:
            if field in expected:
                assert got[field] == expected[field], field
        assert got["route"]["kind"] == expected["route"]
        assert bool(got["defects"]) == expected["defects"], got["defects"]
        if "attachments" in expected:
            assert [[a["name"], a["size"]] for a in got["attachments"]] == expected["attachments"]

    def test_body_keeps_the_characters_mailers_mangle(self, case: Path) -> None:
        raw, expected = load_case(case)
        text = understand(raw, monitoring(), CUSTOMERS).mail.text
        for needle in expected["body_contains"]:
            assert needle in text

    def test_no_replacement_character_unless_broken_on_purpose(self, case: Path) -> None:
        raw, expected = load_case(case)
        mail = understand(raw, monitoring(), CUSTOMERS).mail
        has_fffd = "\ufffd" in mail.subject or "\ufffd" in mail.text
        assert has_fffd == expected["broken"]
