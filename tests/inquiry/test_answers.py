"""The customer's answer to a quote, read by the shipped allow-list (issue 18 item 3; flow ⑥, H8).

Each reply is written as customers write them (the review's excerpts first), with its reading:
``yes`` approves, ``no`` declines (見送り), ``staff`` is not an answer and goes to staff (nothing moves),
``-`` does not speak of the answer at all (an ordinary comment: nothing happens).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.workflow import APPROVAL_SENTENCES, COURTESIES, NOT_AN_ANSWER, Workflow
from bot.rules.answers import Approval, Decline, Unclear, canonical, read_answer, sentences

GRAMMAR = Workflow().grammar()

REPLIES: list[tuple[str, str]] = [
    # --- the review's refusals, delays and questions that begin with 承認 (critical item 1)
    ("承認いたしかねます。社内で再検討いたします。", "staff"),
    ("承認できかねます", "staff"),
    ("承認は来週になります", "staff"),
    ("承認者に確認いたします", "staff"),
    ("承認は難しいです", "staff"),
    ("承認保留でお願いします", "staff"),
    ("承認待ちです", "staff"),
    ("承認者に確認します", "staff"),
    ("承認、ただし作業日は12/10以降で", "staff"),
    # --- refusals, polite refusals
    ("承認しません。", "staff"),
    ("承認できません。", "staff"),
    ("今回は承認を見合わせます。", "staff"),
    ("申し訳ございませんが、承認いたしかねます。", "staff"),
    ("承認致しかねます。", "staff"),
    ("承認は致しかねます。予算の都合です。", "staff"),
    ("却下します。", "staff"),
    ("却下でお願いします。", "staff"),
    ("承認しない方向です。", "staff"),
    ("承認不可です。", "staff"),
    ("今回はお断りします。", "staff"),
    ("今回は辞退いたします。", "staff"),
    # --- delays
    ("承認は月末になります。", "staff"),
    ("承認は明日いたします。", "staff"),
    ("承認します。ただし着手は来月でお願いします。", "staff"),
    ("承認します。作業は12月10日以降でお願いします。", "staff"),
    ("承認します。後日改めてご連絡します。", "staff"),
    ("社内で検討してから承認します。", "staff"),
    ("承認します。一旦保留でお願いします。", "staff"),
    ("上長の承認待ちです。", "staff"),
    ("承認は後ほどいたします。", "staff"),
    # --- questions
    ("承認の前に質問です。", "staff"),
    ("承認しますか？", "staff"),
    ("承認？", "staff"),
    ("承認します。ところで作業時間は変わりますか?", "staff"),
    ("見送った場合、費用はかかりますか？", "staff"),
    ("承認したら、いつ作業していただけますか", "staff"),
    ("ご承認いただく前に確認させてください", "staff"),
    ("承認の方法を教えてください。", "staff"),
    # --- conditions
    ("承認します。但し土曜日の作業は不可です。", "staff"),
    ("3時間までなら承認します。", "staff"),
    ("承認します。条件として、本番反映は夜間にお願いします。", "staff"),
    ("承認します。前提として検証環境で確認させてください。", "staff"),
    ("金額が変わらない場合に限り承認します。", "staff"),
    ("承認します。作業内容を一部変更してください。", "staff"),
    # --- quotes of the bot's own text, the customer quoting the quote
    ("> この内容でご承認いただける場合は、本課題に「承認します。」とだけ"
     "コメントをお願いいたします。\n承認します。", "staff"),
    ("> 承認します。", "staff"),
    ("{quote}お見積り 3 時間{/quote}\n承認します。", "staff"),
    ("「承認します。」とコメントすればよいですか", "staff"),
    ("「承認します。」", "staff"),
    ("承認します。\n> お見積り 3 時間", "staff"),
    # --- approvals, with courtesies, in full-width and half-width forms, with line breaks
    ("承認します。", "yes"),
    ("承認します", "yes"),
    ("承認いたします。", "yes"),
    ("承認致します。", "yes"),
    ("承認でお願いします。", "yes"),
    ("承認でお願いいたします。", "yes"),
    ("お見積りの内容で承認いたします。", "yes"),
    ("承認します。よろしくお願いいたします。", "yes"),
    ("承認します。\nよろしくお願いいたします。", "yes"),
    ("承認いたします。お手数ですが、よろしくお願いいたします。", "yes"),
    # INTERFACE.md: the first sentence is the answer; a greeting before it is read by staff
    ("お世話になっております。承認いたします。", "staff"),
    ("お世話になっております。\n\n承認いたします。\n\nよろしくお願いいたします。", "staff"),
    ("承認します。以上、よろしくお願いいたします。", "yes"),
    ("承認します！", "yes"),
    ("承認します！よろしくお願いします！", "yes"),
    ("承認　します。", "yes"),
    ("　　承認します。　", "yes"),
    ("承認します｡", "yes"),
    ("承認します、よろしくお願いします。", "staff"),  # one sentence that is neither: a person reads it
    ("承認します。ありがとうございます。", "yes"),
    ("\n\n承認します。\n\n", "yes"),
    ("承認します\r\nよろしくお願いします", "yes"),
    # --- approvals with anything else after them
    ("承認します。山田", "staff"),
    ("承認します。作業をお願いします。", "staff"),
    ("承認します。見送りも考えましたが。", "staff"),
    ("承認します。承認しません。", "staff"),
    # --- declines
    ("見送ります。", "no"),
    ("今回は見送ります。", "no"),
    ("見送りでお願いします。", "no"),
    ("見送りでお願いいたします。", "no"),
    ("今回は見送らせていただきます。よろしくお願いいたします。", "no"),
    ("お世話になっております。今回は見送ります。", "staff"),
    ("見送ります。来月また相談します。", "staff"),
    ("見送るかどうか検討中です。", "staff"),
    ("今回は見送るかもしれません。", "staff"),
    # --- ordinary comments that do not speak of the answer
    ("内容について質問です。", "-"),
    ("添付のログをご確認ください。", "-"),
    ("よろしくお願いいたします。", "-"),
    ("", "-"),
    ("   \n　", "-"),
    ("/bot estimate 3h", "-"),
    ("Tokyo の拠点でも同じ現象です。", "-"),
    # --- other words for yes that are not the sentence: a person decides
    ("OKです。", "staff"),
    ("ＯＫです", "staff"),
    ("了承しました。", "staff"),
    ("進めてください。", "staff"),
    ("発注します。", "staff"),
    ("同意します。", "staff"),
    ("ｼｮｳﾆﾝ", "-"),
]


def _reading(answer: object) -> str:
    return {Approval: "yes", Decline: "no", Unclear: "staff", type(None): "-"}[type(answer)]


def test_the_table_is_large_and_covers_every_reading() -> None:
    assert len(REPLIES) >= 80
    assert {r for _, r in REPLIES} == {"yes", "no", "staff", "-"}


@pytest.mark.parametrize(("reply", "reading"), REPLIES, ids=[r[:24] or "empty" for r, _ in REPLIES])
def test_each_reply_is_read_as_a_person_would(reply: str, reading: str) -> None:
    assert _reading(read_answer(reply, GRAMMAR)) == reading


def test_an_unclear_reply_says_why_for_staff() -> None:
    answer = read_answer("承認します。ただし着手は来月でお願いします。", GRAMMAR)
    assert isinstance(answer, Unclear)
    assert "ただし" in answer.reason


def test_the_shipped_grammar_is_consistent() -> None:
    """No shipped answer sentence or courtesy contains a marker (else every such reply were unclear)."""
    assert GRAMMAR.problems() == []


def test_a_marker_inside_a_configured_sentence_is_refused() -> None:
    with pytest.raises(ValueError, match="まで"):
        Workflow(approval_sentences=("明日まで承認します。",))


def test_the_old_approval_words_still_load_and_now_reach_staff() -> None:
    """An existing service.toml with approval_words = ["了解"] loads; a reply with it goes to staff."""
    grammar = Workflow(approval_words=("ヨシ",)).grammar()
    assert isinstance(read_answer("ヨシ、進めて", grammar), Unclear)
    assert isinstance(read_answer("承認します。", grammar), Approval)


# --- the property: only the grammar moves hours -------------------------------------------------
_SAFE_FRAGMENTS = ["承認", "します", "。", "、", "お願い", "見送り", "作業", "今回", "は", "\n", " ", "を",
                   "よろしく", "時間", "3", "！", "「", "」"]
_MARKED = st.lists(st.sampled_from(_SAFE_FRAGMENTS + list(NOT_AN_ANSWER)), max_size=12).map("".join)


def _is_grammatical_approval(text: str) -> bool:
    """The grammar, stated independently of the reader: one approval sentence first, courtesies after."""
    said = [canonical(s) for s in sentences(text)]
    courtesies = {canonical(c) for c in COURTESIES}
    approvals = {canonical(a) for a in APPROVAL_SENTENCES}
    folded = text.casefold()
    return (bool(said) and said[0] in approvals and all(s in courtesies for s in said[1:])
            and ">" not in text and "{quote}" not in folded
            and not any(m in canonical(text) or m in text for m in NOT_AN_ANSWER))


@settings(max_examples=400, deadline=None)
@given(_MARKED)
def test_nothing_outside_the_grammar_approves(text: str) -> None:
    answer = read_answer(text, GRAMMAR)
    if isinstance(answer, Approval):
        assert _is_grammatical_approval(text), text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(APPROVAL_SENTENCES), st.sampled_from(list(NOT_AN_ANSWER)),
       st.sampled_from(["prefix", "suffix", "sentence"]))
def test_any_marker_anywhere_undoes_an_approval(sentence: str, marker: str, where: str) -> None:
    text = {"prefix": f"{marker}{sentence}", "suffix": f"{sentence}{marker}",
            "sentence": f"{sentence}{marker}です。"}[where]
    assert not isinstance(read_answer(text, GRAMMAR), Approval | Decline)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises_and_approves_only_by_the_grammar(text: str) -> None:
    answer = read_answer(text, GRAMMAR)
    if isinstance(answer, Approval):
        assert _is_grammatical_approval(text)
