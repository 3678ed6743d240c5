"""Hostile alert mail end to end through the monitoring service into Backlog (issue 8, bad input).

Mention syntax, markdown and Backlog-notation injection, forged bot references, 4-byte characters,
a 1 MB body, a 30 MB attachment and CR/LF header injection, each as a customer alert (ACME, markdown)
and as an unroutable mail (a staff item in HOSHU, switched to Backlog notation here). Whatever lands in
Backlog has no live mention, no live markup, no 4-byte character and fits Backlog's limits (rules M1-M4
and INTERFACE "What the bot writes"); header injection adds no header and no recipient.
"""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest

from bot.mail.decode import parse_message
from bot.mailbox.source import Disposition
from tests.hostile.checks import written_problems
from tests.hostile.conftest import MailBot

KINTONE = ("SHANON CONNECT kintone アダプタで連携エラーが発生しました。\n\nサブドメイン: {tenant}\n"
           "ジョブ名: {job}\n発生日時: 2026/11/26 10:15:03\nエラーコード: CB_VA01\n"
           "エラー内容: 入力内容が正しくありません。\n")
HOSTILE = ("<@sato> <@suzuki> @sato 至急 [[危険>https://evil.example.com]] {code}x{/code} **太字** "
           "''強調'' %%取消%% &#60;script&#62; <script>alert(1)</script> "
           "![追跡](https://evil.example.com/t.png) "
           "[押して](javascript:alert(1))\n# 見出し\n* 見出し\n- 項目\n| a | b |\n> 引用\n"
           "hoshu-bot:ack:ACME-1\nhoshu-bot:confirm:ACME-1:1\n𠮷野家😀🍣\n"
           "```\n# 見出し\n**太字** <script>x</script>\n````\n- 項目\n~~~\n"
           "{/code}\n* 見出し\n''強調''\n{code}\n")


def alert(*, tenant: str = "acme-corp", job: str = "受注連携", extra: str = "",
          sender: str = "adapter@acme.example.jp", subject: str = "【kintone連携】エラー通知 受注連携",
          n: int = 1) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "alerts@hoshu.example.jp"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<hostile-{n}@hostile.test>"
    msg["Date"] = "Thu, 26 Nov 2026 10:15:30 +0900"
    msg.set_content(KINTONE.format(tenant=tenant, job=job) + extra)
    return msg


CASES = {
    "markup and mentions in an alert": lambda: alert(extra=HOSTILE, n=1),
    "markup and mentions in the job name": lambda: alert(job="[[危険]] <@sato> **太字** 😀", n=2),
    "markup and mentions unroutable": lambda: alert(tenant="unknown-tenant", sender="x@evil.example.com",
                                                    extra=HOSTILE, n=3),
    "4-byte characters everywhere": lambda: alert(
        subject="【kintone連携】エラー通知 𠮷野😀", job="𠮷野連携😀", extra="😀" * 5000, n=4),
    "a 1 MB body": lambda: alert(extra=("長い本文 <@sato> **太字** 😀\n" * 60_000)[:1_000_000], n=5),
    "a 1 MB body, unroutable": lambda: alert(tenant="nobody", sender="x@evil.example.com",
                                             extra="[[危険]] 😀 " * 100_000, n=6),
}


class TestHostileAlerts:
    @pytest.mark.parametrize("make", list(CASES.values()), ids=list(CASES))
    def test_nothing_live_reaches_backlog_and_everything_fits(self, bot: MailBot, make: object) -> None:
        raw = make().as_bytes()  # type: ignore[operator]
        assert bot.handle(raw) in (Disposition.PROCESSED, Disposition.QUARANTINE)
        assert bot.emu.state.issues, "the mail reached Backlog (as an alert or a staff item)"
        assert written_problems(bot.emu) == []

    def test_a_thirty_megabyte_attachment_is_triaged_without_its_content(self, bot: MailBot) -> None:
        msg = alert(extra=HOSTILE, n=7)
        msg.add_attachment(b"\x89PNG" + bytes(30 * 1024 * 1024), maintype="application",
                           subtype="octet-stream", filename="😀[[dump]]<@sato>.bin")
        raw = msg.as_bytes()
        assert len(raw) > 30 * 1024 * 1024
        assert bot.handle(raw) is Disposition.PROCESSED
        (issue,) = [i for i in bot.emu.state.issues.values() if "監視の検知番号" not in i.summary]
        assert len(issue.description) < 20_000 and "AAAAAAAA" not in issue.description
        assert written_problems(bot.emu) == []

    def test_the_same_hostile_mail_twice_writes_once(self, bot: MailBot) -> None:
        raw = alert(extra=HOSTILE, n=8).as_bytes()
        bot.handle(raw)
        before = len(bot.emu.requests)
        assert bot.handle(raw) is Disposition.PROCESSED
        assert [r for r in bot.emu.requests[before:] if r.method in ("POST", "PATCH")] == []


class TestHeaderInjection:
    RAW = (b"From: adapter@acme.example.jp\r\nTo: alerts@hoshu.example.jp\r\n"
           b"Subject: =?UTF-8?B?"
           + base64.b64encode("連携エラー\r\nBcc: victim@example.com\r\nX-Hoshu: injected".encode()) +
           b"?= kintone\r\nMessage-ID: <inject-1@hostile.test>\r\nDate: Thu, 26 Nov 2026 10:15:30 +0900\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
           + KINTONE.format(tenant="acme-corp", job="受注連携\r\nBcc: victim@example.com").encode() + b"\r\n")

    def test_an_encoded_crlf_in_the_subject_adds_no_header(self) -> None:
        mail = parse_message(self.RAW)
        assert "\n" not in mail.subject and "\r" not in mail.subject
        assert "Bcc" not in {name for name, _ in getattr(mail, "headers", ())}

    def test_nothing_injected_reaches_backlog_as_structure(self, bot: MailBot) -> None:
        assert bot.handle(self.RAW) in (Disposition.PROCESSED, Disposition.QUARANTINE)
        assert written_problems(bot.emu) == []
        for r in bot.emu.requests:
            assert "victim@example.com" not in " ".join(r.form.get("notifiedUserId[]", []))
            assert not any(k.lower().startswith(("bcc", "x-hoshu")) for k in r.form)
