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
from bot.backlog.models import User
from bot.backlog.people import handle, resolve
from bot.backlog_client import BacklogClient
from bot.config.loader import BotConfig, load_config, load_monitoring
from bot.config.monitoring import deprecations
from bot.config.settings import Settings, load_settings, require, state_path_problem
from bot.errors import (
    BacklogNotFoundError,
    BacklogRateLimitedError,
    BacklogTransientError,
    BotError,
    ConfigError,
    MailboxError,
)
from bot.state.probe import probe


@dataclass(frozen=True)
class CheckResult:
    """One line of ``check``; ``warning``: ok, but something to fix (a deprecated setting)."""

    name: str
    ok: bool
    detail: str
    warning: bool = False


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("check", help="validate configuration and every connection")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.wording.check import check_config  # noqa: PLC0415 - only check pays for the samples

    settings = load_settings()
    config = load_config(settings.bot_config_dir)  # a bad file raises ConfigError: exit 2 with one line
    monitoring_path = settings.bot_config_dir / "monitoring.toml"
    monitoring = load_monitoring(monitoring_path, config, warn=False)  # its warnings are lines below
    texts = check_config(config)  # a broken template: exit 2 naming the file, the template, the problem
    require(settings, "backlog_base_url", "backlog_api_key")
    results = [CheckResult("configuration", True, f"{len(config.customers)} customers"),
               CheckResult("templates", True, f"{texts} sample texts rendered in both notations")]
    results += [CheckResult("deprecated setting", True, line, warning=True)
                for line in deprecations(str(monitoring_path), monitoring, config.service.staff.project)]
    results += check_backlog(settings, config)
    results += check_imap(settings, config.monitored())
    results.append(check_store(settings))  # issues 14 and 19
    if args.json:
        print(json.dumps({"ok": all(r.ok for r in results),
                          "checks": [r.__dict__ for r in results]}, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{'FAILED' if not r.ok else 'WARN  ' if r.warning else 'ok    '} {r.name}: {r.detail}")
    return 0 if all(r.ok for r in results) else 1


def check_store(settings: Settings) -> CheckResult:
    """The store the worker will use (issue 19 item 5): a BOT_STATE_PATH that cannot be created fails,
    naming the variable; a DATABASE_URL that cannot be opened says why, without its password."""
    problem = state_path_problem(settings)
    if problem is not None:
        return CheckResult("state store", False, f"BOT_STATE_PATH: {problem}")
    ok, detail = probe(settings.state_location)
    if not ok and settings.database_url is not None:
        detail = f"DATABASE_URL: {detail}"
    return CheckResult("state store", ok, detail)


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
    out = [_probe("backlog key", lambda: f"authenticated as {handle(client.get_myself())}")]
    if not out[0].ok:
        return out
    svc = config.service
    staff = svc.staff.project
    for key in [c.project for c in config.customers] + [staff]:
        out.append(_probe(f"project {key}", lambda key=key: _project(client, config, key)))  # type: ignore[misc]
    out += check_bot_access(client, config)
    client.close()
    return out


def _project(client: BacklogClient, config: BotConfig, key: str) -> str:
    project = client.get_project(key)
    statuses = {s.name for s in client.get_statuses(project.id)}
    types = [t.name for t in client.get_issue_types(project.id)]
    members = client.get_project_users(project.id)
    missing: list[str] = []
    staff = config.service.staff
    if key != staff.project:
        waiting = set(config.service.workflow.waiting_status_names)
        if not waiting & statuses:
            missing.append(f"waiting status ({', '.join(sorted(waiting))})")
    if not types:
        missing.append("issue types")
    problems = (["missing " + "; ".join(missing)] if missing else []) + unresolved_users(config, key, members)
    if problems:
        raise ConfigError(f"project {key}", "-", "; ".join(problems))
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


# ---- identities and the bot's access (issue 18 items 4 and 7) ------------------------------------------
#: roleType -> (what it is, whether it may update issues). The numbers mean other things on the classic
#: and the new plan (DOC get-user-list), but 1-4 agree on updating: DOC (JP) update-issue allows 管理者 and
#: 一般ユーザー, i.e. classic 1 and 2; new-plan 2 "Member, Guest" is our reading of the same right, while
#: new-plan 3 and 4 are limited to adding or viewing issues. Any other number is said to be unknown.
ROLES: dict[int, tuple[str, bool]] = {
    1: ("administrator", True),
    2: ("normal user (classic plan) / member or guest (new plan)", True),
    3: ("reporter (classic plan) / add issues only (new plan)", False),
    4: ("viewer (classic plan) / view issues only (new plan)", False),
    5: ("guest reporter (classic plan)", False),
    6: ("guest viewer (classic plan)", False),
}


def unresolved_users(config: BotConfig, key: str, members: list[User]) -> list[str]:
    """Each configured user meant for project ``key`` that names nobody or several of its ``members``
    (login, mail address or ``id:123``, issue 18), as one problem naming the file and the entry."""
    staff = config.service.staff
    wanted = [("service.toml", f"staff.users[{n}]", u) for n, u in enumerate(staff.users)]
    wanted.append(("service.toml", "staff.bot_user", staff.bot_user))
    for i, customer in enumerate(config.customers):
        if customer.project == key:
            wanted += [("customers.toml", f"customer[{i}].inquirers[{n}]", u)
                       for n, u in enumerate(customer.inquirers)]
    problems = []
    for file, field, entry in wanted:
        try:
            resolve(entry, members, file=file, field=field, where=key)
        except ConfigError as exc:
            problems.append(str(exc))
    return problems


def check_bot_access(client: BacklogClient, config: BotConfig) -> list[CheckResult]:
    """One line per configured project: the key's user is a member and has a role that may update issues
    (issue 18 item 7); a Reporter or Guest account would otherwise fail only when the bot first writes."""
    try:
        me = client.get_myself()
    except BotError as exc:
        return [CheckResult("bot access", False, str(exc))]
    role, may_update = ROLES.get(me.role_type or 0, (f"unknown role {me.role_type}", False))
    if me.role_type not in ROLES:
        role += ": cannot tell whether it may update issues (see roleType in DOC get-user-list)"
    keys = [c.project for c in config.customers] + [config.service.staff.project]
    out = []
    for key in keys:
        def one(key: str = key) -> str:
            try:
                members = {u.id for u in client.get_project_users(key)}
            except BacklogNotFoundError:
                members = set()  # a project hidden from non-members reads as missing (404, code 6)
            if me.id not in members:
                msg = f"{handle(me)} (id:{me.id}) is not a member of project {key} (or it does not exist)"
                raise ConfigError("environment", "BACKLOG_API_KEY", msg)
            if not may_update:
                msg = f"{handle(me)} is a member, but role {me.role_type} ({role}) may not update issues"
                raise ConfigError("environment", "BACKLOG_API_KEY", msg)
            return f"{handle(me)} is a member, role {me.role_type} ({role})"
        out.append(_probe(f"bot access {key}", one))
    return out
