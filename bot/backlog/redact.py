"""The API key never leaves the process in text: not in a log line, an exception or a repr (reference §11.4).

It goes only into the query string, so the query-parameter form is masked everywhere, and the key's own
value is masked in messages built from library exceptions.
"""

from __future__ import annotations

import logging
import re

_KEY_IN_TEXT = re.compile(r"(apiKey=)[^&\s'\"]+")

MIN_SECRET = 8  # shorter "keys" are not matched by value (see redact)


def redact(text: str, secret: str = "") -> str:
    """Remove the API key from any text (by value and as an ``apiKey=`` query parameter)."""
    # A key too short to be a real one (settings refuse it) is not replaced by value: masking every "a"
    # of a message would garble it and protect nothing. The query-parameter form is still masked.
    if len(secret) >= MIN_SECRET:
        text = text.replace(secret, "***")
    return _KEY_IN_TEXT.sub(r"\1***", text)


class _RedactKeyFilter(logging.Filter):
    """urllib3 logs full request URLs at DEBUG; this rewrites ``apiKey=...`` in them to ``apiKey=***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_urllib3_redaction() -> None:
    target = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactKeyFilter) for f in target.filters):
        target.addFilter(_RedactKeyFilter())
