"""Properties of the reading (issue 21, Must hold), over generated mails.

- A mail from a customer's sender that names its key and an error code, however the code is written
  (a kintone or Salesforce code, a Java exception, an HTTP status after any of its words), never goes
  to staff as unreadable.
- A digest of N distinct errors is N alerts with N fingerprints: never fewer, never one for all.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.parse_mail import as_json
from bot.mail.pipeline import understand
from tests.mail.support import CUSTOMERS, generator, monitoring

g = generator()

CODES = ("CB_VA01", "GAIA_RE18", "UNABLE_TO_LOCK_ROW", "INVALID_SESSION_ID",
         "java.net.SocketTimeoutException", "SsApiException")
HTTP = ("HTTP {s}", "HTTPステータス: {s}", "status={s}", "応答：{s}", "レスポンス: {s}", "response: {s}",
        "returned {s}", "{s} Unauthorized", '{{"statusCode": {s}}}', "ステータスコード {s}", "応答コード={s}")
KEYS = ("acme-corp", "https://acme-corp.cybozu.com/k/1/", "00D5g000004ACME", "ACME_受注取込")
LABELS = ("", "エラー: ", "エラーコード：", "Error: ", "原因: ", "結果: ", "詳細 ")
FILLER = st.text(st.sampled_from("受注連携処理がでしたジョブ名 abcXYZ-_:/。、\n"), max_size=60)


def _mail(subject: str, body: str, n: int) -> bytes:
    return g.mail(g.u8subject(subject), body.encode(), mid=f"prop-{n}")  # type: ignore[no-any-return]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.one_of(st.sampled_from(CODES),
                      st.builds(lambda f, s: f.format(s=s), st.sampled_from(HTTP),
                                st.sampled_from(("400", "401", "403", "422", "429", "500", "503")))),
       key=st.sampled_from(KEYS), label=st.sampled_from(LABELS), before=FILLER, after=FILLER,
       subject=st.sampled_from(("連携エラー", "kintone", "Salesforce", "eSM", "DataSpider", "通知", "")))
def test_a_key_and_a_code_is_never_unreadable(code: str, key: str, label: str, before: str, after: str,
                                               subject: str) -> None:
    body = f"{before}\n{key}\n{label}{code}\n{after}\n"
    got = as_json(understand(_mail(subject, body, 0), monitoring(), CUSTOMERS))
    assert got["route"].get("staff_kind") != "unreadable", (body, got["route"])
    assert got["error_code"] is not None


ENTRY = st.sampled_from(("CB_VA01", "GAIA_RE18", "CB_NO02", "GAIA_AP01", "GAIA_IQ11", "CB_IL02"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codes=st.lists(ENTRY, min_size=2, max_size=6, unique=True),
       style=st.sampled_from(("{n}. ", "[{n}] ", "【{n}件目】\n", "No.{n} ", "({n}) ")))
def test_a_digest_of_n_distinct_errors_is_n_alerts(codes: list[str], style: str) -> None:
    entries = "".join(f"{style.format(n=i)}ジョブ名: 連携{i} / エラーコード: {c}\n"
                      for i, c in enumerate(codes, start=1))
    got = as_json(understand(_mail("kintone 日次エラー", f"一覧\n{entries}サブドメイン: acme-corp\n", 1),
                             monitoring(), CUSTOMERS))
    assert [a["error_code"] for a in got["alerts"]] == codes
    assert len({a["fingerprint"] for a in got["alerts"]}) == len(codes)
