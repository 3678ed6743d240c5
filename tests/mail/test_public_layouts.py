"""The third corpus: mails written from public examples, each field read right (issue 21 items 1-8).

Salesforce's own Apex exception and flow fault mails, kintone REST error bodies, DataSpider traces,
eセールスマネージャー notices, a forwarded mail, digests, English-only and Shift_JIS half-width kana mails
(``tests/fixtures/mail/public/README.md`` names the source of each). Every sidecar field is checked:
route, adapter, code, class, job, tenant, wrapper, the error's own time (null when the mail wrote none),
the message, the fields a format left empty, and for a digest every entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.commands.parse_mail import as_json
from bot.mail.pipeline import understand
from tests.mail.support import CUSTOMERS, FIXTURES, generator, load_case, monitoring

PUBLIC = FIXTURES / "public"
CASES = sorted(PUBLIC.glob("*.json"))
FIELDS = ("adapter", "customer", "error_code", "error_class", "job", "tenant_key", "wrapper", "from",
          "occurred_at", "unreadable_entries")


def read(case: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    raw, want = load_case(case)
    return as_json(understand(raw, monitoring(), CUSTOMERS)), want


class TestPublicCorpus:
    def test_has_at_least_thirty_mails_each_with_a_sidecar_and_a_named_source(self) -> None:
        emls = sorted(p.stem for p in PUBLIC.glob("*.eml"))
        assert len(emls) >= 30
        assert emls == [p.stem for p in CASES]
        readme = (PUBLIC / "README.md").read_text(encoding="utf-8")
        assert [name for name in emls if f"`{name}`" not in readme] == []

    def test_generator_is_deterministic_and_matches_the_committed_files(self, tmp_path: Path) -> None:
        generator(PUBLIC).main(tmp_path)
        for eml in PUBLIC.glob("*.eml"):
            assert (tmp_path / eml.name).read_bytes() == eml.read_bytes(), eml.name
            assert (tmp_path / f"{eml.stem}.json").read_text() == eml.with_suffix(".json").read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_every_field_is_read_right(case: Path) -> None:
    got, want = read(case)
    assert got["route"]["kind"] == want["route"]
    if "staff_kind" in want:
        assert got["route"]["staff_kind"] == want["staff_kind"]
    for field in FIELDS:
        if field in want:
            assert got[field] == want[field], field
    if "message_contains" in want:
        assert want["message_contains"] in got["message"]
    if "filled" in want:
        assert got["filled"] == want["filled"]
    if want["error_code"] is not None:
        assert want["error_code"].removeprefix("HTTP_") not in (got["job"] or ""), "never in the job"
    text = understand(load_case(case)[0], monitoring(), CUSTOMERS).mail.text
    for needle in want.get("body_contains", []):
        assert needle in text


@pytest.mark.parametrize("case", [c for c in CASES if "alerts" in load_case(c)[1]],
                         ids=lambda c: c.stem)
def test_a_digest_is_one_alert_per_listed_error(case: Path) -> None:
    got, want = read(case)
    fields = ("job", "error_code", "error_class", "occurred_at")
    assert [{f: a[f] for f in fields} for a in got["alerts"]] == want["alerts"]
    fingerprints = [a["fingerprint"] for a in got["alerts"]]
    distinct = len(set(fingerprints))
    assert distinct == (1 if want.get("same_fingerprint") else len(want["alerts"])), fingerprints
    assert got["fingerprint"] == fingerprints[0], "the top-level fields are the first entry's"
