"""Adapter error codes: transient (retry) or action (a person must act), with cause and next step.

Source: reference mail-imap-calendar.md section D. Unknown codes are ``action``: a person looks at
anything the table does not know (rule M2: maintenance triages, the customer decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ErrorClass = Literal["transient", "action"]


@dataclass(frozen=True)
class ErrorInfo:
    """How one error code is triaged."""

    error_class: ErrorClass
    cause: str
    next_step: str


_RETRY = "連携ジョブの再実行で解消する見込みです。繰り返し発生する場合は原因を調査いたします。"
_DATA = "対象レコードのデータをご確認ください。修正方法はお客様にご判断いただきます。"
_AUTH = "連携ユーザーの認証情報をご確認ください。"
_CONF = "連携設定（項目・アプリ・権限）をご確認ください。設定変更には保守時間を消化いたします。"

T: ErrorClass = "transient"
A: ErrorClass = "action"
_TABLE: dict[str, tuple[ErrorClass, str, str]] = {
    # Salesforce
    "INVALID_SESSION_ID": (T, "セッションまたはトークンの有効期限切れです。",
                           "再ログインで解消します。繰り返す場合は接続アプリケーションの設定をご確認ください。"),
    "INVALID_LOGIN": (A, "ログイン情報が正しくありません。", _AUTH),
    "LOGIN_MUST_USE_SECURITY_TOKEN": (A, "セキュリティトークンが必要です。", _AUTH),
    "API_DISABLED_FOR_ORG": (A, "組織でAPIが無効です。", "Salesforceのエディションと権限をご確認ください。"),
    "API_CURRENTLY_DISABLED": (A, "APIが無効になっています。", "連携ユーザーの権限をご確認ください。"),
    "REQUEST_LIMIT_EXCEEDED": (A, "APIリクエスト数の上限に達しました。",
                               "上限のリセットを待つか、連携の実行頻度を見直してください。"),
    "UNABLE_TO_LOCK_ROW": (T, "レコードのロックを取得できませんでした（同時更新）。", _RETRY),
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": (A, "Salesforceの入力規則に違反するデータです。", _DATA),
    "REQUIRED_FIELD_MISSING": (A, "必須項目が未入力です。", _DATA),
    "DUPLICATE_VALUE": (A, "重複する値があります。", _DATA),
    "STRING_TOO_LONG": (A, "文字数の上限を超える値があります。", _DATA),
    "INVALID_TYPE_ON_FIELD_IN_RECORD": (A, "項目の型に合わない値があります。", _DATA),
    "MALFORMED_ID": (A, "IDの形式が正しくありません。", _DATA),
    "INVALID_CROSS_REFERENCE_KEY": (A, "参照先のレコードが存在しません。", _DATA),
    "ENTITY_IS_DELETED": (A, "対象レコードは削除されています。", _DATA),
    "INVALID_FIELD": (A, "存在しない項目、または参照権限のない項目を指定しています。", _CONF),
    "INVALID_TYPE": (A, "存在しないオブジェクトを指定しています。", _CONF),
    "NOT_FOUND": (A, "対象が見つかりません。", _CONF),
    "INSUFFICIENT_ACCESS": (A, "連携ユーザーの権限が不足しています。", _CONF),
    "INSUFFICIENT_ACCESS_OR_READONLY": (A, "連携ユーザーの権限が不足しています。", _CONF),
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": (A, "連携ユーザーの権限が不足しています。", _CONF),
    "SERVER_UNAVAILABLE": (T, "Salesforceが一時的に利用できませんでした。", _RETRY),
    # kintone
    "CB_VA01": (A, "入力内容が正しくありません（必須項目の未入力、選択肢にない値、重複など）。", _DATA),
    "CB_NO02": (A, "kintoneの操作権限がありません。", _CONF),
    "GAIA_NO01": (A, "APIトークンに必要な権限がありません。", _CONF),
    "CB_WA01": (A, "kintoneの認証に失敗しました。", "認証情報をご確認ください。"),
    "CB_AU01": (A, "kintoneの認証に失敗しました。", "認証情報をご確認ください。"),
    "CB_IL02": (A, "不正なリクエストです。", _CONF),
    "GAIA_AP01": (A, "アプリが見つかりません。", _CONF),
    "GAIA_IQ11": (A, "クエリに存在しないフィールドが含まれています。", _CONF),
    "GAIA_RE01": (A, "レコードが見つかりません。", _DATA),
    "GAIA_CO02": (T, "リビジョンが一致しません（同時更新）。", _RETRY),
    "GAIA_DA02": (T, "kintoneのデータベースロックに失敗しました。", _RETRY),
    "GAIA_RE18": (T, "kintoneのデータベースロックに失敗しました。", _RETRY),
    "GAIA_TM12": (T, "カーソルの上限に達しました。", _RETRY),
    # DataSpider inner exceptions
    "SocketTimeoutException": (T, "接続先の応答がタイムアウトしました。", _RETRY),
    "UnknownHostException": (T, "接続先のホスト名を解決できませんでした。", _RETRY),
    "ConnectException": (T, "接続先に接続できませんでした。", _RETRY),
    "InputDataNotFoundException": (A, "入力データが見つかりません。",
                                   "入力ファイルの配置をご確認ください。"),
    "InvalidPropertyConfigurationException": (A, "コンポーネントのプロパティ設定が正しくありません。", _CONF),
    "PoolNotDefinedException": (A, "トリガーの種別（プール）が定義されていません。", _CONF),
    "RequestParameterRequiredException": (A, "必須のリクエストパラメータがありません。", _CONF),
    "ClientProtocolException": (A, "接続先の指定（サブドメインなど）が正しくありません。", _CONF),
    "NullPointerException": (
        A, "処理中に想定外の空値がありました（SMPの入力チェックエラーの場合があります）。", _DATA),
    # SHANON (SMP) API adapter
    "SsApiException": (A, "SMPのAPIが入力内容を受け付けませんでした。", _DATA),
    "SALESFORCE_ADAPTER_ILLEGAL_DATA_TYPE": (A, "項目の型に合わない値があります。", _DATA),
    "SALESFORCE_ADAPTER_REQUIRED_FIELD": (A, "必須項目が未入力です。", _DATA),
    "SALESFORCE_ADAPTER_ENUMERATED_TYPE_NOT_MATCH": (A, "選択リストにない値があります。", _DATA),
}

# Codes that only wrap the real cause: classify by the code found inside (reference D).
WRAPPERS = frozenset({
    "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "CANNOT_EXECUTE_FLOW_TRIGGER", "ComponentFailedException",
    "KintoneResponseStatusException", "SalesforceAdapterException",
    # The SOAP API's fault classes as Java clients (WSC) print them: the exceptionCode inside decides.
    "UnexpectedErrorFault", "ApiFault", "SoapFaultException",
})
_INNER = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _TABLE), key=len, reverse=True)) + r")\b")
_UNKNOWN = ErrorInfo("action", "このエラーコードは既知の分類にありません。",
                     "担当者が内容を確認し、ご連絡いたします。")


def known(code: str) -> bool:
    """Whether the error table classifies ``code`` itself (not as an unknown code)."""
    return code in _TABLE


def unwrap(code: str, text: str) -> tuple[str, str | None]:
    """``(inner code, wrapper)`` when a wrapper code's text names a known code, else ``(code, None)``."""
    if code in WRAPPERS:
        m = _INNER.search(text)
        if m is not None:
            return m.group(1), code
    return code, None


def classify(code: str, message: str = "") -> ErrorInfo:
    """Triage one error code: ``transient`` errors are retried and grouped, ``action`` errors open at once.

    HTTP statuses (eSM has no public catalogue): 401/403/400/422 → action; 429, 5xx → transient.
    REQUEST_LIMIT_EXCEEDED is transient only for the concurrent-request limit (reference D).
    """
    if code == "REQUEST_LIMIT_EXCEEDED" and "concurrent" in message.lower():
        return ErrorInfo("transient", "同時実行リクエスト数の上限に達しました。", _RETRY)
    if code.startswith("HTTP_") and code[5:].isdigit():
        return _http(int(code[5:]))
    entry = _TABLE.get(code)
    if entry is None:
        return _UNKNOWN
    return ErrorInfo(*entry)


def _http(status: int) -> ErrorInfo:
    if status == 429 or status >= 500:
        return ErrorInfo("transient", f"接続先が一時的に応答できませんでした（HTTP {status}）。", _RETRY)
    if status in (401, 403):
        return ErrorInfo("action", f"APIトークンまたは権限に問題があります（HTTP {status}）。",
                         "APIトークンの有効期限と権限をご確認ください。")
    if status in (400, 422):
        return ErrorInfo("action", f"送信したデータが受け付けられませんでした（HTTP {status}）。", _DATA)
    return ErrorInfo("action", f"想定外の応答です（HTTP {status}）。", _UNKNOWN.next_step)
