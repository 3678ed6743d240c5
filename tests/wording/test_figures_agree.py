"""No text contradicts itself (issue 20 item 7): the figures of each quote golden add up.

Read back from the rendered text as a customer reads it: 残り − 消化 = 作業後の残り (or the shortfall),
残り + 追加購入 − 消化 = 追加購入後の残り, 追加購入 × 15,000 円 = 金額, and the off-hours bullets sum to the
figure that rounds up to the table's 消化時間.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
HOURS = re.compile(r"([\d.]+) 時間")
BAND = re.compile(r"^- .*: 作業 [\d.]+ 時間 ×[\d.]+ = ([\d.]+) 時間$", re.M)
TOTAL = re.compile(r"合計 ([\d.]+) 時間を 0.5 時間単位に切り上げて、消化時間は ([\d.]+) 時間です")


def _rows(text: str) -> dict[str, str]:
    return {m[1].strip(): m[2].strip() for m in re.finditer(r"^\| ([^|]+) \| ([^|]+) \|$", text, re.M)}


def _h(cell: str) -> Decimal:
    m = HOURS.search(cell)
    assert m is not None, cell
    return Decimal(m[1])


QUOTES = sorted(GOLDEN.glob("customer.quote.*.markdown.txt"))


def test_there_are_quote_goldens() -> None:
    assert len(QUOTES) >= 5


@pytest.mark.parametrize("path", QUOTES, ids=[p.name for p in QUOTES])
def test_the_quote_figures_add_up(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rows = _rows(text)
    worked = _h(rows["作業時間（お見積り）"])
    consumed = _h(rows.get("消化時間（時間外・休日の割増後）", rows["作業時間（お見積り）"]))
    left = _h(rows["当四半期の残り時間（現在）"])
    after = rows["作業後の残り時間"]
    if "追加購入が必要な時間" in rows:
        need = _h(rows["追加購入が必要な時間"])
        short = consumed - left
        assert after == f"0 時間（{short.normalize():f} 時間不足）"
        assert need == math.ceil(short)  # whole hours (H6, H7)
        price = int(rows["追加購入の金額"].split(" ")[0].replace(",", ""))
        assert price == need * 15_000
        assert _h(rows["追加購入後の残り時間"]) == left + need - consumed
    else:
        assert _h(after) == left - consumed
    products = [Decimal(m[1]) for m in BAND.finditer(text)]
    if products:
        total = TOTAL.search(text)
        assert total is not None
        assert sum(products) == Decimal(total[1])
        assert Decimal(total[2]) == consumed == math.ceil(sum(products) * 2) / Decimal(2)
    assert worked <= consumed
