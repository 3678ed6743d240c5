"""Property: a registered sender of customer A can never open an issue in customer B's project (M2, P2).

Whatever text the mail carries (B's keys in the subject, the body, a URL, JSON; A's keys or not; codes
or not), the route is never B; a mail that names B's key from A's sender is a contradiction for staff.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.mail.pipeline import understand
from bot.mail.routing import Customer, NoMonitoring, RouteTarget, Staff
from tests.mail.support import monitoring

A = RouteTarget("ACME", True, ("adapter@acme.example.jp",), ("00D5g000004ACME", "acme-corp", "ACME_"))
B = RouteTarget("BETA", True, ("alerts@beta.example.co.jp",), ("00D5g000009BETA", "beta-shoji"))
TARGETS = (A, B)  # both monitored here, so nothing hides behind B's missing option

PIECES = st.sampled_from([
    "acme-corp", "beta-shoji", "https://beta-shoji.cybozu.com/k/1/", "https://acme-corp.cybozu.com/k/2/",
    "00D5g000009BETA", "00D5g000009BETAEAQ", "ACME_受注", "CB_VA01", "GAIA_RE18", "HTTP 503",
    "UNABLE_TO_LOCK_ROW", "java.net.SocketTimeoutException", "kintone", "Salesforce", "DataSpider",
    "エラーコード：", "ジョブ名：", '{"code":"CB_VA01"}', "\n", " ", "：", "【kintone連携】",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=14).map(" ".join)


def _raw(subject: str, body: str) -> bytes:
    subject = " ".join(subject.split())  # one header line
    return (f"From: adapter@acme.example.jp\nTo: alerts@hoshu.example.jp\nSubject: {subject}\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{body}\n").encode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXT, body=TEXT)
def test_a_sender_of_a_never_reaches_b(subject: str, body: str) -> None:
    u = understand(_raw(subject, body), monitoring(), TARGETS)
    assert not (isinstance(u.route, Customer | NoMonitoring) and u.route.project == "BETA")


@settings(max_examples=200, deadline=None)
@given(before=TEXT, after=TEXT, key=st.sampled_from(["beta-shoji", "00D5g000009BETA",
                                                       "https://beta-shoji.cybozu.com/k/9/"]))
def test_a_key_of_b_from_a_sender_of_a_goes_to_staff(before: str, after: str, key: str) -> None:
    u = understand(_raw("kintone連携エラー", f"{before}\n{key} CB_VA01\n{after}"), monitoring(), TARGETS)
    assert isinstance(u.route, Staff), u.route
