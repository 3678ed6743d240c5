"""``label: value`` lines as adapter mails write them, and the label words of each field (pure).

The generic reading (``bot.mail.generic``), the time choice (``bot.mail.times``) and the job name
(``bot.mail.jobs``) share these: one list of synonyms per field, one way to find a labelled line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

JOB_LABELS = (
    "連携ジョブ名", "連携ジョブ", "ジョブ名", "ジョブ", "連携処理名", "処理名", "処理", "連携名",
    "連携", "スクリプト名", "スクリプト", "フロー名", "フロー", "タスク名", "タスク", "job name",
    "job_name", "jobname", "job", "task name", "task", "script name", "script_name", "script",
    "process name", "process", "flow",
)
MESSAGE_LABELS = (
    "エラー内容", "エラーメッセージ", "エラー詳細", "メッセージ", "詳細", "内容", "原因", "エラー",
    "レスポンス",
    "error message", "error_message", "error detail", "message", "details", "detail", "reason", "cause",
    "error", "response",
)


def label_rx(labels: Sequence[str], strict: bool) -> re.Pattern[str]:
    """``label: value`` at a line start (bullets and brackets allowed); ``strict`` wants ``:``/``=``,
    else only Japanese labels ending in 名 or English "... name" may be followed by mere spaces (as an
    HTML table row renders). Groups: ``label`` as written, ``value``."""
    alts = "|".join(re.escape(x).replace(r"\ ", r"[ _]?") for x in sorted(labels, key=len, reverse=True))
    sep = r"\s*[:=]\s*" if strict else r"\s*[|]\s*|\s+"
    return re.compile(rf"(?im)^[ \t>*・■◆●□#-]*[【\[]?(?P<label>{alts})[】\]]?(?:{sep})(?P<value>\S.*?)\s*$")


def loose(labels: Sequence[str]) -> tuple[str, ...]:
    """The labels that may stand before their value with mere spaces (``ジョブ名 受注連携``)."""
    return tuple(x for x in labels if x.endswith(("名", "name")))


def label_key(written: str) -> str:
    """A label as written (``Job_Name``, ``job name``) in the form the label lists use (``job name``)."""
    return re.sub(r"[ _]+", " ", written.strip().lower())
