"""Routing and trust (rule M2; never a guessed customer) and the auto-reply/loop guard."""

from __future__ import annotations

import pytest

from bot.mail.decode import parse_message
from bot.mail.message import Alert
from bot.mail.routing import Customer, Ignore, NoMonitoring, Route, Staff, route
from tests.mail.support import CUSTOMERS

BOT = ("hoshu-bot@vendor.example.jp",)
ALERT = Alert("kintone", None, None, "CB_VA01", "", None, "s")


def _mail(
    frm: str,
    body: str,
    subject: str = "kintone error",
    extra: str = "",
    ctype: str = "text/plain; charset=utf-8",
) -> bytes:
    return (
        f"From: {frm}\nTo: alerts@hoshu.example.jp\nSubject: {subject}\n{extra}"
        f"Content-Type: {ctype}\n\n{body}\n"
    ).encode()


CASES: list[tuple[str, bytes, Alert | None, type[Route], str]] = [
    (
        "trusted sender and key",
        _mail("adapter@acme.example.jp", "サブドメイン: acme-corp"),
        ALERT,
        Customer,
        "ACME",
    ),
    (
        "sender address is case-insensitive",
        _mail("Adapter@ACME.example.jp", "acme-corp"),
        ALERT,
        Customer,
        "ACME",
    ),
    (
        "second sender of the customer",
        _mail("dsc-notify@acme.example.jp", "ACME_受注"),
        ALERT,
        Customer,
        "ACME",
    ),
    (
        "customer without monitoring (M2)",
        _mail("alerts@beta.example.co.jp", "beta-shoji"),
        ALERT,
        NoMonitoring,
        "BETA",
    ),
    ("unknown sender, no key", _mail("x@gamma.example.com", "gamma"), ALERT, Staff, "unknown sender"),
    ("right key, wrong sender (spoof)", _mail("x@evil.example.com", "acme-corp"), ALERT, Staff, "spoof"),
    (
        "key of one customer from another's sender",
        _mail("alerts@beta.example.co.jp", "acme-corp"),
        ALERT,
        Staff,
        "spoof",
    ),
    (
        "keys of two customers",
        _mail("adapter@acme.example.jp", "acme-corp beta-shoji"),
        ALERT,
        Staff,
        "several customers",
    ),
    ("known sender without key", _mail("adapter@acme.example.jp", "nothing"), ALERT, Staff, "no tenant key"),
    (
        "trusted but no adapter format",
        _mail("adapter@acme.example.jp", "acme-corp"),
        None,
        Staff,
        "no recognisable error code",
    ),
    (
        "own mail by header",
        _mail("adapter@acme.example.jp", "acme-corp", extra="X-Hoshu-Bot: ack\n"),
        ALERT,
        Ignore,
        "own mail",
    ),
    ("own mail by address", _mail("hoshu-bot@vendor.example.jp", "acme-corp"), ALERT, Ignore, "own mail"),
    (
        "RFC 3834 auto-replied",
        _mail("adapter@acme.example.jp", "acme-corp", extra="Auto-Submitted: auto-replied\n"),
        ALERT,
        Ignore,
        "auto-replied",
    ),
    (
        "auto-generated is processed",
        _mail("adapter@acme.example.jp", "acme-corp", extra="Auto-Submitted: auto-generated\n"),
        ALERT,
        Customer,
        "ACME",
    ),
    (
        "X-Autoreply",
        _mail("adapter@acme.example.jp", "acme-corp", extra="X-Autoreply: yes\n"),
        ALERT,
        Ignore,
        "out-of-office",
    ),
    (
        "subject 自動応答",
        _mail("adapter@acme.example.jp", "acme-corp", subject="=?UTF-8?B?6Ieq5YuV5b+c562U?="),
        ALERT,
        Ignore,
        "out-of-office",
    ),
    (
        "subject Out of Office",
        _mail("adapter@acme.example.jp", "acme-corp", subject="Out of Office: kintone"),
        ALERT,
        Ignore,
        "out-of-office",
    ),
    ("mailer-daemon", _mail("MAILER-DAEMON@mx.example.jp", "acme-corp"), ALERT, Ignore, "bounce"),
    (
        "multipart/report",
        _mail(
            "adapter@acme.example.jp",
            "acme-corp",
            ctype="multipart/report; report-type=delivery-status; boundary=x",
        ),
        ALERT,
        Ignore,
        "bounce",
    ),
]


class TestRoute:
    @pytest.mark.parametrize(
        ("raw", "alert", "kind", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
    )
    def test_routes_by_sender_and_key_together(
        self, raw: bytes, alert: Alert | None, kind: type[Route], detail: str
    ) -> None:
        r = route(parse_message(raw), alert, CUSTOMERS, BOT)
        assert isinstance(r, kind)
        value = r.project if isinstance(r, Customer | NoMonitoring) else r.reason
        assert detail in value

    def test_never_routes_to_a_customer_whose_key_is_absent(self) -> None:
        r = route(parse_message(_mail("adapter@acme.example.jp", "beta-shoji")), ALERT, CUSTOMERS, BOT)
        assert isinstance(r, Staff)
