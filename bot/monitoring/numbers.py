"""Alert numbers: what a customer reads instead of a fingerprint (issue 20 item 2, INTERFACE 2026-12-03).

An alert group is known to the store by its fingerprint (a sha256) and generation; its issue and summary
comments must not carry that hash. Each group gets the customer's next number instead (検知番号
ACME-A3, ``bot.backlog.refs``), which the issue and its summaries end with. The number is kept twice:

- in the store (a reference row ``hoshu-bot:alert-number:ACME:<fp>:<gen>`` whose target is the number),
  recorded before anything is written, so a crash re-uses it;
- in the staff project, on the customer's one staff issue 「監視の検知番号」, one comment per number
  whose machine line carries the fingerprint and generation: ``rebuild-state`` reads the numbers back
  from there (customers cannot see the staff project). That comment is written *before* the customer's
  issue, so every number a customer can see is in the index.

A group written before numbers existed gets one the first time it is written again (its next summary
also rewrites the description's last line).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.backlog.refs import reference_line
from bot.backlog.text import render
from bot.backlog.writer import BacklogWriter
from bot.config.loader import BotConfig
from bot.state.store import StateStore

log = logging.getLogger(__name__)

NUMBER_PREFIX = "hoshu-bot:alert-number:"
INDEX_PREFIX = "hoshu-bot:alert-index:"  # the customer's staff issue of numbers
INDEXED_PREFIX = "hoshu-bot:alert-indexed:"  # one comment per number on it


def number_ref(project: str, fingerprint: str, generation: int) -> str:
    return f"{NUMBER_PREFIX}{project}:{fingerprint}:{generation}"


def issue_alias(project: str, number: int) -> str:
    """The reference an alert issue's description ends with (検知番号：ACME-A3)."""
    return f"hoshu-bot:alert-no:{project}:{number}"


def update_alias(project: str, number: int, count: int) -> str:
    """The reference of a summary comment, numbered by the count it reports up to (as ``update_ref``)."""
    return f"hoshu-bot:alert-no-update:{project}:{number}:{count}"


def indexed_ref(project: str, number: int) -> str:
    return f"{INDEXED_PREFIX}{project}:{number}"


class AlertNumbers:
    """Gives each alert group its customer-visible number, recorded in the store and the staff index."""

    def __init__(self, config: BotConfig, store: StateStore, writer: BacklogWriter) -> None:
        self.config = config
        self.store = store
        self.writer = writer

    def number(self, project: str, fingerprint: str, generation: int, title: str, now: datetime) -> int:
        """The group's number; a new one is recorded and indexed before it is returned (idempotent)."""
        ref = number_ref(project, fingerprint, generation)
        known = self.store.ref_target(ref)
        if known:
            n = int(known)
        else:
            n = self._next(project)
            self.store.record_ref(ref, "alert-number", project, str(n), now)
        self._index(project, n, fingerprint, generation, title)
        return n

    def _next(self, project: str) -> int:
        mine = f"{NUMBER_PREFIX}{project}:"
        taken = [int(t) for r, t in self.store.refs_by_kind("alert-number").items()
                 if r.startswith(mine) and t.isdigit()]
        return max(taken, default=0) + 1

    def _index(self, project: str, n: int, fingerprint: str, generation: int, title: str) -> None:
        """The staff comment that maps the number back to the group (written once, by its reference)."""
        ref = indexed_ref(project, n)
        if self.store.ref_target(ref):
            return
        staff = self.config.service.staff.project
        voice = self.config.voice()
        name = self.config.customer(project).name
        issue = self.writer.issue(
            staff, f"{INDEX_PREFIX}{project}",
            voice.line("staff/alert_numbers_title", project=project, company=name),
            voice.doc("staff/alert_numbers", project=project, company=name), issue_type=("タスク",))
        body = voice.doc("staff/alert_number", project=project, n=n, title=title)
        rule = self.writer.directory.project(staff).rule
        line = reference_line(ref, fp=fingerprint, g=str(generation))
        self.writer.comment(staff, issue.target, ref, f"{render(body, rule)}\n\n{line}")  # type: ignore[arg-type]
        log.info("alert number %s-A%d indexed in %s", project, n, staff)
