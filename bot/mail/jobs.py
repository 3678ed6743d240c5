"""The job name of an alert, as a customer can read it in the issue title (rules M2, C8; issue 21 item 5).

Where a job name comes from, in order (each says its source):

1. ``label``: a value after a job label (``ジョブ名:``, ``Script:``, ``"jobName":``);
2. ``vocabulary``: what Salesforce's own mails name, the Apex class or trigger of an exception mail
   (``Failed to process batch for class 'X'``, ``Trigger.X: line 12``, ``X: execution of AfterUpdate``)
   and the flow of a flow fault mail (``Flow API Name: X``, ``Error Occurred During Flow "X"``);
3. ``bracket``: a short name in 「…」 or 【…】 (subject or body) or […] (subject), that is not a tag
   (an adapter name, an error word, the tenant key, a number);
4. ``subject``: what is left of the subject once tags, adapter names, error words and times are gone,
   only when it is short and not a sentence (``連携処理でエラーが発生しました`` names no job).

Whatever the source, a job name never contains the error code or the message (it is cut before them)
and is at most ``job_max_length`` characters (``[reading]`` in monitoring.toml): it is the middle of
the issue title and part of the grouping fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.mail.labels import JOB_LABELS, label_rx, loose

NAMES = re.compile(r"(?i)DataSpider(?:\s*Cloud)?|データスパイダー|(?:SMP\s*for\s*)?Salesforce|SFDC"
                   r"|セールスフォース|kintone|キントーン|cybozu\.com|サイボウズ|eセールスマネージャー"
                   r"|e-?Sales ?Manager|(?<![A-Za-z])eSM(?![A-Za-z])|ソフトブレーン"
                   r"|SHANON(?:\s*CONNECT)?|SMP")
_JOB = (label_rx(JOB_LABELS, True), label_rx(loose(JOB_LABELS), False))
_JSON_JOB = re.compile(r'(?i)"(?:job|jobName|job_name|task|taskName|script|scriptName|script_name|flowName)"'
                       r'\s*:\s*"([^"\n]{1,200})"')
_SALESFORCE = (
    re.compile(r"(?i)Failed to process batch for class '([\w.]+)'"),
    re.compile(r"(?m)^\s*(?:Trigger|Class)\.(\w+)(?:\.\w+)*: line \d+"),
    re.compile(r"(?<![\w.])(\w+): execution of (?:Before|After)\w+"),
    re.compile(r"(?im)^\s*(?:Flow API Name|フローの?\s*API\s*参照名)\s*:\s*(\S+)"),
    re.compile(r'(?i)Error Occurred During Flow\s*"([^"\n]{1,80})"'),
    re.compile(r"(?i)Developer script exception from [^:\n]*:\s*'?([\w.]+)'?\s*(?::|for job)"),
)
_BRACKETS_BODY = re.compile(r"「([^」\n]{1,60})」|【([^】\n]{1,60})】")
_BRACKETS_SUBJECT = re.compile(r"「([^」\n]{1,60})」|【([^】\n]{1,60})】|\[([^\]\n]{1,60})\]")
_TAG = re.compile(r"^\s*(?:[\[【(<][^\]】)>]{0,40}[\]】)>]\s*)+")
_NOISE = re.compile(r"(?i)(?:連携|の)?(?:エラー|異常終了|失敗)(?:通知|発生|のお知らせ|しました)?"
                    r"|お知らせ|通知|"
                    r"\b(?:error|failed|failure|alert|notification)\b|[:：\-|]")
_STAMP = re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
# Words that say what kind of mail it is, not which job: a name made only of these names nothing.
_GENERIC = frozenset("""
api rest soap sync job jobs task script process flow trigger batch data integration report result results
status rate limit session expired timeout unavailable aborted exception warning notice issue problem
monitoring daily summary digest sandbox developer apex fault occurred unhandled for from the a an of in on
連携 処理 結果 実行結果 連携結果 レポート 報告 監視 日次 一覧 まとめ 重要 至急 緊急 障害 警告 異常 エラー 通知
お知らせ 連携処理 連携通知 実行 定期 自動 システム 転送 fw fwd re
""".split())  # noqa: SIM905 - a word list reads best as words
# A sentence: Japanese verb or particle endings, or a full stop.
_SENTENCE = re.compile(r"[。.!?！？]\s*$|しました|しています|できません|ません|ました|です|ます"
                       r"|について|ため|"
                       r"(?<![ぁ-ん])[がをにはで](?![ぁ-ん])")
_SUBJECT_MAX = 30  # a subject's rest longer than this is a sentence, whatever its words
_TRAIL = re.compile(r"[\s/|,、;:：=\-–—(（\[【「]+$"
                    r"|(?:\s|^)(?:エラーコード|エラー|コード|code|error|status)\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"\s+[/|]\s+|\t|\s{3,}")


def job_name(body: str, subject: str, code: str, message: str, max_length: int,
             exclude: Sequence[str] = (), *, from_subject: bool = True) -> tuple[str, str] | None:
    """``(job, source)`` for a mail's normalised body and subject, or None when nothing names a job.

    ``exclude`` are values that are never a job (the tenant key); ``from_subject`` is False for the
    entries of a digest, whose subject names the digest, not the entry's job.
    """
    def fit(value: str) -> str | None:
        return clean(value, code, message, max_length)

    def labelled() -> Iterator[str]:
        yield from (m.group("value") for rx in _JOB for m in rx.finditer(body))
        yield from (m.group(1) for m in _JSON_JOB.finditer(body))

    def named() -> Iterator[str]:
        yield from (m.group(1) for rx in _SALESFORCE for text in (body, subject) if (m := rx.search(text)))

    def bracketed() -> Iterator[str]:
        texts = ((subject, _BRACKETS_SUBJECT), (body, _BRACKETS_BODY))[0 if from_subject else 1:]
        for text, rx in texts:
            for m in rx.finditer(text):
                value = next(g for g in m.groups() if g)
                if _names_a_job(value, code, exclude):
                    yield value

    for values, source in ((labelled, "label"), (named, "vocabulary"), (bracketed, "bracket")):
        job = next((j for v in values() if (j := fit(v))), None)
        if job:
            return job, source
    rest = job_from_subject(subject) if from_subject else None
    if rest and len(rest) <= min(max_length, _SUBJECT_MAX) and len(rest.split()) <= 4 \
            and _names_a_job(rest, code, exclude) and (job := fit(rest)):
        return job, "subject"
    return None


def clean(value: str, code: str, message: str, max_length: int) -> str | None:
    """A job value without the error code, the message or a second ``label: value`` after it, at most
    ``max_length`` characters (cut with ``…``); None when nothing is left."""
    text = " ".join(value.split())
    needles = [n for n in (code, code.removeprefix("HTTP_")) if n]
    if len(message) >= 4:
        needles.append(" ".join(message.split()))
    for needle in needles:
        at = text.find(needle)
        if at >= 0:
            text = text[:at]
    text = _SPLIT.split(text, maxsplit=1)[0] if text else text
    previous = None
    while previous != text:
        previous = text
        text = _TRAIL.sub("", text).strip()
    if not text or text.lower() in _GENERIC:
        return None
    return text if len(text) <= max_length else text[: max_length - 1].rstrip() + "…"


def _names_a_job(value: str, code: str, exclude: Sequence[str]) -> bool:
    """Whether a bracketed value or a subject's rest can be a job: not a tag, not a sentence."""
    text = value.strip()
    if not text or text.isdigit() or (NAMES.search(text) and not NAMES.sub("", text).strip(" 連携の")):
        return False
    if any(x and x.lower() == text.lower() for x in exclude) or (code and code.removeprefix("HTTP_") in text):
        return False
    if _SENTENCE.search(text) or _STAMP.fullmatch(text):
        return False
    words = [w for w in re.split(r"[\s_・/]+", _NOISE.sub(" ", NAMES.sub(" ", text)).lower()) if w]
    return bool(words) and not all(w in _GENERIC for w in words)


def job_from_subject(subject: str) -> str | None:
    """The subject without its tags (``【kintone連携】``), error words and timestamps: the job it names."""
    text = _TAG.sub("", subject)
    text = _STAMP.sub(" ", text)
    text = NAMES.sub(" ", text)
    text = " ".join(_NOISE.sub(" ", text).split())
    return text[:200] or None
