"""The monitoring configuration (``config/monitoring.toml``): adapter parsers, grouping, own address."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.configfile import load_model

GroupField = Literal["customer", "adapter", "job", "error_code", "tenant_key"]


class ParserRule(BaseModel):
    """One way an adapter's mail looks: all given matchers must match; ``extract`` regexes fill fields.

    Named groups understood in ``extract``: tenant, job, code, message, occurred_at. Regexes run on the
    normalised text (NFKC, so full-width ``：`` is ``:``), subject first, then body.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    senders: tuple[str, ...] = ()
    subject: str | None = None
    body: str | None = None
    extract: tuple[str, ...] = ()

    @field_validator("subject", "body")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            _compile(v)
        return v

    @field_validator("extract")
    @classmethod
    def _regexes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for r in v:
            _compile(r)
        return v


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        msg = f"not a valid regular expression ({exc})"
        raise ValueError(msg) from None


class AdapterConfig(BaseModel):
    """An adapter (P1) and the mail formats that identify it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str
    rules: tuple[ParserRule, ...] = Field(alias="rule")


class CustomerRules(BaseModel):
    """Per-customer parser rules, tried before the shipped ones (e.g. a DataSpider template, reference D)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer: str
    adapter: str
    rules: tuple[ParserRule, ...] = Field(alias="rule")


class SenderAdapter(BaseModel):
    """The adapter a sender address (or glob pattern) always sends for: the generic reading trusts it
    before any adapter name in the mail."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str
    adapter: str


class GroupingConfig(BaseModel):
    """Grouping policy values (see ``grouping.Policy``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: tuple[GroupField, ...] = ("customer", "adapter", "job", "error_code")
    comment_interval_minutes: int = Field(default=60, ge=1)
    transient_threshold: int = Field(default=3, ge=1)
    transient_window_minutes: int = Field(default=60, ge=1)

    @property
    def comment_interval(self) -> timedelta:
        return timedelta(minutes=self.comment_interval_minutes)

    @property
    def transient_window(self) -> timedelta:
        return timedelta(minutes=self.transient_window_minutes)


class MonitoringConfig(BaseModel):
    """The whole of ``monitoring.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bot_addresses: tuple[str, ...] = ()
    staff_project: str = "HOSHU"
    grouping: GroupingConfig = GroupingConfig()
    adapters: tuple[AdapterConfig, ...] = Field(default=(), alias="adapter")
    customer_rules: tuple[CustomerRules, ...] = Field(default=(), alias="customer_rule")
    senders: tuple[SenderAdapter, ...] = Field(default=(), alias="sender")

    @field_validator("bot_addresses")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a.lower() for a in v)


def load_monitoring(path: Path) -> MonitoringConfig:
    """Read ``monitoring.toml``; any problem is a ConfigError naming the file and field."""
    return load_model(path, MonitoringConfig)
