"""Properties: text validation (gotchas 1-2), exact round trips, and the rate-limit window invariant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import BacklogInvalidRequestError
from bot.sandbox import BacklogEmulator, forms
from bot.sandbox.ratelimit import RateLimiter
from tests.sandbox.conftest import NEW_ISSUE, Api, FakeClock

BMP_TEXT = st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=300)


class TestTextRule:
    @given(value=st.text(max_size=300), limit=st.integers(min_value=1, max_value=300))
    def test_accepted_exactly_when_within_limit_and_free_of_four_byte_characters(
        self, value: str, limit: int
    ) -> None:
        ok = len(value) <= limit and all(ord(c) <= 0xFFFF for c in value)
        if ok:
            assert forms.text(value, "summary", limit) == value
        else:
            with pytest.raises(BacklogInvalidRequestError) as caught:
                forms.text(value, "summary", limit)
            assert (caught.value.status, caught.value.code) == (400, 7)

    @given(prefix=BMP_TEXT, emoji=st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF))
    def test_four_byte_message_names_the_utf8_bytes(self, prefix: str, emoji: str) -> None:
        with pytest.raises(BacklogInvalidRequestError) as caught:
            forms.text(prefix[:10] + emoji, "description", 100_000)
        expected = "".join(f"%{byte:02X}" for byte in emoji.encode("utf-8"))
        assert caught.value.message == f"Incorrect String: {expected}"


@pytest.fixture(scope="module")
def shared_api() -> Iterator[Api]:
    """One emulator for all generated examples (starting one per example would dominate the run)."""
    with BacklogEmulator.start(clock=FakeClock(), limits={"update": 10_000, "read": 10_000}) as emu:
        yield Api(emu, emu.api_key)


class TestRoundTrip:
    @settings(max_examples=40, deadline=None)
    @given(content=BMP_TEXT.filter(lambda s: s.strip() != ""))
    def test_comment_content_comes_back_unchanged(self, shared_api: Api, content: str) -> None:
        """Backlog stores text raw, never converted (reference section 7)."""
        issue = shared_api.post("issues", NEW_ISSUE).json()["issueKey"]
        posted = shared_api.post(f"issues/{issue}/comments", {"content": content})
        assert posted.status_code == 201
        fetched = shared_api.get(f"issues/{issue}/comments/{posted.json()['id']}").json()
        assert fetched["content"] == content


class TestWindowInvariant:
    @given(
        gaps=st.lists(st.floats(min_value=0, max_value=90, allow_nan=False), min_size=1, max_size=60),
        limit=st.integers(min_value=1, max_value=5),
    )
    def test_never_more_than_the_limit_inside_one_window(self, gaps: list[float], limit: int) -> None:
        now = [1_800_000_000.0]
        limiter = RateLimiter(lambda: now[0], {"update": limit})
        window_start: float | None = None
        used = 0
        for gap in gaps:
            now[0] += gap
            if window_start is None or now[0] >= window_start + 60:
                window_start, used = now[0], 0
            quota = limiter.spend("bot", "update")
            assert quota.allowed == (used < limit)
            used += quota.allowed
            assert quota.remaining == limit - used
