"""The second corpus: layouts no shipped format was written for, read by the generic reading (issue 12).

Every mail is checked for adapter, customer, error code and class (and job, tenant, wrapper, staff kind
where its sidecar names them). The old parser, which needed the labels of ``monitoring.toml``, sent 35
of these 36 mails to staff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.parse_mail import as_json
from bot.mail.adapters import parse_format
from bot.mail.decode import parse_message
from bot.mail.pipeline import understand
from tests.mail.support import CUSTOMERS, FIXTURES, generator, load_case, monitoring

LAYOUTS = FIXTURES / "layouts"
CASES = sorted(LAYOUTS.glob("*.json"))
FIELDS = ("adapter", "customer", "error_code", "error_class", "job", "tenant_key", "wrapper", "from")


class TestLayoutCorpus:
    def test_has_at_least_thirty_mails_each_with_a_sidecar(self) -> None:
        emls = sorted(p.stem for p in LAYOUTS.glob("*.eml"))
        assert len(emls) >= 30
        assert emls == [p.stem for p in CASES]

    def test_generator_is_deterministic_and_matches_the_committed_files(self, tmp_path: Path) -> None:
        generator(LAYOUTS).main(tmp_path)
        for eml in LAYOUTS.glob("*.eml"):
            assert (tmp_path / eml.name).read_bytes() == eml.read_bytes(), eml.name
            assert (tmp_path / f"{eml.stem}.json").read_text() == eml.with_suffix(".json").read_text()

    def test_most_layouts_are_beyond_what_the_shipped_formats_read_alone(self) -> None:
        """The corpus tests the generic reading: the formats alone give the expected code for few mails."""
        by_format = 0
        for case in CASES:
            raw, want = load_case(case)
            pinned = parse_format(parse_message(raw), monitoring(), ("ACME", "BETA"))
            by_format += pinned is not None and pinned.error_code == want["error_code"]
        assert by_format <= len(CASES) // 3, by_format


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_reads_adapter_customer_code_and_class(case: Path) -> None:
    raw, want = load_case(case)
    got = as_json(understand(raw, monitoring(), CUSTOMERS))
    for field in FIELDS:
        if field in want:
            assert got[field] == want[field], field
    assert got["route"]["kind"] == want["route"]
    if "staff_kind" in want:
        assert got["route"]["staff_kind"] == want["staff_kind"]
    text = understand(raw, monitoring(), CUSTOMERS).mail.text
    for needle in want.get("body_contains", []):
        assert needle in text
