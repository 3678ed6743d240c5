"""What monitoring writes besides the triage: the reopen link, summary comments, staff items (M2-M4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.backlog_text import Block, Code, Doc, Heading, Paragraph, Table, untrusted
from bot.mail.mask import mask
from bot.mail.message import ParsedMail
from bot.mail.triage import excerpt, jst


def with_previous(doc: Doc, previous_issue_key: str | None) -> Doc:
    """A new issue for a fingerprint whose last issue was closed names that issue (Backlog links keys)."""
    if previous_issue_key is None:
        return doc
    link = Paragraph(f"同じエラーは以前 {previous_issue_key} でご報告し、完了となっておりました。"
                     "再び発生しましたので、新しい課題としてお知らせいたします。")
    return Doc((doc.blocks[0], link, *doc.blocks[1:]))


def summary_comment(occurrences: int, since: datetime, now: datetime, total: int,
                    first_seen: datetime) -> Doc:
    """One comment per interval summarising the repeats since the last write (never one per mail, C8)."""
    return Doc.of(
        Paragraph(f"{jst(since)} 以降、同じエラーが {occurrences} 回発生しました。"),
        Table(("項目", "内容"), (
            ("この期間の発生回数", f"{occurrences}回"),
            ("累計の発生回数", f"{total}回"),
            ("初回", jst(first_seen)),
            ("集計時点", jst(now)),
        )),
        Paragraph("対応方針がお決まりでしたら、この課題へのコメントでお知らせください。"),
    )


def staff_item_summary(reason: str) -> str:
    """The staff item's title ``[監視] 振り分けできないメール: <reason>`` (our reason, no mail text)."""
    return f"[監視] 振り分けできないメール: {reason}"


@dataclass(frozen=True)
class Received:
    """How often a staff group's mail came, and when the bot received the first and the last one."""

    count: int
    first: datetime
    last: datetime


def staff_item(reason: str, mail: ParsedMail | None, uid: int, folder: str, size: int,
               received: Received | None = None) -> Doc:
    """The staff item for mail no customer can safely receive: why, how often, what it is, an excerpt.

    Routing never guesses a customer (M2): staff decide, and the mails wait in the quarantine folder.
    Later mails of the same reason, sender and subject shape are counted here, not raised again.
    """
    rows: list[tuple[str, str]] = [("理由", reason)]
    if received is not None:
        rows += [("届いた回数", f"{received.count}通"), ("初回の受信", jst(received.first)),
                 ("最後の受信", jst(received.last))]
    rows.append(("最新のメール", f"{folder} UID {uid}（{size} バイト）"))
    if mail is not None:
        rows += [
            ("差出人", _sender(mail.from_addr)),
            ("件名", mask(mail.subject)),
            ("メールの日付", jst(mail.date)),
            ("Message-ID", mask(mail.message_id or "（なし）")),
        ]
        if mail.defects:
            rows.append(("解析時の補正", ", ".join(mail.defects[:5])))
    blocks: list[Block] = [
        Paragraph("監視メールを自動で振り分けできなかったため、隔離フォルダに移しました。"
                  "内容を確認し、該当するお客様がいれば手動で対応してください。"
                  "同じ理由・同じ差出人・同じ形の件名のメールは、この課題にまとめて件数を記録します。"),
        Table(("項目", "内容"), tuple((k, untrusted(v)) for k, v in rows)),
    ]
    if mail is not None:
        blocks += [Heading(2, "最新のメール（抜粋、マスク済み）"), Code(excerpt(mail))]
    return Doc(tuple(blocks))


def staff_summary_comment(occurrences: int, since: datetime, now: datetime, total: int,
                          first: datetime) -> Doc:
    """At most one comment per interval on a staff group: how many more such mails came (issue 12)."""
    return Doc.of(
        Paragraph(f"{jst(since)} 以降、同じ理由で振り分けできないメールが {occurrences} 通届きました。"
                  "いずれも隔離フォルダに移しています。"),
        Table(("項目", "内容"), (
            ("この期間の受信数", f"{occurrences}通"),
            ("累計の受信数", f"{total}通"),
            ("初回の受信", jst(first)),
            ("集計時点", jst(now)),
        )),
    )


def _sender(address: str) -> str:
    """The sender masked like any address, but with its domain: staff need to see who sent it."""
    if "@" not in address:
        return mask(address) or "（なし）"
    return f"[メールアドレス]（ドメイン {address.rpartition('@')[2]}）"
