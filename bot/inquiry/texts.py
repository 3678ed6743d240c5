"""Customer-facing Japanese texts of the inquiry flow (です・ます), built as `Doc`s for either notation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.backlog_text import Bullets, Doc, Heading, Paragraph, Table
from bot.figures import hours_figure, yen_figure
from bot.hour_tracker import Balance, Quote
from bot.rules.calendar import BandPart
from bot.rules.scope import ScopeFinding

__all__ = [
    "JST",
    "Hours",
    "acknowledgement",
    "approval_before_estimate",
    "approval_confirmed",
    "approval_held",
    "fmt_date",
    "fmt_datetime",
    "fmt_hours",
    "fmt_yen",
    "out_of_scope_reply",
    "quarter_end_notice",
    "quote_text",
    "reference",
    "rejection_acknowledged",
    "usage_notice",
]

JST = ZoneInfo("Asia/Tokyo")
_WEEKDAYS = "月火水木金土日"
_BANDS = {
    "business": "営業時間内",
    "evening": "平日 18:00〜22:00",
    "night": "平日 22:00〜翌 10:00",
    "holiday": "土日祝・休業日",
}


# --- formatting -----------------------------------------------------------------------------------
def fmt_date(d: date | datetime) -> str:
    """`2026年11月30日(月)`; an aware datetime is read in JST first."""
    if isinstance(d, datetime):
        d = d.astimezone(JST).date()
    return f"{d.year}年{d.month}月{d.day}日({_WEEKDAYS[d.weekday()]})"


def fmt_datetime(t: datetime) -> str:
    """`2026年11月30日(月) 18:00` in JST (T2 deadlines as the customer reads them)."""
    t = t.astimezone(JST)
    return f"{fmt_date(t)} {t:%H:%M}"


def _number(h: Decimal) -> str:
    return hours_figure(h)


def fmt_hours(h: Decimal) -> str:
    """`0.5 時間`, `6 時間` (exact decimals, H10; never `6.0` or `1.2E+1`)."""
    return f"{_number(h)} 時間"


def fmt_yen(amount: int | Decimal) -> str:
    """`90,000 円（税抜）` (H6 prices exclude tax)."""
    return f"{yen_figure(amount)} 円（税抜）"


def reference(kind: str, key: str) -> str:
    """The last-line reference of a bot text (INTERFACE), e.g. `hoshu-bot:ack:ACME-12`."""
    return f"hoshu-bot:{kind}:{key}"


@dataclass(frozen=True)
class Hours:
    """The quarter's hours as the customer sees them (T5, R3): used, left, last valid day (H4)."""

    used: Decimal
    left: Decimal
    start: date
    expires: date

    @classmethod
    def from_balance(cls, balance: Balance) -> Hours:
        """From the ledger's balance; the quarter's end is exclusive: the last valid day is the one before."""
        q = balance.quarter
        return cls(balance.consumed, balance.remaining, q.start, q.end - timedelta(days=1))

    def line(self) -> str:
        """One sentence: used and left this quarter and when they expire."""
        return (
            f"今四半期（{fmt_date(self.start)}〜{fmt_date(self.expires)}）のご利用時間は "
            f"{fmt_hours(self.used)}、残りは {fmt_hours(max(self.left, Decimal(0)))}です"
            f"（{fmt_date(self.expires)} まで有効です）。"
        )


# --- acknowledgement (flow ②) -------------------------------------------------------------------------
def acknowledgement(
    *,
    deadline: datetime,
    hours: Hours,
    function_inquiry: bool = False,
    registered: bool = True,
    flat_hours: Decimal = Decimal("0.5"),
) -> Doc:
    """The first comment on every new inquiry.

    Rules: T2 (the deadline of the first answer, JST), T5/R3 (hours used and left, expiry, H4),
    C1/E4 (an SMP function inquiry goes to customer support free of charge unless the customer asks
    maintenance to answer, flat ``flat_hours``), P3 (an author who is not a registered inquirer is told
    that staff will confirm; staff are flagged separately).
    """
    blocks: list[Paragraph | Bullets] = [
        Paragraph("お問い合わせいただき、ありがとうございます。保守窓口にて内容を受け付けました。"),
        Paragraph(f"担当者より {fmt_datetime(deadline)} までにご回答いたします。"),
        Paragraph(hours.line()),
    ]
    if function_inquiry:
        blocks.append(
            Paragraph(
                "本件は SMP の機能・操作に関するお問い合わせと思われますので、カスタマーサポート窓口へ"
                "お引き継ぎし、無償でご回答いたします。保守窓口からの回答をご希望の場合は、その旨を"
                f"コメントでお知らせください（{fmt_hours(flat_hours)}を消費いたします）。"
            )
        )
    if not registered:
        blocks.append(
            Paragraph(
                "なお、ご起票いただいたアカウントはお問い合わせ担当者としてご登録がないため、"
                "弊社担当者が確認のうえご連絡いたします。"
            )
        )
    blocks.append(Paragraph("引き続きよろしくお願いいたします。"))
    return Doc(tuple(blocks))


# --- quote (flow ⑤) -----------------------------------------------------------------------------------
def _band_line(part: BandPart) -> str:
    label = _BANDS.get(part.band, part.band)
    return (
        f"{fmt_datetime(part.start)}〜{part.end.astimezone(JST):%H:%M} {label}: "
        f"{fmt_hours(part.hours)} × {part.multiplier:.1f} = {fmt_hours(part.weighted)}"
    )


def quote_text(
    quote: Quote,
    *,
    parts: Sequence[BandPart] = (),
    approval_word: str = "承認",
    rejection_word: str = "却下",
) -> Doc:
    """The estimate sent to the customer.

    Rules: ⑤ and H7 (hours, left now and after, whole hours to buy and their price), H6 (15,000 yen per
    hour; about a week of paperwork), T7 (breakdown by off-hours band when a work span is scheduled),
    T6/H6/O7 warnings from the quote, ⑥ (approve with a comment starting with ``approval_word``,
    decline with ``rejection_word``) and H8 (hours are consumed in the quarter of the approval).
    """
    hours = Hours.from_balance(quote.balance)
    rows: list[tuple[str, str]] = [("作業時間（お見積り）", fmt_hours(quote.worked))]
    if quote.requested != quote.worked:
        rows.append(("消費時間（時間外・休日の割増後）", fmt_hours(quote.requested)))
    rows.append(("現在の残り時間", f"{fmt_hours(hours.left)}（{fmt_date(hours.expires)} まで有効）"))
    after = quote.remaining_after
    short = f"（{fmt_hours(-after)}不足）" if after < 0 else ""
    rows.append(("作業後の残り時間", f"{fmt_hours(max(after, Decimal(0)))}{short}"))
    if quote.purchase_needed > 0:
        rows.append(("追加購入が必要な時間", fmt_hours(quote.purchase_needed)))
        rows.append(("追加購入の金額", fmt_yen(quote.purchase_price)))
    blocks: list[Heading | Paragraph | Bullets | Table] = [
        Heading(2, "お見積り"),
        Paragraph("本件の作業について、以下のとおりお見積りいたします。"),
        Table(("項目", "内容"), tuple(rows)),
    ]
    if parts:
        blocks.append(Paragraph("時間外・休日の作業は、時間帯ごとに以下の倍率で時間を消費いたします。"))
        blocks.append(Bullets(tuple(_band_line(p) for p in parts)))
    if quote.purchase_needed > 0:
        blocks.append(
            Paragraph(
                f"残り時間が不足するため、{fmt_hours(quote.purchase_needed)}の追加購入が必要です"
                "（1 時間単位、購入した四半期内のみ有効です）。"
            )
        )
    if quote.warnings:
        blocks.append(Paragraph("ご注意いただきたい点:"))
        blocks.append(Bullets(tuple(f"{w.reason}（{w.rule}）" for w in quote.warnings)))
    blocks.append(
        Paragraph(
            f"この内容でよろしければ「{approval_word}」で始まるコメントをお書きください。"
            f"お見送りの場合は「{rejection_word}」で始まるコメントをお願いいたします。"
            "ご承認いただいた時点で、その四半期の時間から消費いたします。"
        )
    )
    return Doc(tuple(blocks))


# --- the customer's answer (flow ⑥-⑦) --------------------------------------------------------------
def approval_confirmed(*, consumed: Decimal, hours: Hours) -> Doc:
    """H8: the approval was recorded and ``consumed`` hours taken from the quarter of the approval."""
    return Doc.of(
        Paragraph("ご承認いただき、ありがとうございます。作業を開始いたします。"),
        Paragraph(f"今回 {fmt_hours(consumed)}を消費いたしました。{hours.line()}"),
        Paragraph("作業結果は、作業後 2 営業日以内にご報告いたします。"),
    )


def approval_held(
    *, requested: Decimal, left: Decimal, purchase_needed: Decimal, price: int, paperwork_days: int = 7
) -> Doc:
    """H6/H7: an approval that needs hours not yet bought is held until staff record the purchase."""
    return Doc.of(
        Paragraph("ご承認いただき、ありがとうございます。"),
        Paragraph(
            f"お見積りの {fmt_hours(requested)}に対し、今四半期の残りは {fmt_hours(max(left, Decimal(0)))}"
            f"のため、{fmt_hours(purchase_needed)}（{fmt_yen(price)}）の追加購入が必要です。"
        ),
        Paragraph(
            f"追加購入のお手続きには約 {paperwork_days} 日かかります。お手続きの完了を確認でき次第、"
            "時間を消費して作業を開始いたします。それまで本件の作業は保留とさせていただきます。"
        ),
    )


def approval_before_estimate() -> Doc:
    """⑤ before ⑥: an approval with no quote on the issue consumes nothing and is explained."""
    return Doc.of(
        Paragraph("ご連絡ありがとうございます。"),
        Paragraph(
            "本件はまだお見積りをお送りしていないため、時間の消費は行っておりません。"
            "お見積りをお送りしましたら、内容をご確認のうえあらためてご承認をお願いいたします。"
        ),
    )


def rejection_acknowledged() -> Doc:
    """⑥ declined: nothing is consumed; the issue stays open for questions."""
    return Doc.of(
        Paragraph("ご連絡ありがとうございます。お見積りの件、お見送りとして承りました。"),
        Paragraph(
            "時間の消費は行っておりません。内容を変更してのご依頼やご質問は、本課題にコメントください。"
        ),
    )


def out_of_scope_reply(findings: Sequence[ScopeFinding]) -> Doc:
    """O1-O7 (`/bot reject`): each confirmed rule's ready-to-send explanation and the right channel."""
    blocks = [Paragraph("お問い合わせいただき、ありがとうございます。")]
    blocks += [Paragraph(f.explanation) for f in findings]
    blocks.append(
        Paragraph("ご不明な点がございましたら、本課題にコメントください。時間の消費は行っておりません。")
    )
    return Doc(tuple(blocks))


# --- hour notices (H4, R3) ----------------------------------------------------------------------------
def quarter_end_notice(*, hours: Hours) -> Doc:
    """H4: the quarter's hours expire at its end, whatever was used; nothing carries over (H5)."""
    return Doc.of(
        Paragraph(
            f"今四半期の時間は {fmt_date(hours.expires)} をもって失効いたします。"
            f"現在の残りは {fmt_hours(max(hours.left, Decimal(0)))}です。"
        ),
        Paragraph(
            "残り時間は翌四半期へ繰り越されませんので、ご依頼がございましたらお早めにお知らせください。"
        ),
    )


def usage_notice(*, percent: int, hours: Hours, available: Decimal, spot_price: int = 15_000) -> Doc:
    """R3/H6: the quarter's usage reached ``percent`` % (80 or 100) of ``available`` hours."""
    first = (
        f"今四半期のご利用時間が {fmt_hours(hours.used)}となり、ご利用可能な {fmt_hours(available)}の"
        f" {percent}% に達しました。"
    )
    if percent >= 100:
        follow = (
            "今四半期の時間をすべてご利用いただいたため、以降の作業には追加購入"
            f"（1 時間あたり {fmt_yen(spot_price)}）が必要です。"
            f"追加購入分は購入された四半期内（{fmt_date(hours.expires)} まで）のみ有効です。"
        )
    else:
        follow = (
            f"残りは {fmt_hours(max(hours.left, Decimal(0)))}（{fmt_date(hours.expires)} まで有効）です。"
        )
    return Doc.of(Paragraph(first), Paragraph(follow))
