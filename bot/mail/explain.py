"""``parse-mail --explain``: what the bot read, where each value came from, and a ready format (issue 12).

Pure: an ``Understood`` in, text out. The ``[[customer_rule]]`` snippet pins the layout of this mail
for its customer (``config/monitoring.toml``), built from the lines on which the values stood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.mail.message import Alert, ParsedMail
from bot.mail.pipeline import Understood
from bot.mail.routing import Customer, Ignore, NoMonitoring, RouteTarget, Staff
from bot.mail.vocabulary import JAVA, KINTONE

_FIELDS = (("adapter", "アダプタ"), ("tenant_key", "テナント"), ("job", "ジョブ"),
           ("error_code", "エラーコード"), ("occurred_at", "エラー発生日時"), ("message", "エラー内容"))
_GROUP = {"tenant_key": "tenant", "job": "job", "error_code": "code", "message": "message",
          "occurred_at": "occurred_at"}
_STAMP = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?"


def source_text(source: str) -> str:
    """A field's source as a person reads it."""
    if source.startswith("format:customer_rule:"):
        return f"お客様別の形式（{source.rsplit(':', 1)[1]}）"
    if source.startswith("format:"):
        return f"設定された形式（{source.split(':', 1)[1]}）"
    return {"sender": "差出人の設定", "vocabulary": "値の形・語彙", "label": "見出し語",
            "key": "登録済みのキー", "subject": "件名"}.get(source, source)


def _value(alert: Alert, field: str) -> str:
    value = getattr(alert, field)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def explain(u: Understood, customers: Sequence[RouteTarget]) -> str:
    """The reading of one mail for a person, ending with a ``[[customer_rule]]`` snippet when useful."""
    lines = [f"件名: {u.mail.subject}", f"差出人: {u.mail.from_addr}", f"振り分け: {_route(u)}"]
    a = u.alert
    if a is None:
        lines.append("読み取った値: なし（エラーコードを読み取れませんでした）")
        return "\n".join(lines) + "\n"
    sources = dict(a.sources)
    lines.append("読み取った値:")
    for field, label in _FIELDS:
        value = _value(a, field)
        shown = value if value else "（なし）"
        where = f"（{source_text(sources[field])}）" if field in sources and value else ""
        lines.append(f"  {label}: {shown}{where}")
    if a.wrapper:
        lines.append(f"  （{a.wrapper} に包まれたエラーです）")
    if u.info is not None:
        lines.append(f"  分類: {u.info.error_class}")
    snippet = rule_snippet(u, customers)
    if snippet:
        lines += ["", "この形式を固定するには、次の設定を config/monitoring.toml に追加してください:", "",
                  snippet]
    return "\n".join(lines) + "\n"


def _route(u: Understood) -> str:
    r = u.route
    if isinstance(r, Customer):
        return f"{r.project} のプロジェクトに監視アラートとして登録します"
    if isinstance(r, NoMonitoring):
        return f"{r.project}（監視オプションなし）: 課題は作成しません"
    if isinstance(r, Staff):
        return f"スタッフプロジェクトへ（{r.shown}）"
    if isinstance(r, Ignore):
        return f"処理しません（{r.reason}）"
    return str(r)


def rule_snippet(u: Understood, customers: Sequence[RouteTarget]) -> str | None:
    """A ``[[customer_rule]]`` that reads this mail's layout, or None when there is nothing to pin
    (no alert, no sender's customer, or every value came from a format already)."""
    a = u.alert
    if a is None:
        return None
    sender = u.mail.from_addr
    customer = next((c.project for c in customers if sender in {s.lower() for s in c.alert_senders}), None)
    if customer is None or all(s.startswith("format:customer_rule:") for _, s in a.sources):
        return None
    extract = [p for f in ("tenant_key", "job", "error_code", "occurred_at", "message")
               if (p := _pattern(u.mail, a, f)) is not None]
    if not any("(?P<code>" in p for p in extract):
        return None
    out = ["[[customer_rule]]", f'customer = "{customer}"', f'adapter = "{a.adapter}"',
           "[[customer_rule.rule]]", f'senders = ["{sender}"]']
    prefix = re.split(r"\d", u.mail.normalised_subject, maxsplit=1)[0].strip()[:30]
    if prefix:
        out.append(f"subject = '''^{re.escape(prefix)}'''")
    out.append("extract = [")
    out += [f"  '''{p}'''," for p in extract]
    out.append("]")
    return "\n".join(out)


def _code_shape(code: str) -> str:
    if KINTONE.fullmatch(code):
        return r"(?P<code>(?:CB|GAIA)_[A-Z]{2}\d{2})"
    if code.startswith("HTTP_"):
        return r"(?P<code>\d{3})"
    if JAVA.fullmatch(code):
        return r"(?:[\w$]+\.)*(?P<code>\w+(?:Exception|Error))"
    return r"(?P<code>[A-Z][A-Z0-9_]+)"


def _shape(a: Alert, field: str) -> str:
    group = _GROUP[field]
    if field == "error_code":
        return _code_shape(a.error_code)
    if field == "occurred_at":
        return f"(?P<occurred_at>{_STAMP})"
    if field == "tenant_key":
        return r"(?P<tenant>[\w-]+)"
    return rf"(?P<{group}>.+?)\s*$"


def _pattern(mail: ParsedMail, a: Alert, field: str) -> str | None:
    """A regex for ``field``: the text before the value on its line (escaped), then the value's shape."""
    value = _value(a, field)
    if field == "occurred_at" and a.occurred_at is not None:
        m = re.search(_STAMP, mail.normalised)
        value = m.group(0) if m else ""
    if field == "error_code":
        value = value.removeprefix("HTTP_")
    if not value:
        return None
    for text in (mail.normalised, mail.normalised_subject):
        for line in text.splitlines():
            at = line.find(value)
            if at < 0:
                continue
            before = line[:at]
            if field == "error_code" and JAVA.fullmatch(a.error_code):
                before = re.sub(r"(?:[\w$]+\.)+$", "", before)
            if not before.strip() and field in ("job", "message", "tenant_key"):
                return None  # a whole line with no label before it: nothing stable to pin
            anchor = "^" + re.escape(before.lstrip()) if len(before) <= 40 else re.escape(before[-20:])
            return anchor + _shape(a, field)
    return None
