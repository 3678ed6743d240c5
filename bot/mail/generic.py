"""The generic reading of an adapter error mail: values recognised by what they look like (M2, C8).

The configured formats (``monitoring.toml``) are tried first, as an override; this reading is the
default for every layout nobody wrote a format for. It never guesses an error code: a mail with no
recognisable code yields None and goes to staff. Each field says where it came from (``sources``):

- ``sender``: the adapter configured for the sender address (``[[sender]]`` in monitoring.toml);
- ``vocabulary``: a name (Salesforce, kintone, eSM, DataSpider), a code's shape or a timestamp's shape;
- ``key``: the tenant is the configured alert key found as a whole token (``bot.mail.keys``);
- ``label``: a value after one of the synonym labels (ジョブ名, 処理名, Job, Task, ...); for the time,
  ``label:start`` when only a start or receipt time was written (``bot.mail.times``);
- ``bracket``/``subject``: the job from a short bracketed name or a short subject (``bot.mail.jobs``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase

from bot.config.monitoring import MonitoringConfig
from bot.mail.jobs import job_from_subject, job_name
from bot.mail.keys import find_key
from bot.mail.labels import JOB_LABELS, MESSAGE_LABELS, label_rx
from bot.mail.message import Alert, ParsedMail, normalise
from bot.mail.times import TIME_LABELS, error_time
from bot.mail.vocabulary import adapter_of_code, candidates, pick

__all__ = [
    "JOB_LABELS",
    "MESSAGE_LABELS",
    "NAMES",
    "TIME_LABELS",
    "UNKNOWN_ADAPTER",
    "job_from_subject",
    "named_adapter",
    "read_generic",
    "sender_adapter",
]

#: The adapter of an error whose mail names none and whose code's shape points to none.
UNKNOWN_ADAPTER = "unknown"
# Adapter names as mails write them; DataSpider first: its mails name the adapters it wraps.
NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dataspider", re.compile(r"(?i)DataSpider|データスパイダー")),
    ("salesforce", re.compile(r"(?i)Salesforce|SFDC|セールスフォース|\bApex\b")),
    ("kintone", re.compile(r"(?i)kintone|キントーン|cybozu\.com|サイボウズ")),
    ("esm", re.compile(r"(?i)[eイー]セールスマネージャー|e-?Sales ?Manager|(?<![A-Za-z])eSM(?![A-Za-z])"
                       r"|ソフトブレーン")),
)
_JSON_MESSAGE = re.compile(r'(?i)"(?:message|errorMessage|error_message|detail|description)"'
                           r'\s*:\s*"([^"\n]{1,500})"')
_MESSAGE = (label_rx(MESSAGE_LABELS, True),)


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


def read_generic(mail: ParsedMail, config: MonitoringConfig, keys: Sequence[str] = (), *,
                 from_subject: bool = True) -> Alert | None:
    """The Alert this mail carries by the generic reading, or None without a recognisable error code.

    ``from_subject`` False reads a digest's entry: its subject names the digest, not the entry's job.
    """
    subject, body = mail.normalised_subject, mail.normalised
    sources: dict[str, str] = {}
    adapter = sender_adapter(config, mail.from_addr)
    if adapter is not None:
        sources["adapter"] = "sender"
    else:
        adapter = named_adapter(subject, body)
        if adapter is not None:
            sources["adapter"] = "vocabulary"
    text = f"{subject}\n{body}"
    picked = pick(candidates(text), adapter, text)
    if picked is None:
        return None
    code, wrapper = picked
    sources["error_code"] = "vocabulary"
    if adapter is None:
        # A code whose shape names no adapter (an HTTP status) in a mail that names none either is still
        # an error: read as from an unnamed adapter, never dropped to staff as unreadable (issue 21).
        adapter = adapter_of_code(code) or UNKNOWN_ADAPTER
        sources["adapter"] = "vocabulary"
    tenant = next((k for k in keys if k and (find_key(normalise(k), subject)
                                             or find_key(normalise(k), body))), None)
    if tenant is not None:
        sources["tenant_key"] = "key"
    lines: dict[str, str] = {}
    message = _labelled(sources, "message", _first(_MESSAGE, body) or _json(_JSON_MESSAGE, body), "label",
                        lambda: _line_of(code, body), "vocabulary")
    job = job_name(body, subject, code, message or "", config.reading.job_max_length, keys,
                   from_subject=from_subject)
    if job is not None:
        sources["job"] = job[1]
    occurred = error_time(body)
    if occurred is not None:
        sources["occurred_at"] = occurred.source
        lines["occurred_at"] = occurred.line
    return Alert(
        adapter=adapter, tenant_key=tenant, job=job[0] if job else None, error_code=code,
        message=message or "", occurred_at=occurred.at if occurred else None, raw_subject=mail.subject,
        wrapper=wrapper, sources=tuple(sorted(sources.items())), lines=tuple(sorted(lines.items())),
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
            return m.group("value").strip()[:500]
    return None


def _json(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return m.group(1).strip()[:500] if m else None


def _line_of(code: str, body: str) -> str | None:
    """The line a code stands on (without the code's own HTTP_ prefix), as the message of last resort."""
    needle = code.removeprefix("HTTP_")
    line = next((ln.strip() for ln in body.splitlines() if needle in ln), None)
    return line[:500] if line else None
