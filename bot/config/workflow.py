"""``service.toml [workflow]``: the sentences that answer a quote, and the statuses the bot reads (issue 18).

Answers are an allow-list (``bot.rules.answers``): a reply approves only when its first sentence is an
``approval_sentences`` entry, followed by nothing but ``courtesies``, with no ``not_an_answer`` marker and
no quoted text. Any other reply that contains an ``answer_words`` entry goes to staff, who record the
answer with ``/bot approve`` or ``/bot decline``. Before issue 18 a reply that merely *began* with one of
``approval_words`` approved; those keys are still read, as further ``answer_words``, so an existing
``service.toml`` loads and such replies reach staff instead of moving hours.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from bot.config.fields import STRICT, Text
from bot.rules.answers import AnswerGrammar

APPROVAL_SENTENCES = (
    "承認します。", "承認いたします。", "承認致します。", "承認でお願いします。",
    "承認でお願いいたします。", "承認でお願い致します。", "お見積りの内容で承認します。",
    "お見積りの内容で承認いたします。",
)
DECLINE_SENTENCES = (
    "見送ります。", "今回は見送ります。", "見送りでお願いします。", "見送りでお願いいたします。",
    "今回は見送りでお願いします。", "今回は見送りでお願いいたします。", "見送らせていただきます。",
    "今回は見送らせていただきます。",
)
COURTESIES = (
    "よろしくお願いします。", "よろしくお願いいたします。", "よろしくお願い致します。",
    "宜しくお願いします。", "宜しくお願いいたします。", "宜しくお願い致します。",
    "お手数ですがよろしくお願いいたします。", "お手数ですが、よろしくお願いいたします。",
    "お手数をおかけしますが、よろしくお願いいたします。", "引き続きよろしくお願いいたします。",
    "今後ともよろしくお願いいたします。", "お世話になっております。", "いつもお世話になっております。",
    "ありがとうございます。", "ご連絡ありがとうございます。", "お見積りありがとうございます。",
    "以上です。", "以上、よろしくお願いいたします。",
)
#: Anything that refuses, delays, asks or sets a condition (issue 18 item 1, the review's excerpts).
NOT_AN_ANSWER = (
    "ただし", "但し", "条件", "以降", "以後", "まで", "後日", "確認", "検討", "保留", "待ち", "待って",
    "できかね", "いたしかね", "致しかね", "しかね", "難しい", "困難", "?", "前提", "場合", "予定", "来週",
    "来月", "明日", "後ほど", "改めて", "再度", "質問", "相談", "不明", "延期", "中止", "取り消", "取消",
    "キャンセル", "撤回", "変更", "ません", "ない", "不可", "一旦", "いったん", "上長", "社内",
)
ANSWER_WORDS = ("承認", "見送", "却下", "了承", "同意", "発注", "進めて", "ok", "お断り", "辞退")


class Workflow(BaseModel):
    """Sentences and statuses the bot reads in Backlog comments and issues (flow ⑥; issue 18)."""

    model_config = STRICT
    approval_sentences: tuple[Text, ...] = Field(APPROVAL_SENTENCES, min_length=1)
    decline_sentences: tuple[Text, ...] = Field(DECLINE_SENTENCES, min_length=1)
    courtesies: tuple[Text, ...] = COURTESIES
    not_an_answer: tuple[Text, ...] = NOT_AN_ANSWER
    answer_words: tuple[Text, ...] = Field(ANSWER_WORDS, min_length=1)
    # Read for existing files only (see the module docstring): they widen answer_words.
    approval_words: tuple[Text, ...] = ()
    rejection_words: tuple[Text, ...] = ()
    waiting_status_names: tuple[Text, ...] = Field(("お客様確認待ち",), min_length=1)

    @model_validator(mode="after")
    def _usable(self) -> Workflow:
        problems = self.grammar().problems()
        if problems:
            raise ValueError(problems[0])
        return self

    def grammar(self) -> AnswerGrammar:
        """The allow-list ``bot.rules.answers.read_answer`` reads replies with."""
        return AnswerGrammar(
            approvals=self.approval_sentences, declines=self.decline_sentences, courtesies=self.courtesies,
            markers=self.not_an_answer,
            mentions=(*self.answer_words, *self.approval_words, *self.rejection_words),
        )
