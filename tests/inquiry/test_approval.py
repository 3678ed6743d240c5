"""Tests of the customer's answer to a quote: approval, rejection or neither (flow ⑥, H8)."""

from __future__ import annotations

import pytest

from bot.inquiry.approval import Approval, Rejection, classify_reply

TABLE = [
    ("承認", Approval("承認")),
    ("承認します。よろしくお願いいたします。", Approval("承認")),
    ("  承認します", Approval("承認")),
    ("　承認します", Approval("承認")),
    ("「承認」します", Approval("承認")),
    ("**承認**", Approval("承認")),
    ("\n\n承認します\n作業をお願いします", Approval("承認")),
    ("> お見積りは 3 時間です。\n> 承認の場合はコメントしてください。\n承認します", Approval("承認")),
    ("{quote}却下の場合は{/quote}\n承認します", Approval("承認")),
    ("却下します", Rejection("却下")),
    ("却下で。今回は見送ります", Rejection("却下")),
    ("承認しません", None),
    ("承認できません", None),
    ("承認の前に質問です", None),
    ("承認？", None),
    ("ご承認いただく前に確認させてください", None),
    ("内容を確認しました。承認します", None),
    ("> 承認", None),
    ("", None),
    ("   \n  ", None),
    ("/bot estimate 3h", None),
]


class TestClassifyReply:
    @pytest.mark.parametrize(("text", "expected"), TABLE, ids=[repr(t) for t, _ in TABLE])
    def test_classifies_by_the_first_word_of_the_authors_own_text(self, text: str, expected: object) -> None:
        """Only a comment whose own first line STARTS with the word approves or rejects."""
        assert classify_reply(text) == expected

    def test_uses_the_configured_words(self) -> None:
        """Approval and rejection words come from configuration; NFKC applies to both sides."""
        assert classify_reply("ＯＫです", approval_words=("OK", "承認")) == Approval("OK")
        assert classify_reply("お断りします", rejection_words=("お断り",)) == Rejection("お断り")
        assert classify_reply("承認", approval_words=("了承",)) is None

    def test_longer_word_wins_when_both_lists_match(self) -> None:
        """With 承認 for yes and 承認不要 for no, 「承認不要です」 is a rejection, not an approval."""
        assert classify_reply("承認不要です", ("承認",), ("承認不要",)) == Rejection("承認不要")

    def test_identical_words_in_both_lists_count_as_neither(self) -> None:
        """A misconfigured word in both lists is not guessed at: a person decides."""
        assert classify_reply("OK", ("OK",), ("ok",)) is None
