"""Masking personal data in mail excerpts before they reach a ticket (INTERFACE: no other data leaks)."""

from __future__ import annotations

import re

EMAIL_MASK = "[メールアドレス]"
PHONE_MASK = "[電話番号]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# Japanese numbers: 0N-NNNN-NNNN, 0NN(NNN)NNNN, 0120-..., +81 ..., and bare 10-11 digit runs from 0.
_PHONE = re.compile(r"(?<![\w.-])(?:\+81[- ]?\(?0?\)?\d{1,4}|0\d{1,4})[- (]?\d{1,4}[- )]?\d{3,4}(?![\w-])",
                    re.ASCII)


def mask(text: str) -> str:
    """Replace e-mail addresses and phone numbers by placeholders."""
    return _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text))
