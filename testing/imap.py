"""The watcher's IMAP settings for a harness Dovecot: short timeouts and back-off, plain IMAP on 127.0.0.1."""

from __future__ import annotations

from pydantic import SecretStr

from bot.mail_watcher import ImapSettings
from testing.dovecot import DovecotServer


def imap_settings(server: DovecotServer, **overrides: object) -> ImapSettings:
    """Settings for ``server`` as its user; ``overrides`` replace any field (e.g. ``idle_check_seconds``)."""
    values: dict[str, object] = {
        "host": server.host, "port": server.port, "user": server.user,
        "password": SecretStr(server.password), "ssl": False,
        "idle_check_seconds": 1.0, "poll_seconds": 0.2,
        "backoff_min_seconds": 0.05, "backoff_max_seconds": 0.5, "connect_timeout": 5.0,
    }
    values.update(overrides)
    return ImapSettings(**values)  # type: ignore[arg-type]
