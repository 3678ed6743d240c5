"""The monitoring configuration (``config/monitoring.toml``): adapter parsers, grouping, own address.

Read as strictly as the business files (issue 13 item 2, ``bot/config/fields.py``): ``"60"`` is not a
number, an interval or a threshold is in range, a regex compiles, a rule can match something and can
find an error code (M2: an alert without a code is not one), names are not repeated.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from bot.config.fields import STRICT, Text, tuples
from bot.errors import ConfigError

GroupField = Literal["customer", "adapter", "job", "error_code", "tenant_key"]

#: The named groups an ``extract`` regex may fill (``bot.mail.adapters`` reads exactly these).
EXTRACT_GROUPS = ("tenant", "job", "code", "message", "occurred_at")

#: A week, in minutes: a longer grouping interval or window would hide an outage for days (M3).
_WEEK_MINUTES = 7 * 24 * 60


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        msg = f"not a valid regular expression ({exc})"
        raise ValueError(msg) from None


def _regex(v: str) -> str:
    _compile(v)
    return v


def _extract(v: str) -> str:
    unknown = sorted(set(_compile(v).groupindex) - set(EXTRACT_GROUPS))
    if unknown:
        msg = f"unknown named group {unknown[0]!r} (known: {', '.join(EXTRACT_GROUPS)})"
        raise ValueError(msg)
    return v


#: A regular expression that compiles (the flags ``bot.mail.adapters`` uses).
Regex = Annotated[Text, AfterValidator(_regex)]
#: An ``extract`` regex: it compiles and names only groups the parser reads.
Extract = Annotated[Text, AfterValidator(_extract)]


class ParserRule(BaseModel):
    """One way an adapter's mail looks: all given matchers must match; ``extract`` regexes fill fields.

    Named groups understood in ``extract``: tenant, job, code, message, occurred_at. Regexes run on the
    normalised text (NFKC, so full-width ``：`` is ``:``), subject first, then body.
    """

    model_config = STRICT

    senders: tuple[Text, ...] = ()
    subject: Regex | None = None
    body: Regex | None = None
    extract: tuple[Extract, ...] = ()

    @field_validator("extract")
    @classmethod
    def _finds_a_code(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if v and not any("code" in _compile(r).groupindex for r in v):
            msg = "no pattern has a (?P<code>...) group, so this rule can never give an alert (M2)"
            raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _matches_something(self) -> ParserRule:
        if not (self.senders or self.subject or self.body):
            msg = "a rule needs at least one of senders, subject or body (else it matches every mail)"
            raise ValueError(msg)
        return self




class AdapterConfig(BaseModel):
    """An adapter (P1) and the mail formats that identify it."""

    model_config = STRICT

    name: Text
    label: Text
    rules: tuple[ParserRule, ...] = Field(alias="rule", min_length=1)


class CustomerRules(BaseModel):
    """Per-customer parser rules, tried before the shipped ones (e.g. a DataSpider template, reference D)."""

    model_config = STRICT

    customer: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")  # a Backlog project key, as in customers.toml
    adapter: Text
    rules: tuple[ParserRule, ...] = Field(alias="rule", min_length=1)


class SenderAdapter(BaseModel):
    """The adapter a sender address (or glob pattern) always sends for: the generic reading trusts it
    before any adapter name in the mail."""

    model_config = STRICT

    address: Text
    adapter: Text


class GroupingConfig(BaseModel):
    """Grouping policy values (see ``grouping.Policy``); minutes and counts in range (M3)."""

    model_config = STRICT

    fields: tuple[GroupField, ...] = Field(("customer", "adapter", "job", "error_code"), min_length=1)
    comment_interval_minutes: int = Field(default=60, ge=1, le=_WEEK_MINUTES)
    transient_threshold: int = Field(default=3, ge=1, le=100)
    transient_window_minutes: int = Field(default=60, ge=1, le=_WEEK_MINUTES)

    @field_validator("fields")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for i, f in enumerate(v):
            if f in v[:i]:
                msg = f"{f!r} is listed twice"
                raise ValueError(msg)
        return v

    @property
    def comment_interval(self) -> timedelta:
        return timedelta(minutes=self.comment_interval_minutes)

    @property
    def transient_window(self) -> timedelta:
        return timedelta(minutes=self.transient_window_minutes)


class ReadingConfig(BaseModel):
    """How the generic reading shapes what it reads (issue 21): a job name is the middle of the issue
    title and part of the grouping fingerprint, so it is kept short."""

    model_config = STRICT

    job_max_length: int = Field(default=40, ge=8, le=200)


class MonitoringConfig(BaseModel):
    """The whole of ``monitoring.toml``."""

    model_config = STRICT

    bot_addresses: tuple[Text, ...] = ()
    # Deprecated (issue 19 item 4): never read; the staff project is named once, in service.toml
    # [staff] project. Still accepted (and checked) so that existing files load, with a warning.
    staff_project: str | None = Field(None, pattern=r"^[A-Z][A-Z0-9_]*$")
    grouping: GroupingConfig = GroupingConfig()
    reading: ReadingConfig = ReadingConfig()
    adapters: tuple[AdapterConfig, ...] = Field(default=(), alias="adapter")
    customer_rules: tuple[CustomerRules, ...] = Field(default=(), alias="customer_rule")
    senders: tuple[SenderAdapter, ...] = Field(default=(), alias="sender")

    @model_validator(mode="before")
    @classmethod
    def _arrays(cls, data: Any) -> Any:
        """TOML arrays as tuples (strict tuple fields take nothing else), as ``bot.config.loader`` reads."""
        return tuples(data)

    @field_validator("bot_addresses")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a.lower() for a in v)



def deprecations(path: str, config: MonitoringConfig, staff_project: str | None = None) -> tuple[str, ...]:
    """One line per setting the file still carries but nothing reads (each setting lives in one place):
    ``staff_project``, which ``service.toml [staff] project`` replaced; ``staff_project`` the value there."""
    if config.staff_project is None:
        return ()
    where = "service.toml [staff] project" + (f' = "{staff_project}"' if staff_project else "")
    differs = staff_project is not None and staff_project != config.staff_project
    said = (f'staff_project = "{config.staff_project}" is ignored' if differs
            else "staff_project is no longer read (deprecated)")
    return (f"{path}: {said}: the staff project is {where}; remove the line",)


def check_monitoring(path: str, config: MonitoringConfig) -> None:
    """What only the whole file can tell: an adapter name defined once (the first would shadow the next)."""
    names = [a.name for a in config.adapters]
    for i, name in enumerate(names):
        if name in names[:i]:
            msg = f"adapter {name!r} is defined twice (also adapter[{names.index(name)}])"
            raise ConfigError(path, f"adapter[{i}].name", msg)
