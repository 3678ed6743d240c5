"""Safe content (INTERFACE "What the bot writes"; issue 3 part 4): 4-byte, limits, reference, mentions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.backlog.refs import (
    FORMS,
    Form,
    find_reference,
    is_reference,
    reference_data,
    reference_line,
    shown,
    strip_reference,
    with_reference,
)
from bot.backlog.text import (
    COMMENT_MAX,
    REPLACEMENT,
    SUMMARY_MAX,
    TRUNCATION_NOTE,
    Bullets,
    Code,
    Doc,
    Heading,
    Link,
    Paragraph,
    Table,
    escape_backlog,
    escape_markdown,
    fit,
    fit_summary,
    neutralise_mentions,
    render,
    replace_4byte,
    truncate,
    untrusted,
)

REF = "hoshu-bot:ack:ACME-12"


class TestReplace4Byte:
    def test_emoji_become_the_geta_mark(self) -> None:
        assert replace_4byte("了解です👍🏻！") == f"了解です{REPLACEMENT}{REPLACEMENT}！"

    def test_bmp_japanese_is_kept(self) -> None:
        assert replace_4byte("株式会社アクメ ＜全角＞ ①") == "株式会社アクメ ＜全角＞ ①"

    @given(st.text())
    def test_result_is_never_wider_than_three_utf8_bytes_per_character(self, text: str) -> None:
        out = replace_4byte(text)
        assert all(len(ch.encode("utf-8")) <= 3 for ch in out)
        assert len(out) == len(text)


class TestReference:
    def test_a_customer_visible_reference_is_written_as_its_document_number(self) -> None:
        """INTERFACE (2026-12-03): a customer reads 受付番号：ACME-12, the bot reads hoshu-bot:ack:ACME-12."""
        text = with_reference("お問い合わせを受け付けました。", REF)
        assert text.splitlines()[-1] == "受付番号：ACME-12"
        assert "hoshu-bot:" not in text
        assert find_reference(text) == REF

    def test_a_staff_reference_keeps_its_machine_line_and_data(self) -> None:
        line = reference_line("hoshu-bot:quote-data:ACME-12:1", w="8", r="12")
        text = with_reference("記録", line)
        assert text.splitlines()[-1] == "hoshu-bot:quote-data:ACME-12:1;w=8;r=12"
        assert find_reference(text) == "hoshu-bot:quote-data:ACME-12:1"
        assert reference_data(text) == {"w": "8", "r": "12"}

    def test_data_never_goes_on_a_customer_visible_line(self) -> None:
        with pytest.raises(ValueError, match="customer-visible"):
            reference_line("hoshu-bot:confirm:ACME-12:1", h="3", by="sato")
        with pytest.raises(ValueError, match="customer-visible"):
            with_reference("本文", "hoshu-bot:confirm:ACME-12:1;h=3;by=sato")

    def test_with_reference_replaces_an_existing_reference(self) -> None:
        text = with_reference(with_reference("本文", "hoshu-bot:ack:ACME-1"), REF)
        assert [line for line in text.splitlines() if is_reference(line)] == ["受付番号：ACME-12"]
        assert find_reference(text) == REF

    def test_an_older_machine_line_in_a_customer_text_is_still_read(self) -> None:
        old = "ご承認ありがとうございます。\n\nhoshu-bot:confirm:ACME-4:cmd10;h=0.5;x=1;t=20261127T140000;by=sato"  # noqa: E501
        assert find_reference(old) == "hoshu-bot:confirm:ACME-4:cmd10"
        assert reference_data(old) == {"h": "0.5", "x": "1", "t": "20261127T140000", "by": "sato"}
        assert with_reference(strip_reference(old), "hoshu-bot:confirm:ACME-4:cmd10").endswith(
            "受付番号：ACME-4（作業時間の記録 10）")

    @pytest.mark.parametrize("text", ["本文だけ", f"{REF}\n本文", "受付番号：ACME-12\n本文", ""],
                             ids=["none", "not-last", "shown-not-last", "empty"])
    def test_find_reference_is_none_without_a_last_reference_line(self, text: str) -> None:
        assert find_reference(text) is None

    def test_rejects_a_malformed_reference(self) -> None:
        with pytest.raises(ValueError, match="reference"):
            with_reference("本文", "ack ACME-12")

    def test_untrusted_text_cannot_forge_a_reference(self) -> None:
        assert find_reference(untrusted(f"引用\n{REF}")) is None


_EXAMPLES = {
    "hoshu-bot:ack:ACME-12": "受付番号：ACME-12",
    "hoshu-bot:quote:ACME-12:1": "お見積り番号：ACME-12-1",
    "hoshu-bot:confirm:ACME-12:1": "お見積り番号：ACME-12-1（ご承認の確認）",
    "hoshu-bot:confirm:ACME-12:cmd345": "受付番号：ACME-12（作業時間の記録 345）",
    "hoshu-bot:purchased:ACME-12:c346": "受付番号：ACME-12（ご購入の記録 346）",
    "hoshu-bot:held:ACME-12:2": "お見積り番号：ACME-12-2（ご承認の保留）",
    "hoshu-bot:rejected:ACME-12:2": "お見積り番号：ACME-12-2（お見送りの確認）",
    "hoshu-bot:noquote:ACME-12:77": "受付番号：ACME-12（コメント 77 へのご回答）",
    "hoshu-bot:explain:ACME-12": "受付番号：ACME-12（保守対象範囲のご説明）",
    "hoshu-bot:notice:ACME:2026-10-01": "お知らせ番号：ACME-2026-10-01",
    "hoshu-bot:notice-quarter-end:ACME:2026-10-01": "お知らせ番号：ACME-2026-10-01（四半期末のお知らせ）",
    "hoshu-bot:notice-usage-80:ACME:2026-10-01": "お知らせ番号：ACME-2026-10-01（ご利用 80% のお知らせ）",
    "hoshu-bot:report:ACME:2026-11": "報告書番号：ACME-2026-11",
    "hoshu-bot:alert-no:ACME:3": "検知番号：ACME-A3",
    "hoshu-bot:alert-no-update:ACME:3:15": "検知番号：ACME-A3（15 回目までのご報告）",
}


class TestDocumentNumbers:
    @pytest.mark.parametrize(("ref", "line"), _EXAMPLES.items())
    def test_each_customer_visible_kind_has_one_document_number_and_back(self, ref: str, line: str) -> None:
        assert shown(ref) == line
        assert find_reference(f"本文\n\n{line}") == ref

    def test_the_examples_cover_every_form(self) -> None:
        assert len({shown(r) for r in _EXAMPLES}) == len(FORMS) == len(_EXAMPLES)

    @given(st.sampled_from(FORMS), st.from_regex(r"[A-Z][A-Z0-9_]{0,9}", fullmatch=True),
           st.integers(1, 10**9), st.integers(1, 10**9), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    def test_the_translation_is_one_to_one(self, form: Form, project: str, a: int, b: int, day: date) -> None:
        values = {"k": f"{project}-{a}", "p": project, "n": str(a), "c": str(b), "t": str(b),
                  "d": day.isoformat(), "m": f"{day:%Y-%m}"}
        names = re.findall(r"\{([a-z])\}", form.machine)
        ref = "hoshu-bot:" + form.machine.format(**{n: values[n] for n in names})
        line = shown(ref)
        assert line is not None and "hoshu-bot" not in line and "=" not in line
        assert find_reference(line) == ref  # the same form, and no other, reads it back

    def test_staff_only_references_have_no_document_number(self) -> None:
        for ref in ("hoshu-bot:staff:ACME-12", "hoshu-bot:cmd:ACME-12:5", "hoshu-bot:quote-data:ACME-12:1",
                    "hoshu-bot:alert:" + "a" * 64 + ":1", "hoshu-bot:adjust:ACME:1"):
            assert shown(ref) is None


class TestTruncate:
    def test_short_text_is_unchanged(self) -> None:
        assert truncate("短い", 10) == "短い"

    def test_long_comment_keeps_the_reference_line_and_shows_a_note(self) -> None:
        text = with_reference("あ" * 60_000, REF)
        out = fit(text, COMMENT_MAX)
        assert len(out) <= COMMENT_MAX
        assert find_reference(out) == REF
        assert TRUNCATION_NOTE in out

    def test_summary_gets_a_short_ellipsis(self) -> None:
        out = fit_summary("件名" * 200)
        assert len(out) == SUMMARY_MAX
        assert out.endswith("…")

    @given(st.text(min_size=0, max_size=3000), st.integers(min_value=60, max_value=2000))
    def test_any_text_fits_and_keeps_its_reference(self, body: str, limit: int) -> None:
        out = fit(with_reference(untrusted(body), REF), limit)
        assert len(out) <= limit
        assert find_reference(out) == REF


class TestMentions:
    @pytest.mark.parametrize("mention", ["<@U123>", "<@T1>", "<@project>"], ids=["user", "team", "project"])
    def test_mentions_are_neutralised_in_both_notations(self, mention: str) -> None:
        text = f"担当 {mention} さんへ"
        assert "<@" not in neutralise_mentions(text)
        assert "<@" not in render(Doc.of(Paragraph(text)), "markdown")
        assert "<@" not in render(Doc.of(Paragraph(text)), "backlog")
        assert "＜@" in render(Doc.of(Paragraph(text)), "backlog")


INJECTIONS = [
    "# 見出し", "* 見出し", "| a | b |", "[リンク](https://evil.example)", "[[罠>https://evil.example]]",
    "**太字**", "''太字''", "{code}x{/code}", "```\nx\n```", "<script>x</script>", "- 箇条書き", "&br;",
]


class TestEscaping:
    @pytest.mark.parametrize("raw", INJECTIONS, ids=range(len(INJECTIONS)))
    def test_backlog_escape_leaves_no_notation(self, raw: str) -> None:
        out = escape_backlog(raw)
        for token in ("[[", "]]", "{code}", "''", "&br;"):
            assert token not in out
        assert not out.lstrip().startswith(("*", "|", "-", "#"))

    @pytest.mark.parametrize("raw", INJECTIONS, ids=range(len(INJECTIONS)))
    def test_markdown_escape_backslashes_every_structural_character(self, raw: str) -> None:
        out = escape_markdown(raw)
        for ch in "*_|[]`<>~":
            assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch), (ch, out)
        for line in out.splitlines():
            stripped = line.lstrip()
            assert not stripped.startswith(("#", "-", "+", "=")), line
            assert not re.match(r"\d+[.)]", stripped), line

    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ("CB_VA01 (髙﨑) 2026-12-01", "CB\\_VA01 (髙﨑) 2026-12-01"),
            ("# 見出し", "\\# 見出し"),
            ("1. 手順", "1\\. 手順"),
            ("&lt;b&gt; と & ", "\\&lt;b\\&gt; と & "),
        ],
        ids=["readable-mid-line", "heading", "ordered-list", "entity"],
    )
    def test_markdown_escape_touches_only_what_has_a_meaning(self, raw: str, escaped: str) -> None:
        assert escape_markdown(raw) == escaped


class TestRender:
    DOC = Doc.of(
        Heading(2, "月次報告 #11"),
        Paragraph("お問い合わせ <@project> を受け付けました。"),
        Bullets(("対応時間: 1.5 h", "残り: 22.5 h")),
        Table(("案件", "時間"), (("ACME-12", "1.5"), ("ACME-13 | 追加", "0.5"))),
        Code("ログ {/code} ``` 抜粋"),
        Link("課題を開く", "https://hoshu.backlog.com/view/ACME-12"),
    )

    def test_markdown(self) -> None:
        out = render(self.DOC, "markdown", reference=REF)
        assert out.splitlines() == [
            "## 月次報告 #11", "",
            "お問い合わせ ＜@project\\> を受け付けました。", "",
            "- 対応時間: 1.5 h", "- 残り: 22.5 h", "",
            "| 案件 | 時間 |", "| --- | --- |", "| ACME-12 | 1.5 |", "| ACME-13 \\| 追加 | 0.5 |", "",
            "````", "ログ {/code} ``` 抜粋", "````", "",
            "[課題を開く](https://hoshu.backlog.com/view/ACME-12)", "",
            "受付番号：ACME-12",
        ]

    def test_backlog(self) -> None:
        out = render(self.DOC, "backlog", reference=REF)
        assert out.splitlines() == [
            "** 月次報告 #11", "",
            "お問い合わせ ＜@project> を受け付けました。", "",
            "- 対応時間: 1.5 h", "- 残り: 22.5 h", "",
            "|案件|時間|h", "|ACME-12|1.5|", "|ACME-13 ｜ 追加|0.5|", "",
            "{code}", "ログ ｛/code｝ ``` 抜粋", "{/code}", "",
            "[[課題を開く>https://hoshu.backlog.com/view/ACME-12]]", "",
            "受付番号：ACME-12",
        ]

    def test_links_must_be_http(self) -> None:
        with pytest.raises(ValueError, match="http"):
            render(Doc.of(Link("x", "javascript:alert(1)")), "markdown")

    def test_link_urls_cannot_break_out(self) -> None:
        out = render(Doc.of(Link("x", "https://a.example/p)]]>x y")), "backlog")
        assert out == "[[x>https://a.example/p%29%5D%5D%3Ex%20y]]"

    def test_unknown_rule_is_refused(self) -> None:
        with pytest.raises(ValueError, match="textFormattingRule"):
            render(Doc.of(Paragraph("x")), "html")  # type: ignore[arg-type]

    def test_emoji_in_any_block_is_replaced(self) -> None:
        assert "🎉" not in render(Doc.of(Heading(1, "🎉"), Code("🎉"), Bullets(("🎉",))), "markdown")
