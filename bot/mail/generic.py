"""The generic reading of an adapter error mail: values recognised by what they look like (M2, C8).

The configured formats (``monitoring.toml``) are tried first, as an override; this reading is the
default for every layout nobody wrote a format for. It never guesses an error code: a mail with no
recognisable code yields None and goes to staff. Each field says where it came from (``sources``):

- ``sender``: the adapter configured for the sender address (``[[sender]]`` in monitoring.toml);
- ``vocabulary``: a name (Salesforce, kintone, eSM, DataSpider), a code's shape or a timestamp's shape;
- ``key``: the tenant is the configured alert key found as a whole token (``bot.mail.keys``);
- ``label``: a value after one of the synonym labels (ジョブ名, 処理名, Job, Task, ...);
- ``subject``: the job taken from the subject, when no label names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from fnmatch import fnmatchcase

from bot.config.monitoring import MonitoringConfig
from bot.mail.keys import find_key
from bot.mail.message import Alert, ParsedMail, normalise
from bot.mail.stamps import parse_stamp
from bot.mail.vocabulary import adapter_of_code, candidates, pick

# Adapter names as mails write them; DataSpider first: its mails name the adapters it wraps.
NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dataspider", re.compile(r"(?i)DataSpider|データスパイダー")),
    ("salesforce", re.compile(r"(?i)Salesforce|SFDC|セールスフォース")),
    ("kintone", re.compile(r"(?i)kintone|キントーン|cybozu\.com|サイボウズ")),
    ("esm", re.compile(r"(?i)eセールスマネージャー|e-?Sales ?Manager|(?<![A-Za-z])eSM(?![A-Za-z])"
                       r"|ソフトブレーン")),
)
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
TIME_LABELS = (
    "エラー発生日時", "発生日時", "発生時刻", "実行日時", "実行時刻", "処理日時", "日時", "時刻",
    "occurred at", "occurred", "timestamp", "datetime", "date", "time",
)
_JSON_JOB = re.compile(r'(?i)"(?:job|jobName|job_name|task|taskName|script|scriptName|script_name|flowName)"'
                       r'\s*:\s*"([^"\n]{1,200})"')
_JSON_MESSAGE = re.compile(r'(?i)"(?:message|errorMessage|error_message|detail|description)"'
                           r'\s*:\s*"([^"\n]{1,500})"')
_TAG = re.compile(r"^\s*(?:[\[【(<][^\]】)>]{0,40}[\]】)>]\s*)+")
_NOISE = re.compile(r"(?i)(?:連携|の)?(?:エラー|異常終了|失敗)(?:通知|発生|のお知らせ|しました)?"
                    r"|お知らせ|通知|"
                    r"\b(?:error|failed|failure|alert|notification)\b|[:：\-|]")


def _label_rx(labels: Sequence[str], strict: bool) -> re.Pattern[str]:
    """``label: value`` at a line start (bullets and brackets allowed); ``strict`` wants ``:``/``=``,
    else only Japanese labels ending in 名 or English "... name" may be followed by mere spaces (as an
    HTML table row renders)."""
    alts = "|".join(re.escape(x).replace(r"\ ", r"[ _]?") for x in sorted(labels, key=len, reverse=True))
    sep = r"\s*[:=]\s*" if strict else r"\s*[|]\s*|\s+"
    return re.compile(rf"(?im)^[ \t>*・■◆●□#-]*[【\[]?(?:{alts})[】\]]?(?:{sep})(\S.*?)\s*$")


def _loose(labels: Sequence[str]) -> tuple[str, ...]:
    return tuple(x for x in labels if x.endswith(("名", "name")))


_JOB = (_label_rx(JOB_LABELS, True), _label_rx(_loose(JOB_LABELS), False))
_MESSAGE = (_label_rx(MESSAGE_LABELS, True),)
_TIME = (_label_rx(TIME_LABELS, True), _label_rx(TIME_LABELS, False))


def sender_adapter(config: MonitoringConfig, sender: str) -> str | None:
    """The adapter configured for this sender address (glob patterns allowed), if any."""
    return next((s.adapter for s in config.senders if fnmatchcase(sender.lower(), s.address.lower())), None)


def named_adapter(subject: str, body: str) -> str | None:
    """The adapter a mail names: the subject decides before the body; DataSpider before what it wraps."""
    for text in (subject, body):
        hits = [(m.start(), i, name) for i, (name, rx) in enumerate(NAMES) if (m := rx.search(text))]
        if hits:
            if any(name == "dataspider" for _, _, name in hits):
                return "dataspider"
            return min(hits)[2]
    return None


def read_generic(mail: ParsedMail, config: MonitoringConfig, keys: Sequence[str] = ()) -> Alert | None:
    """The Alert this mail carries by the generic reading, or None without a recognisable error code."""
    subject, body = mail.normalised_subject, mail.normalised
    sources: dict[str, str] = {}
    adapter = sender_adapter(config, mail.from_addr)
    if adapter is not None:
        sources["adapter"] = "sender"
    else:
        adapter = named_adapter(subject, body)
        if adapter is not None:
            sources["adapter"] = "vocabulary"
    picked = pick(candidates(f"{subject}\n{body}"), adapter)
    if picked is None:
        return None
    code, wrapper = picked
    sources["error_code"] = "vocabulary"
    if adapter is None:
        adapter = adapter_of_code(code)
        if adapter is None:
            return None
        sources["adapter"] = "vocabulary"
    tenant = next((k for k in keys if k and (find_key(normalise(k), subject)
                                             or find_key(normalise(k), body))), None)
    if tenant is not None:
        sources["tenant_key"] = "key"
    job = _labelled(sources, "job", _first(_JOB, body) or _json(_JSON_JOB, body), "label",
                    lambda: job_from_subject(subject), "subject")
    message = _labelled(sources, "message", _first(_MESSAGE, body) or _json(_JSON_MESSAGE, body), "label",
                        lambda: _line_of(code, body), "vocabulary")
    occurred = _time(body)
    if occurred is not None:
        sources["occurred_at"] = occurred[1]
    return Alert(
        adapter=adapter, tenant_key=tenant, job=job or None, error_code=code, message=message or "",
        occurred_at=occurred[0] if occurred else None, raw_subject=mail.subject, wrapper=wrapper,
        sources=tuple(sorted(sources.items())),
    )


def _labelled(sources: dict[str, str], field: str, value: str | None, source: str,
              fallback: Callable[[], str | None], fallback_source: str) -> str | None:
    """``value`` (found after a label), else the fallback's; records which in ``sources``."""
    if value:
        sources[field] = source
        return value
    value = fallback()
    if value:
        sources[field] = fallback_source
    return value


def _first(patterns: Sequence[re.Pattern[str]], text: str) -> str | None:
    for rx in patterns:
        m = rx.search(text)
        if m is not None and m.group(1).strip():
            return m.group(1).strip()[:500]
    return None


def _json(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return m.group(1).strip()[:500] if m else None


def _line_of(code: str, body: str) -> str | None:
    """The line a code stands on (without the code's own HTTP_ prefix), as the message of last resort."""
    needle = code.removeprefix("HTTP_")
    line = next((ln.strip() for ln in body.splitlines() if needle in ln), None)
    return line[:500] if line else None


def _time(body: str) -> tuple[datetime, str] | None:
    """The adapter's own time of the error: after a time label, else the first timestamp in the body."""
    for rx in _TIME:
        for m in rx.finditer(body):
            stamp = parse_stamp(m.group(1))
            if stamp is not None:
                return stamp, "label"
    stamp = parse_stamp(body)
    return (stamp, "vocabulary") if stamp is not None else None


def job_from_subject(subject: str) -> str | None:
    """The subject without its tags (``【kintone連携】``), error words and timestamps: the job it names."""
    text = _TAG.sub("", subject)
    text = re.sub(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", " ", text)
    for _, rx in NAMES:
        text = rx.sub(" ", text)
    text = " ".join(_NOISE.sub(" ", text).split())
    return text[:200] or None
