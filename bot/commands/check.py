"""``check [--json]``: validate the configuration and every connection the worker will need."""

from __future__ import annotations

import argparse
import contextlib
import imaplib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.imapclient import SocketTimeout
from pydantic import SecretStr

from bot.app import backlog_client
from bot.backlog_client import BacklogClient
from bot.config.loader import BotConfig, load_config, load_monitoring
from bot.config.settings import Settings, load_settings, require
from bot.errors import (
    BacklogRateLimitedError,
    BacklogTransientError,
    BotError,
    ConfigError,
    MailboxError,
)
from bot.state.probe import probe


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("check", help="validate configuration and every connection")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.wording.check import check_config  # noqa: PLC0415 - only check pays for the samples

    settings = load_settings()
    config = load_config(settings.bot_config_dir)  # a bad file raises ConfigError: exit 2 with one line
    load_monitoring(settings.bot_config_dir / "monitoring.toml")
    texts = check_config(config)  # a broken template: exit 2 naming the file, the template, the problem
    require(settings, "backlog_base_url", "backlog_api_key")
    results = [CheckResult("configuration", True, f"{len(config.customers)} customers"),
               CheckResult("templates", True, f"{texts} sample texts rendered in both notations")]
    results += check_backlog(settings, config)
    results += check_imap(settings, config.monitored())
    results.append(CheckResult("state store", *probe(settings.state_location)))  # issue 14
    if args.json:
        print(json.dumps({"ok": all(r.ok for r in results),
                          "checks": [r.__dict__ for r in results]}, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{'ok    ' if r.ok else 'FAILED'} {r.name}: {r.detail}")
    return 0 if all(r.ok for r in results) else 1


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()


# A transient failure (5xx, 429, a dropped or refused connection) is tried again after these pauses, so
# one bad second of Backlog or the mail server does not fail a pre-flight check (issue 13).
RETRY_PAUSES: tuple[float, ...] = (1.0, 3.0)
TRANSIENT: tuple[type[BaseException], ...] = (
    BacklogTransientError, BacklogRateLimitedError, MailboxError, OSError, imaplib.IMAP4.abort,
)


def _probe(name: str, fn: Callable[[], str], *, sleep: Callable[[float], None] = time.sleep,
           pauses: tuple[float, ...] | None = None) -> CheckResult:
    """Run one check; a transient failure is retried after each of ``pauses``, and when it persists the
    line says so (how many tries, over how long) so the operator knows it is not a wrong setting."""
    waits = RETRY_PAUSES if pauses is None else pauses
    for attempt, pause in enumerate((*waits, None)):
        try:
            detail = fn()
        except TRANSIENT as exc:
            if pause is None:
                waited = sum(waits)
                return CheckResult(name, False, f"still failing after {attempt + 1} tries over {waited:g} s "
                                                f"(transient): {exc}")
            sleep(pause)
            continue
        except BotError as exc:
            return CheckResult(name, False, str(exc))
        else:
            if attempt:
                detail += f" (after {attempt + 1} tries: transient failure ridden out)"
            return CheckResult(name, True, detail)
    raise AssertionError  # pragma: no cover - the loop always returns on its last pass


def check_backlog(settings: Settings, config: BotConfig) -> list[CheckResult]:
    """The key, then every project with the statuses, issue types and users the configuration names."""
    client = backlog_client(settings, max_retries=1)
    out = [_probe("backlog key", lambda: f"authenticated as {client.get_myself().user_id}")]
    if not out[0].ok:
        return out
    svc = config.service
    staff = svc.staff.project
    for key in [c.project for c in config.customers] + [staff]:
        out.append(_probe(f"project {key}", lambda key=key: _project(client, config, key)))  # type: ignore[misc]
    client.close()
    return out


def _project(client: BacklogClient, config: BotConfig, key: str) -> str:
    project = client.get_project(key)
    statuses = {s.name for s in client.get_statuses(project.id)}
    types = [t.name for t in client.get_issue_types(project.id)]
    users = {u.user_id for u in client.get_project_users(project.id)}
    missing: list[str] = []
    staff = config.service.staff
    wanted_users = set(staff.users) | {staff.bot_user}
    if key != staff.project:
        customer = config.customer(key)
        wanted_users |= set(customer.inquirers)
        waiting = set(config.service.workflow.waiting_status_names)
        if not waiting & statuses:
            missing.append(f"waiting status ({', '.join(sorted(waiting))})")
    missing += [f"user {u}" for u in sorted(wanted_users - users)]
    if not types:
        missing.append("issue types")
    if missing:
        msg = "missing " + "; ".join(missing)
        raise ConfigError(f"project {key}", "-", msg)
    wiki = "on" if project.use_wiki else "off"
    return f"{project.text_formatting_rule}, wiki {wiki}, {len(types)} issue types"


def check_imap(settings: Settings, monitored: tuple[str, ...] = ()) -> list[CheckResult]:
    """The mailbox, which only the monitoring option needs (issue 19 item 3, M1)."""
    if settings.imap_host is None:
        if not monitored:
            return [CheckResult("imap", True, "not needed: no customer has the monitoring option")]
        return [CheckResult("imap", False, f"IMAP_HOST is not set: the monitoring option of "
                                           f"{', '.join(monitored)} cannot run")]

    def login() -> str:
        client = IMAPClient(str(settings.imap_host), port=settings.imap_port, ssl=settings.imap_ssl,
                            timeout=SocketTimeout(connect=15, read=60))
        try:
            client.login(str(settings.imap_user), _secret(settings.imap_password))
            if not client.folder_exists(settings.imap_folder):
                msg = f"folder {settings.imap_folder} does not exist"
                raise ConfigError("environment", "IMAP_FOLDER", msg)
            idle = "IDLE" if client.has_capability("IDLE") else "no IDLE (polling)"
            return f"logged in, {settings.imap_folder} present, {idle}"
        except IMAPClient.AbortError:
            raise  # the connection dropped: transient, tried again by _probe
        except IMAPClient.Error as exc:
            # imaplib errors quote the server's words, never the password.
            raise ConfigError("environment", "IMAP_USER", f"login failed: {exc}") from None
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    return [_probe("imap", login)]
