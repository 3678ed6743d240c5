"""Decoding: charset families, the CP5022x reader, headers, HTML, big attachments, never raising (A1/A2)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.mail.charset import decode_bytes, decode_cp5022x
from bot.mail.decode import decode_header_value, parse_message
from bot.mail.html import html_to_text
from bot.mail.message import normalise
from tests.mail.support import FIXTURES, generator

NEC = "①㈱髙﨑～Ⅲ№"
SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]

LABELS = [
    ("shift_jis on cp932 data", NEC.encode("cp932"), "Shift_JIS", NEC),
    ("windows-31j", NEC.encode("cp932"), "windows-31j", NEC),
    ("x-sjis", NEC.encode("cp932"), "x-sjis", NEC),
    ("ms932", NEC.encode("cp932"), "MS932", NEC),
    ("cp50220 label", generator().jis(NEC), "CP50220", NEC),
    ("iso-2022-jp with NEC rows", generator().jis(NEC), "iso-2022-jp", NEC),
    ("iso-2022-jp-ms", generator().jis("テスト"), "iso-2022-jp-ms", "テスト"),
    ("half-width kana ESC ( I", generator().jis("ｶﾅ漢字"), "ISO-2022-JP", "ｶﾅ漢字"),
    ("euc-jp", "受注連携".encode("euc_jp"), "euc-jp", "受注連携"),
    ("eucJP-ms with ①", "①".encode("euc_jis_2004"), "eucJP-ms", "①"),
    ("x-euc-jp", "受注".encode("euc_jp"), "x-euc-jp", "受注"),
    ("utf-8", "受注".encode(), "utf-8", "受注"),
]


class TestDecodeBytes:
    @pytest.mark.parametrize(("data", "label", "text"), [c[1:] for c in LABELS], ids=[c[0] for c in LABELS])
    def test_label_family_decodes_without_defect(self, data: bytes, label: str, text: str) -> None:
        assert decode_bytes(data, label) == (text, ())

    @pytest.mark.parametrize(
        ("data", "label"),
        [
            ("エラーが発生しました".encode("euc_jp"), "iso-2022-jp"),
            ("エラーが発生しました".encode(), "iso-2022-jp"),
            ("エラーが発生しました".encode("cp932"), "us-ascii"),
            ("エラーが発生しました".encode("cp932"), "x-unknown-charset"),
            ("エラーが発生しました".encode("cp932"), None),
        ],
        ids=["euc behind jis", "utf8 behind jis", "8bit under ascii", "unknown label", "no label"],
    )
    def test_lying_or_missing_label_is_sniffed_and_recorded(self, data: bytes, label: str | None) -> None:
        text, defects = decode_bytes(data, label)
        assert text == "エラーが発生しました"
        assert defects

    def test_undecodable_bytes_use_replacement_and_say_so(self) -> None:
        text, defects = decode_bytes(b"\x81\x0a", "utf-8")
        assert "\ufffd" in text
        assert "replacement" in defects[0]

    def test_cp5022x_rejects_8bit_bytes(self) -> None:
        with pytest.raises(ValueError, match="8-bit"):
            decode_cp5022x(b"abc\x82\xa0")


class TestHeaders:
    def test_jis_word_split_inside_a_character_is_joined(self) -> None:
        j = generator().jis("受注連携")
        value = f"{generator().bword(j[:4], 'ISO-2022-JP')} {generator().bword(j[4:], 'ISO-2022-JP')}"
        assert decode_header_value(value) == ("受注連携", ())

    def test_crlf_inside_an_encoded_word_cannot_inject_a_header(self) -> None:
        value = generator().bword(b"x\r\nBcc: a@example.com", "UTF-8")
        text, _ = decode_header_value(value)
        assert "\n" not in text and "\r" not in text

    def test_bad_base64_in_a_word_is_repaired_with_a_defect(self) -> None:
        text, defects = decode_header_value("=?UTF-8?B?44OG44K5?= =?UTF-8?B?44OI4?=")
        assert text.startswith("テス")
        assert defects


class TestParseMessage:
    def test_twenty_mb_attachment_is_sized_not_kept(self) -> None:
        raw = generator().big_attachment_mail(20 * 1024 * 1024)
        mail = parse_message(raw)
        assert [(a.name, a.size) for a in mail.attachments] == [("dump.bin", 20 * 1024 * 1024)]
        assert "CB_VA01" in mail.text
        assert len(mail.text) < 1000

    def test_body_hash_is_stable_across_line_endings(self) -> None:
        crlf = (FIXTURES / "kintone_crlf_qp.eml").read_bytes()
        lf = crlf.replace(b"\r\n", b"\n")
        assert parse_message(crlf).body_hash == parse_message(lf).body_hash

    def test_normalised_folds_wave_dash_variants(self) -> None:
        assert normalise("〜") == normalise("～") == "~"
        assert normalise("①㈱ｶﾅ") == "1(株)カナ"

    def test_html_keeps_line_breaks_and_unescapes(self) -> None:
        assert html_to_text("<p>a&amp;b</p><p>c<br>d</p><script>x</script>") == "a&b\n\nc\nd"


class TestNeverRaises:
    @settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes(self, raw: bytes) -> None:
        mail = parse_message(raw)
        assert isinstance(mail.text, str)
        assert not any(d.startswith("unparseable") for d in mail.defects), mail.defects

    @settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=8)), max_size=6)
    )
    def test_mutated_fixtures(self, seed: bytes, edits: list[tuple[int, bytes]]) -> None:
        raw = bytearray(seed)
        for pos, data in edits:
            at = pos % (len(raw) + 1)
            raw[at : at + len(data)] = data
        mail = parse_message(bytes(raw))
        assert isinstance(mail.subject, str)
        assert not any(d.startswith("unparseable") for d in mail.defects), mail.defects


def _reader_only(data: bytes) -> str | BaseException:
    """The table reader alone (the fast path switched off), or what it raised."""
    from bot.mail import charset  # noqa: PLC0415 - patched for one call only

    fast, charset._plain_jis = charset._plain_jis, lambda _d: None  # type: ignore[assignment]
    try:
        return charset.decode_cp5022x(data)
    except (UnicodeDecodeError, ValueError) as exc:
        return exc
    finally:
        charset._plain_jis = fast


_JIS_PIECES = st.one_of(
    st.binary(min_size=0, max_size=6).filter(bytes.isascii),
    st.sampled_from([b"\x1b$B", b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$(D", b"\x1b", b"\r\n",
                     b"\x0e", b"\x0f", b"\x00", b"!", b"\x80"]),
    st.tuples(st.integers(0x21, 0x7E), st.integers(0x21, 0x7E)).map(bytes),
)


class TestPlainJisPath:
    """Issue 21 item 9: the C codec path reads every ISO-2022-JP mail exactly as the table reader does."""

    @given(st.lists(_JIS_PIECES, max_size=30).map(b"".join))
    @settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
    def test_same_text_or_same_refusal_as_the_table_reader(self, data: bytes) -> None:
        expected = _reader_only(data)
        try:
            got: str | BaseException = decode_cp5022x(data)
        except (UnicodeDecodeError, ValueError) as exc:
            got = exc
        if isinstance(expected, BaseException):
            assert type(got) is type(expected)
        else:
            assert got == expected

    def test_every_pair_of_jis_x_0208_reads_as_cp932_does(self) -> None:
        for j1 in range(0x21, 0x7F):
            for j2 in range(0x21, 0x7F):
                data = b"\x1b$B" + bytes((j1, j2)) + b"\x1b(Bx"
                expected = _reader_only(data)
                if isinstance(expected, str):
                    assert decode_cp5022x(data) == expected, (hex(j1), hex(j2))


_ATOMS = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=5)
_LABELS = st.text(alphabet="ab0-", min_size=1, max_size=4)
_ADDRESS = st.builds(lambda local, domain, pad: f"{pad}{'.'.join(local)}@{'.'.join(domain)}{pad}",
                     st.lists(_ATOMS, min_size=1, max_size=3), st.lists(_LABELS, min_size=1, max_size=3),
                     st.sampled_from(["", " "]))
_HEADER = st.one_of(_ADDRESS, st.text(alphabet="ab@.<>\"(), ", max_size=14))


class TestBareAddresses:
    """Issue 21 item 9: a bare address is taken as it stands, and every other form as ``email`` reads it."""

    @given(_HEADER, _HEADER)
    @settings(max_examples=400)
    def test_from_to_and_cc_as_parseaddr_and_getaddresses_read_them(self, one: str, two: str) -> None:
        from email.utils import getaddresses, parseaddr  # noqa: PLC0415

        from bot.mail.decode import _addresses, _parseaddr  # noqa: PLC0415

        assert _parseaddr(one) == parseaddr(one)
        assert _addresses(one, two) == [a for _, a in getaddresses([one, two]) if a]
