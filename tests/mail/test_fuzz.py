"""Long fuzzing of parse_message (100,000 examples); run with ``pytest -m slow tests/mail/test_fuzz.py``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.mail.decode import parse_message
from tests.mail.support import FIXTURES

SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]


@pytest.mark.slow
class TestLongFuzz:
    @settings(max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=16)),
                                              max_size=10))
    def test_parse_message_never_raises_on_mutated_mail(self, seed: bytes, edits: list[tuple[int, bytes]]) -> None:
        raw = bytearray(seed)
        for pos, data in edits:
            at = pos % (len(raw) + 1)
            raw[at:at + len(data)] = data
        mail = parse_message(bytes(raw))
        assert not any(d.startswith("unparseable") for d in mail.defects), mail.defects
