"""Config-driven parsers that turn an adapter error mail into an Alert (rules M2, C8; reference D)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from functools import lru_cache

from bot.config.monitoring import MonitoringConfig, ParserRule
from bot.mail.error_table import unwrap
from bot.mail.generic import UNKNOWN_ADAPTER, read_generic
from bot.mail.jobs import clean
from bot.mail.message import Alert, ParsedMail, normalise
from bot.mail.stamps import JST, parse_stamp
from bot.mail.vocabulary import innermost

__all__ = ["JST", "adapter_label", "adapter_labels", "parse_alert", "parse_format", "parse_stamp"]

UNKNOWN_LABEL = "連携アダプタ"
_FIELDS = ("tenant", "job", "code", "message", "occurred_at")
_SOURCE_NAMES = {"tenant": "tenant_key", "job": "job", "code": "error_code", "message": "message",
                 "occurred_at": "occurred_at"}


@lru_cache(maxsize=512)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


def parse_alert(mail: ParsedMail, config: MonitoringConfig, customers: Sequence[str] = (),
                keys: Sequence[str] = (), *, from_subject: bool = True) -> Alert | None:
    """The Alert a mail carries, or None when neither a format nor the generic reading finds a code.

    The configured formats are an override tried first (``parse_format``); the generic reading
    (``bot.mail.generic``, values recognised by their shape, tenant by ``keys``; the job from the subject
    only with ``from_subject``, which a digest's entries do without) is the default. Without
    a recognisable error code the mail is not an alert we understand and goes to staff (never guessed).
    """
    pinned = parse_format(mail, config, customers)
    generic = read_generic(mail, config, keys, from_subject=from_subject)
    if pinned is None or generic is None:
        return pinned or generic
    return _fill(pinned, generic)


def _fill(pinned: Alert, generic: Alert) -> Alert:
    """A format's reading with the fields it left empty taken from the generic one (issue 21 item 3):
    tenant, job, time and message; ``sources`` says where each came from and ``filled`` which were
    filled. The message the generic reading took from the code's own line is no better than none when
    the format's code is another one, so it is taken only for the same code."""
    have = dict(pinned.sources)
    theirs = dict(generic.sources)
    lines = dict(pinned.lines)
    changes: dict[str, object] = {}
    for name in ("tenant_key", "job", "occurred_at", "message"):
        if getattr(pinned, name) or not getattr(generic, name):
            continue
        if name == "message" and generic.error_code != pinned.error_code and theirs.get(name) != "label":
            continue
        changes[name] = getattr(generic, name)
        have[name] = theirs.get(name, "vocabulary")
        if name in dict(generic.lines):
            lines[name] = dict(generic.lines)[name]
    if not changes:
        return pinned
    return replace(pinned, **changes, sources=tuple(sorted(have.items())),  # type: ignore[arg-type]
                   lines=tuple(sorted(lines.items())), filled=tuple(sorted(changes)))


def parse_format(mail: ParsedMail, config: MonitoringConfig, customers: Sequence[str] = ()) -> Alert | None:
    """The Alert of the first configured format that matches and yields an error code, else None.

    Per-customer rules of ``customers`` (the customers whose alert senders sent it) come first, then
    the shipped adapters in configuration order. Every field found says ``format:<name>``.
    """
    candidates: list[tuple[str, str, ParserRule]] = [
        (cr.adapter, f"customer_rule:{cr.customer}", rule)
        for cr in config.customer_rules if cr.customer in customers for rule in cr.rules
    ]
    candidates += [(a.name, a.name, rule) for a in config.adapters for rule in a.rules]
    subject = mail.normalised_subject
    body = mail.normalised
    for adapter, name, rule in candidates:
        if not _matches(rule, mail.from_addr, subject, body):
            continue
        fields = _extract(rule.extract, (subject, body))
        original = _extract(rule.extract, (mail.subject, mail.text))
        code = fields.get("code")
        if not code:
            continue
        if code.isdigit() and len(code) == 3:  # an HTTP status, whichever adapter wrote it
            code = f"HTTP_{code}"
        message = fields.get("message", "")
        inner, wrapper = unwrap(code, f"{message}\n{body}")
        if wrapper is None:
            inner, wrapper = innermost(code, body, adapter)
        source = f"format:{name}"
        job = clean(fields["job"], inner, message, config.reading.job_max_length) if "job" in fields else None
        sources = {"adapter": source, **{_SOURCE_NAMES[f]: source for f in fields}}
        if job is None:
            sources.pop("job", None)
        occurred = parse_stamp(fields.get("occurred_at", ""))
        if occurred is None:
            sources.pop("occurred_at", None)
        return Alert(
            adapter=adapter, tenant_key=fields.get("tenant"), job=job, error_code=inner,
            message=message, occurred_at=occurred, raw_subject=mail.subject, wrapper=wrapper,
            job_text=_as_written(original.get("job"), job),
            message_text=_as_written(original.get("message"), message),
            sources=tuple(sorted(sources.items())),
        )
    return None


def _as_written(original: str | None, normalised: str | None) -> str | None:
    """The value as the mail wrote it, when the same pattern found it in the original text and it is the
    same value once normalised; else None (the normalised value is then shown)."""
    if original and normalised and normalise(original) == normalised:
        return original
    return None


def adapter_label(config: MonitoringConfig, adapter: str) -> str:
    """The human label of an adapter (e.g. ``SMP for Salesforce``); the name itself when not configured,
    ``連携アダプタ`` for an error whose mail names no adapter (``generic.UNKNOWN_ADAPTER``)."""
    if adapter == UNKNOWN_ADAPTER:
        return UNKNOWN_LABEL
    return next((a.label for a in config.adapters if a.name == adapter), adapter)


def _matches(rule: ParserRule, sender: str, subject: str, body: str) -> bool:
    if rule.senders and not any(fnmatchcase(sender, p.lower()) for p in rule.senders):
        return False
    if rule.subject is not None and not _rx(rule.subject).search(subject):
        return False
    return rule.body is None or bool(_rx(rule.body).search(body))


def _extract(patterns: Iterable[str], texts: tuple[str, str]) -> dict[str, str]:
    """The first value found for each named group, trying each pattern on the subject, then the body."""
    found: dict[str, str] = {}
    for pattern in patterns:
        rx = _rx(pattern)
        for text in texts:
            m = rx.search(text)
            if m is None:
                continue
            for name, value in m.groupdict().items():
                if name in _FIELDS and value and name not in found:
                    found[name] = value.strip()[:500]
            break
    return found


def adapter_labels(config: MonitoringConfig) -> dict[str, str]:
    """Every configured adapter's display name by its id, for texts that name adapters (the report, M2)."""
    return {a.name: a.label for a in config.adapters}
