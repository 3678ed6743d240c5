"""Act only on what was understood (issue 18 items 1-2), through the workflow on the emulator.

A reply on a quoted issue that is not an exact answer moves no hours and tells the customer nothing;
staff get one note each, and record the answer for the customer with ``/bot approve`` or ``/bot decline``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.inquiry_flow.harness import Flow, jst
from tests.refs import refers_to

REVIEW_REFUSALS = ["承認いたしかねます。社内で再検討いたします。", "承認できかねます", "承認は来週になります",
                   "承認者に確認いたします"]


def quoted(flow: Flow, hours: str = "2h") -> str:
    key = flow.ask("キャンペーン設定の代行をお願いします")
    flow.poll()
    flow.staff_says(key, f"/bot estimate {hours}")
    flow.poll()
    assert flow.bot_comments_with(key, "hoshu-bot:quote:")
    return key


def customer_texts_after_the_quote(flow: Flow, key: str) -> list[str]:
    texts = flow.comments(key)
    last_quote = max(i for i, c in enumerate(texts) if refers_to(c, "hoshu-bot:quote:"))
    return texts[last_quote + 1:]


@pytest.mark.parametrize("reply", REVIEW_REFUSALS)
def test_a_refusal_that_begins_with_the_approval_word_moves_nothing_and_reaches_staff_once(
    flow: Flow, reply: str
) -> None:
    key = quoted(flow)
    comment_id = flow.say("yamada", key, reply)
    flow.poll()
    flow.poll()  # a second pass changes nothing
    assert flow.store.ledger("ACME") == []
    assert customer_texts_after_the_quote(flow, key) == []
    notes = flow.bot_comments_with(flow.staff_issue(key), f"hoshu-bot:unclear:{key}:{comment_id}")
    assert len(notes) == 1
    (note,) = notes
    assert reply.rstrip("。") in note
    assert "時間は消化していません" in note and "お客様への返信もしていません" in note
    assert "/bot approve" in note and "/bot decline" in note
    assert flow.client.get_issue(key).actual_hours in (None, Decimal(0))


def test_the_exact_sentence_with_courtesies_moves_the_quoted_hours_exactly_once(flow: Flow) -> None:
    key = quoted(flow, "1.5h")
    flow.say("yamada", key, "承認します。よろしくお願いいたします。")
    flow.poll()
    flow.poll()
    (entry,) = flow.store.ledger("ACME")
    assert (entry.kind, entry.hours) == ("consume", Decimal("1.5"))
    assert len(flow.bot_comments_with(key, f"hoshu-bot:confirm:{key}:1")) == 1
    assert flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:unclear:") == []


def test_staff_record_the_approval_for_the_customer_from_the_unclear_reply(flow: Flow) -> None:
    key = quoted(flow, "2h")
    reply_at = jst(2026, 11, 30, 15)
    reply_id = flow.at(reply_at).say("yamada", key, "承認します。ただし作業は水曜日以降でお願いします。")
    flow.poll()
    assert flow.store.ledger("ACME") == []
    flow.at(jst(2026, 11, 30, 16)).staff_says(key, "/bot approve 電話で水曜以降と合意")
    flow.poll()
    flow.poll()
    (entry,) = flow.store.ledger("ACME")
    assert (entry.kind, entry.hours) == ("consume", Decimal(2))
    assert entry.at == reply_at  # H8: the quarter of the customer's reply
    assert entry.who == "yamada"
    assert f"お客様コメント {reply_id}" in entry.why and "sato さんの記録" in entry.why
    assert len(flow.bot_comments_with(key, f"hoshu-bot:confirm:{key}:1")) == 1
    done = flow.bot_comments_with(flow.staff_issue(key), "承認として記録しました")
    assert len(done) == 1 and "/bot approve" in done[0]


def test_staff_record_a_decline_for_the_customer(flow: Flow) -> None:
    key = quoted(flow)
    flow.say("yamada", key, "今回は見送るかもしれません。")
    flow.poll()
    flow.staff_says(key, "/bot decline")
    flow.poll()
    assert flow.store.ledger("ACME") == []
    assert flow.bot_comments_with(key, "お見送りとして承りました")
    flow.say("yamada", key, "承認します。")  # too late: the quote was declined
    flow.poll()
    assert flow.store.ledger("ACME") == []


def test_approve_without_a_pending_quote_is_refused(flow: Flow) -> None:
    key = flow.ask("設定のご相談")
    flow.poll()
    flow.staff_says(key, "/bot approve")
    flow.poll()
    (refused,) = flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:cmd:")
    assert "回答を記録できるお見積りがありません" in refused
    assert flow.store.ledger("ACME") == []


def test_a_customer_cannot_approve_for_themselves_with_the_staff_command(flow: Flow) -> None:
    key = quoted(flow)
    flow.say("yamada", key, "/bot approve")
    flow.poll()
    assert flow.store.ledger("ACME") == []
    assert customer_texts_after_the_quote(flow, key) == []


def test_an_ordinary_question_on_a_quoted_issue_is_left_to_staff_without_a_note(flow: Flow) -> None:
    key = quoted(flow)
    flow.say("yamada", key, "作業中はサイトが止まりますか")
    flow.poll()
    assert flow.store.ledger("ACME") == []
    assert flow.bot_comments_with(flow.staff_issue(key), "hoshu-bot:unclear:") == []
