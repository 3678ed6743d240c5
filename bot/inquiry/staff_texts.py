"""Staff-facing Japanese texts of the inquiry flow: the staff issue, command replies, reminders, breaches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from bot.backlog_text import Bullets, Code, Doc, Heading, Link, Paragraph, Table
from bot.inquiry.commands import COMMAND_WORDS
from bot.inquiry.sla import Breach, ClockKind, Remind
from bot.inquiry.texts import fmt_datetime, fmt_hours
from bot.rules.categories import Category
from bot.rules.estimates import EstimateKind
from bot.rules.scope import ScopeFinding

__all__ = [
    "breach_notice",
    "command_done",
    "command_refused",
    "customer_command_notice",
    "help_text",
    "reminder_notice",
    "staff_issue_body",
    "staff_issue_summary",
]

_CLOCKS = {
    ClockKind.FIRST_RESPONSE: "初回回答（T2: 1 営業日以内）",
    ClockKind.UPDATE: "進捗のご報告（T3: 毎営業日）",
    ClockKind.RESULT: "作業結果のご報告（T4: 作業後 2 営業日以内）",
}

_HELP: dict[str, str] = {
    "estimate": "/bot estimate 3h E6 メモ — お見積りを作成します（E1〜E11 は任意）",
    "schedule": "/bot schedule 2026-12-05 10:00-13:00 — 作業日時を設定し、時間外割増（T7）を計算します",
    "consume": "/bot consume 0.5h 基本機能の回答 — お見積りなしで時間を消費します（C1/E4 など）",
    "purchase": "/bot purchase 6h — 追加購入を記録します（1 時間単位、H6）。保留中の承認を再開します",
    "send": "/bot send — 用意したお見積り・ご案内をお客様課題へ投稿します",
    "pause": "/bot pause — お客様確認待ちとして SLA を停止します",
    "resume": "/bot resume — 停止した SLA を再開します",
    "reject": "/bot reject — 対象外（O1〜O7）としてご案内を投稿します",
    "help": "/bot help — このヘルプを表示します",
}


def staff_issue_summary(issue_key: str, summary: str) -> str:
    """`[ACME-12] 件名`: the staff issue is found by the customer key at a glance (then fit_summary)."""
    return f"[{issue_key}] {summary}"


def staff_issue_body(
    *,
    customer: str,
    issue_key: str,
    issue_url: str,
    reporter: str,
    registered: bool,
    received: datetime,
    deadline: datetime,
    categories: Sequence[Category] = (),
    estimate: EstimateKind | None = None,
    scope: Sequence[ScopeFinding] = (),
) -> Doc:
    """The description of the staff issue opened for every customer inquiry (R2).

    Rules: T2 (the first-response deadline), C1-C8 (suspected category, never a decision), E1-E11 (the
    minimum of the suspected kind of work), O1-O7 (each suspicion with its channel and a ready-to-send
    explanation), P3 (an author who is not a registered inquirer is flagged). The staff issue links to
    the customer issue by URL; the customer side links back only through the reference lines
    (`hoshu-bot:staff:ACME-12`), because customers must not see the staff project.
    """
    rows: list[tuple[str, str]] = [
        ("お客様", customer),
        ("お客様課題", issue_key),
        ("起票者", reporter if registered else f"{reporter}（登録外のお問い合わせ担当者: P3）"),
        ("受付", fmt_datetime(received)),
        ("初回回答期限（T2）", fmt_datetime(deadline)),
    ]
    if categories:
        rows.append(("推定カテゴリ", "、".join(f"{c.id} {c.label}" for c in categories)))
    if estimate is not None:
        rows.append(("見積の最低時間", f"{estimate.id} {estimate.label}: {fmt_hours(estimate.minimum)}〜"))
    blocks: list[Heading | Paragraph | Bullets | Table | Code | Link] = [
        Heading(2, f"お問い合わせ {issue_key}"),
        Link(f"{issue_key} を開く", issue_url),
        Table(("項目", "内容"), tuple(rows)),
    ]
    if not registered:
        blocks.append(
            Paragraph(
                f"起票者 {reporter} は {customer} のお問い合わせ担当者として登録されていません（P3）。"
                "受付のご連絡は送信済みです。担当者登録の要否をご確認ください。"
            )
        )
    if any(c.consumes == "c1" for c in categories):
        blocks.append(
            Paragraph(
                "SMP 機能のお問い合わせ（C1）の疑いがあります。通常はカスタマーサポートへ引き継ぎます。"
                "お客様が保守での回答を希望された場合は /bot consume 0.5h 基本機能の回答 で記録してください。"
            )
        )
    for finding in scope:
        blocks.append(Heading(3, f"対象外の疑い {finding.rule}"))
        blocks.append(Paragraph(f"{finding.reason}。案内先: {finding.channel}"))
        blocks.append(Paragraph("お客様へのご案内文（/bot reject で投稿されます）:"))
        blocks.append(Code(finding.explanation))
    blocks.append(Heading(3, "コマンド"))
    blocks.append(Bullets(tuple(_HELP[w] for w in COMMAND_WORDS)))
    return Doc(tuple(blocks))


def help_text() -> Doc:
    """`/bot help` and unknown commands: every command with an example (obeyed from staff users only)."""
    return Doc.of(
        Paragraph("利用できるコマンドです（登録済みのスタッフのコメントのみ実行されます）。"),
        Bullets(tuple(_HELP[w] for w in COMMAND_WORDS)),
    )


def command_done(line: str, detail: str) -> Doc:
    """The short reply to an obeyed command: what was done."""
    return Doc.of(Paragraph(f"実行しました: {line}"), Paragraph(detail))


def command_refused(line: str, reason: str) -> Doc:
    """The short reply to a command that was not obeyed, and why (bad value, wrong state, H6, H10)."""
    return Doc.of(Paragraph(f"実行できませんでした: {line}"), Paragraph(reason))


def customer_command_notice(*, user: str, issue_key: str, issue_url: str, lines: Sequence[str]) -> Doc:
    """A `/bot` line written by someone who is not staff: ignored, and staff are told (never obeyed)."""
    return Doc.of(
        Paragraph(
            f"{issue_key} で、スタッフとして登録されていないユーザー {user} が"
            " /bot コマンドを書き込みました。コマンドは実行していません。"
        ),
        Code("\n".join(lines)),
        Link(f"{issue_key} を開く", issue_url),
    )


def reminder_notice(action: Remind, *, issue_url: str) -> Doc:
    """R2: a clock reached the reminder point (default 75 %); sent only in business hours (T1)."""
    return Doc.of(
        Paragraph(
            f"{action.issue_key} の{_CLOCKS[action.kind]}の期限が近づいています。"
            f"期限は {fmt_datetime(action.due)}、残りは営業時間で {fmt_hours(_whole(action.left))}です。"
        ),
        Link(f"{action.issue_key} を開く", issue_url),
    )


def breach_notice(action: Breach, *, issue_url: str) -> Doc:
    """R2: a clock ran out; staff are told once, in business hours (T1). Explain the delay to the customer."""
    return Doc.of(
        Paragraph(
            f"{action.issue_key} の{_CLOCKS[action.kind]}の期限 {fmt_datetime(action.due)} を過ぎました。"
            "至急ご対応のうえ、お客様へ遅延のご説明をお願いします。"
        ),
        Link(f"{action.issue_key} を開く", issue_url),
    )


def _whole(hours: Decimal) -> Decimal:
    # Business hours left may carry minutes; staff need a glance, so round down to the 0.5 h of H10.
    return (hours * 2).to_integral_value(rounding=ROUND_FLOOR) / 2
