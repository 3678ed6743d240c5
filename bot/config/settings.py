"""Environment settings (INTERFACE.md, "Environment"), read with pydantic-settings.

Secrets are ``SecretStr`` so that they never show in a repr, a log line or an exception.
Nothing here is built at import time: the composition root calls ``load_settings()``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config.files import field_path
from bot.errors import ConfigError

MIN_KEY, MAX_KEY = 16, 256


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1): traffic that stays on this host."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """The process environment (and ``./.env``), exactly as INTERFACE.md names it."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    backlog_base_url: str | None = Field(default=None, alias="BACKLOG_BASE_URL")
    backlog_api_key: SecretStr | None = Field(default=None, alias="BACKLOG_API_KEY")
    imap_host: str | None = Field(default=None, alias="IMAP_HOST")
    imap_port: int = Field(default=993, ge=1, le=65535, alias="IMAP_PORT")
    imap_user: str | None = Field(default=None, alias="IMAP_USER")
    imap_password: SecretStr | None = Field(default=None, alias="IMAP_PASSWORD")
    imap_ssl: bool = Field(default=True, alias="IMAP_SSL")
    imap_folder: str = Field(default="INBOX", alias="IMAP_FOLDER")
    # Issue 19: where handled and unreadable mail is filed (the watcher creates them when missing).
    imap_processed_folder: str = Field(default="Processed", min_length=1, alias="IMAP_PROCESSED_FOLDER")
    imap_quarantine_folder: str = Field(default="Quarantine", min_length=1, alias="IMAP_QUARANTINE_FOLDER")
    bot_config_dir: Path = Field(default=Path("./config"), alias="BOT_CONFIG_DIR")
    bot_state_path: Path = Field(default=Path("./var/state.db"), alias="BOT_STATE_PATH")
    # Issue 14: PostgreSQL when set (the platform's add-on); else the SQLite file at BOT_STATE_PATH.
    database_url: SecretStr | None = Field(default=None, alias="DATABASE_URL")
    # Issue 14: an empty store while Backlog shows the bot's own writes is rebuilt first instead of refused.
    bot_auto_rebuild: bool = Field(default=False, alias="BOT_AUTO_REBUILD")
    bot_dry_run: bool = Field(default=False, alias="BOT_DRY_RUN")
    bot_log_level: str = Field(default="INFO", alias="BOT_LOG_LEVEL")
    bot_log_format: Literal["text", "json"] = Field(default="text", alias="BOT_LOG_FORMAT")
    bot_now: datetime | None = Field(default=None, alias="BOT_NOW")
    # How often the worker polls Backlog; the other jobs tick at fixed multiples of it (bot/app.py).
    bot_poll_seconds: int = Field(default=20, ge=1, le=3600, alias="BOT_POLL_SECONDS")
    # ``status``: a source not read successfully for longer than this makes ``healthy`` false.
    bot_stale_minutes: int = Field(default=15, ge=1, alias="BOT_STALE_MINUTES")
    # Issue 22: the active worker's lease on the store; a standby takes over this long after the last
    # renewal (bot/state/lease.py). What a worker does when it finds its lease taken over: exit 1 (the
    # platform restarts it) or wait as a standby.
    bot_lease_seconds: float = Field(default=30.0, ge=1, le=600, alias="BOT_LEASE_SECONDS")
    bot_on_lease_lost: Literal["exit", "standby"] = Field(default="exit", alias="BOT_ON_LEASE_LOST")

    @field_validator("backlog_base_url")
    @classmethod
    def _base_url(cls, v: str | None) -> str | None:
        # The space URL is never guessed (backlog.com / .jp / backlogtool.com all exist): it must be explicit.
        if v is None or v == "":
            return None
        if not v.startswith(("https://", "http://")):
            msg = "must start with https:// (e.g. https://example.backlog.com)"
            raise ValueError(msg)
        parts = urlsplit(v)
        if not parts.hostname:
            msg = "has no host (e.g. https://example.backlog.com)"
            raise ValueError(msg)
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            # The API key travels in the query string (backlog-api.md): over plain http anyone on the path
            # reads it. Plain http is for the emulator on this machine only (``hoshu-bot sandbox``).
            msg = (f"plain http sends the API key in clear; use https:// (http is allowed only for a "
                   f"loopback host, not {parts.hostname})")
            raise ValueError(msg)
        return v.rstrip("/")

    @field_validator("imap_host", "imap_user", "imap_password", mode="before")
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        # ``IMAP_HOST=`` in a .env means "no mailbox", as if the line were absent.
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("backlog_api_key")
    @classmethod
    def _api_key(cls, v: SecretStr | None) -> SecretStr | None:
        # Our reading: Backlog issues 64-character keys of letters and digits. A key far shorter or longer,
        # or with blanks in it, is a paste error; a tiny key would also make redaction meaningless.
        if v is None or v.get_secret_value() == "":
            return None
        key = v.get_secret_value()
        if not MIN_KEY <= len(key) <= MAX_KEY or any(c.isspace() or not c.isprintable() for c in key):
            msg = (f"malformed API key ({len(key)} characters; expected {MIN_KEY}-{MAX_KEY} printable "
                   "characters without blanks, as issued in Personal settings > API)")
            raise ValueError(msg)
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or v.get_secret_value() == "":
            return None
        if not v.get_secret_value().startswith(("postgres://", "postgresql://")):
            msg = ("must start with postgres:// or postgresql:// (unset it to use the SQLite file "
                   "BOT_STATE_PATH)")
            raise ValueError(msg)
        return v

    @property
    def state_location(self) -> str:
        """Where the state store is: the PostgreSQL URL when DATABASE_URL is set, else the SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else str(self.bot_state_path)

    @field_validator("bot_now")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            msg = "must carry a UTC offset, e.g. 2026-11-26T10:00+09:00"
            raise ValueError(msg)
        return v

    @field_validator("bot_log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            msg = "must be DEBUG, INFO, WARNING or ERROR"
            raise ValueError(msg)
        return v


_ALIASES = {name: (f.alias or name) for name, f in Settings.model_fields.items()}


_NOTICE: list[bool] = []


def packaged_config_dir() -> Path:
    """The shipped configuration inside the installed package (``bot/defaults``: the brochure's values)."""
    return Path(str(resources.files("bot") / "defaults"))


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a bad variable is a ConfigError naming it (exit 2).

    Without ``BOT_CONFIG_DIR`` and without a ``./config`` directory (an installed bot, outside a clone),
    the packaged defaults are used and a one-line notice says so; ``hoshu-bot init`` writes them out.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        name = _ALIASES.get(str(loc[0]), str(loc[0])) if loc else "-"
        problem = err["msg"].removeprefix("Value error, ")
        raise ConfigError("environment", name if len(loc) <= 1 else field_path(loc), problem) from None
    _imap_complete(settings)
    if "bot_config_dir" not in settings.model_fields_set and not _exists(settings.bot_config_dir):
        packaged = packaged_config_dir()
        if not _NOTICE:  # one line per process, however often a command reads the settings
            _NOTICE.append(True)
            print(f"hoshu-bot: no ./{settings.bot_config_dir} directory and BOT_CONFIG_DIR unset: using "
                  f"the packaged defaults ({packaged}); 'hoshu-bot init' writes them for editing",
                  file=sys.stderr)
        settings = settings.model_copy(update={"bot_config_dir": packaged})
    return settings


def _imap_complete(settings: Settings) -> None:
    """Issue 19: a mailbox is all of IMAP_HOST, IMAP_USER and IMAP_PASSWORD, or none of them; half of one
    is a configuration error in every command (exit 2), not a login failure found later."""
    if settings.imap_host is None:
        return
    for name in ("imap_user", "imap_password"):
        if getattr(settings, name) is None:
            msg = "required when IMAP_HOST is set (unset IMAP_HOST if no customer has the monitoring option)"
            raise ConfigError("environment", _ALIASES[name], msg)


def state_path_problem(settings: Settings) -> str | None:
    """Why the SQLite store at BOT_STATE_PATH could not be created or opened (issue 19 item 5), or None.
    Only the file system is looked at (no file is created); with DATABASE_URL set there is no path."""
    if settings.database_url is not None:
        return None
    path = settings.bot_state_path
    try:
        if path.exists():
            return None if path.is_file() else f"{path} exists and is not a file"
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            return f"{path} cannot be created: {parent} is not a directory"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"{path} cannot be created: {parent} is not writable by this user"
    except OSError as exc:
        return f"{path} cannot be reached: {exc.strerror or type(exc).__name__}"
    return None


def require_state_path(settings: Settings) -> None:
    """A ConfigError naming BOT_STATE_PATH (exit 2) when the store cannot be created there."""
    problem = state_path_problem(settings)
    if problem is not None:
        raise ConfigError("environment", "BOT_STATE_PATH", problem)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # unreadable parent: not "missing"; loading the files reports it
        return True


def require(settings: Settings, *names: str) -> None:
    """Fail with a ConfigError when a variable that a command needs is unset."""
    for name in names:
        if getattr(settings, name) is None:
            raise ConfigError("environment", _ALIASES[name], f"required for this command ({_ALIASES[name]})")
