"""Tenant keys found as whole tokens anywhere in a mail, URLs included (rules M2, P2).

A key is a customer's configured ``alert_keys`` entry (a kintone subdomain, a Salesforce org ID, a
DataSpider project prefix). It counts only as a whole token, so ``acme-corp`` is found in
``https://acme-corp.cybozu.com/k/42/`` but not in ``acme-corporation`` or ``xacme-corp``:

- no letter, digit, ``_`` or ``-`` may stand right before it, nor right after it, except that a key
  ending in ``_`` or ``-`` is a prefix (``ACME_`` names ``ACME_esm`` and ``ACME_受注取込``);
- a key of lower-case letters, digits and ``-`` is a host name part and matches in any case (DNS);
- a 15-character Salesforce ID (``00D...``) also matches its 18-character form (the same ID with the
  3-character case-safe suffix the API and Setup pages show).
"""

from __future__ import annotations

import re
from functools import lru_cache

_EDGE = "A-Za-z0-9_-"
_HOST = re.compile(r"[a-z0-9-]+")
_SF15 = re.compile(r"00D[A-Za-z0-9]{12}")


@lru_cache(maxsize=1024)
def key_pattern(key: str) -> re.Pattern[str]:
    """The compiled whole-token pattern of one configured key."""
    body = re.escape(key)
    if _SF15.fullmatch(key):
        body += "(?:[A-Za-z0-5]{3})?"
    right = "" if key[-1:] in "_-" else f"(?![{_EDGE}])"
    flags = re.IGNORECASE if _HOST.fullmatch(key) else 0
    return re.compile(f"(?<![{_EDGE}]){body}{right}", flags)


def find_key(key: str, text: str) -> re.Match[str] | None:
    """The first whole-token occurrence of ``key`` in ``text``, or None (an empty key never matches)."""
    if not key:
        return None
    return key_pattern(key).search(text)


def has_key(key: str, *texts: str) -> bool:
    """Whether ``key`` stands as a whole token in any of ``texts``."""
    return any(find_key(key, t) is not None for t in texts)
