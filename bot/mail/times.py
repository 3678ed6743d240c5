"""Which time in an adapter mail is the error's own (rule M2; issue 21 item 4).

A mail often writes several times: the job's start, the error, the end, the receipt. The time of the
error is, in this order: a time after a label that means the error or a failure (``エラー発生日時``,
``異常終了日時``, ``Failed at``), after one that means the end (``終了日時``, ``End time``), after a
neutral one (``日時``, ``Date``), the first time written anywhere in the body, and only then a time after
a start or receipt label (``開始日時``, ``受信日時``, ``Start time``). None found: None (the caller says
so; the mail's Date header never stands in for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.mail.labels import label_key, label_rx
from bot.mail.stamps import parse_stamp

ERROR_LABELS = (
    "エラー発生日時", "エラー発生時刻", "エラー日時", "エラー時刻", "発生日時", "発生時刻", "異常終了日時",
    "異常終了時刻", "失敗日時", "失敗時刻", "検知日時", "error time", "error date", "error occurred",
    "occurred at", "occurred", "failed at", "failure time", "failed time", "failed",
)
END_LABELS = ("終了日時", "終了時刻", "完了日時", "完了時刻", "end time", "ended at", "ended", "finished at",
              "finished", "completed at", "completed", "end")
NEUTRAL_LABELS = ("実行日時", "実行時刻", "処理日時", "日時", "時刻", "timestamp", "datetime", "date", "time")
START_LABELS = ("実行開始日時", "開始日時", "開始時刻", "受信日時", "受付日時", "送信日時", "start time",
                "started at", "started", "start", "received at", "received", "sent")
TIME_LABELS = ERROR_LABELS + END_LABELS + NEUTRAL_LABELS + START_LABELS
_RANKED = ((ERROR_LABELS, 0, "label"), (END_LABELS, 1, "label"), (NEUTRAL_LABELS, 2, "label"),
           (START_LABELS, 4, "label:start"))
_RANK = {label_key(x): (rank, source) for labels, rank, source in _RANKED for x in labels}
_ALL = tuple(_RANK)
_LABELLED = (label_rx(_ALL, True), label_rx(_ALL, False))


@dataclass(frozen=True)
class Found:
    """The chosen time, where it came from (``label``, ``label:start``, ``vocabulary``) and its line."""

    at: datetime
    source: str
    line: str


def error_time(body: str) -> Found | None:
    """The adapter's own time of the error in ``body`` (normalised text), by the ranking above."""
    best: tuple[int, int, Found] | None = None
    for rx in _LABELLED:
        if best is not None and best[0] == 0:
            break  # an error label already: nothing can rank higher
        for m in rx.finditer(body):
            stamp = parse_stamp(m.group("value"))
            if stamp is None:
                continue
            rank, source = _RANK.get(label_key(m.group("label")), (2, "label"))
            candidate = (rank, m.start(), Found(stamp, source, m.group(0).strip()))
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is not None and best[0] < 3:
        return best[2]
    stamp = parse_stamp(body, need_time=True)
    if stamp is not None:
        line = next((ln.strip() for ln in body.splitlines() if parse_stamp(ln, need_time=True) == stamp), "")
        return Found(stamp, "vocabulary", line)
    return best[2] if best is not None else None
