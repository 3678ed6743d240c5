"""``parse-mail --explain``: what the bot read, where each value came from, and a ready format (issue 12).

Pure: an ``Understood`` in, text out. The ``[[customer_rule]]`` snippet pins the layout of this mail
for its customer, built from the lines the reading actually used (the error's time from the line it
was chosen from, not the first time in the mail), and names the configuration file in use (the caller
passes ``$BOT_CONFIG_DIR/monitoring.toml``). Fields a format left empty and the generic reading filled
are said so; a digest lists its entries (issue 21 items 3, 6, 7).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.mail.message import Alert, ParsedMail
from bot.mail.pipeline import Understood
from bot.mail.routing import Customer, Ignore, NoMonitoring, RouteTarget, Staff
from bot.mail.stamps import parse_stamp, stamp_text
from bot.mail.vocabulary import JAVA, KINTONE

DEFAULT_PATH = "config/monitoring.toml"

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
            "label:start": "開始・受信の見出し語（エラーや終了の時刻は書かれていません）",
            "bracket": "括弧内の名前", "key": "登録済みのキー", "subject": "件名"}.get(source, source)


def _value(alert: Alert, field: str) -> str:
    value = getattr(alert, field)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def explain(u: Understood, customers: Sequence[RouteTarget], config_path: str = DEFAULT_PATH) -> str:
    """The reading of one mail for a person, ending with a ``[[customer_rule]]`` snippet when useful."""
    lines = [f"件名: {u.mail.subject}", f"差出人: {u.mail.from_addr}", f"振り分け: {_route(u)}"]
    a = u.alert
    if a is None:
        lines.append("読み取った値: なし（エラーコードを読み取れませんでした）")
        return "\n".join(lines) + "\n"
    if u.entries:
        lines.append(f"一覧形式のメールです（{len(u.entries)} 件）。エラーごとに読み取りました:")
        for e in u.entries:
            lines.append(f"[{e.index} 件目]")
            lines += _values(e.alert) if e.alert else ["  エラーコードを読み取れません（スタッフに回します）"]
        lines += ["", "一覧形式のメールは形式を固定できません（設定された形式はメール 1 通から 1 件を"
                  "読み取るため）。各件は上記のとおり一般の読み取りで読み取ります。"]
        return "\n".join(lines) + "\n"
    lines.append("読み取った値:")
    lines += _values(a)
    if u.info is not None:
        lines.append(f"  分類: {u.info.error_class}")
    snippet = rule_snippet(u, customers)
    if snippet:
        lines += ["", f"この形式を固定するには、次の設定を {config_path} に追加してください:", "", snippet]
    return "\n".join(lines) + "\n"


def _values(a: Alert) -> list[str]:
    """One line per field: its value and where it came from (and whether a format left it empty)."""
    sources = dict(a.sources)
    out = []
    for field, label in _FIELDS:
        value = _value(a, field)
        shown = value if value else "（なし）"
        if field == "occurred_at" and not value:
            shown = "（なし：エラーの時刻が書かれていません。受信日時では代用しません）"
        where = f"（{source_text(sources[field])}）" if field in sources and value else ""
        filled = "（設定された形式では空のため、一般の読み取りで補いました）" if field in a.filled else ""
        out.append(f"  {label}: {shown}{where}{filled}")
    if a.wrapper:
        out.append(f"  （{a.wrapper} に包まれたエラーです。分類は内側のエラーコードによります）")
    return out


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


def _shape(a: Alert, field: str, stamp: str = "") -> str:
    group = _GROUP[field]
    if field == "error_code":
        return _code_shape(a.error_code)
    if field == "occurred_at":
        # The ISO shape when the stamp has it; else the rest of the line (the format reads any form).
        return f"(?P<occurred_at>{_STAMP})" if re.fullmatch(_STAMP, stamp) else r"(?P<occurred_at>\S.*?)\s*$"
    if field == "tenant_key":
        return r"(?P<tenant>[\w-]+)"
    return rf"(?P<{group}>.+?)\s*$"


def _pattern(mail: ParsedMail, a: Alert, field: str) -> str | None:
    """A regex for ``field``: the text before the value on its line (escaped), then the value's shape."""
    value = _value(a, field)
    if field == "occurred_at" and a.occurred_at is not None:
        value = _used_stamp(mail, a)
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
            if not before.strip() and (field in ("job", "message", "tenant_key")
                                       or (field == "occurred_at" and not re.fullmatch(_STAMP, value))):
                return None  # a whole line with no label before it: nothing stable to pin
            anchor = "^" + re.escape(before.lstrip()) if len(before) <= 40 else re.escape(before[-20:])
            return anchor + _shape(a, field, value)
    return None


def _used_stamp(mail: ParsedMail, a: Alert) -> str:
    """The text of the time the reading used: on the line it was chosen from, else the first line whose
    time is the alert's (never merely the first time in the mail: that may be the job's start)."""
    used = dict(a.lines).get("occurred_at")
    candidates = [used] if used else []
    candidates += [ln for ln in mail.normalised.splitlines() if parse_stamp(ln) == a.occurred_at]
    for line in candidates:
        text = stamp_text(line)
        if text and parse_stamp(text) == a.occurred_at:
            return text
    return ""
