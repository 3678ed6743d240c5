"""Alert groups between the state store and the pure grouping core (rules M2, C8): rows <-> GroupState."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config.monitoring import MonitoringConfig
from bot.mail.grouping import Decision, GroupState, OpenIssue, Policy, ReopenAsNew, Wait
from bot.mail.message import Alert
from bot.state.alerts import AlertGroupRow


def policy_of(config: MonitoringConfig) -> Policy:
    """The grouping policy (rule M2) from monitoring.toml's ``[grouping]`` table."""
    g = config.grouping
    return Policy(tuple(g.fields), g.comment_interval, g.transient_threshold, g.transient_window)


def issue_ref(fingerprint: str, generation: int) -> str:
    """The reference of a group's issue (INTERFACE: every write carries one)."""
    return f"hoshu-bot:alert:{fingerprint}:{generation}"


def update_ref(fingerprint: str, generation: int, count: int) -> str:
    """The reference of a summary comment: numbered by the occurrence count it reports up to.

    The count is part of the stored group, so a crash after the comment but before the store write
    re-derives the same reference and the writer finds the comment instead of posting it again.
    """
    return f"hoshu-bot:alert-update:{fingerprint}:{generation}:{count}"


@dataclass(frozen=True)
class Loaded:
    """A fingerprint's group as the core sees it, plus where the next write goes.

    ``generation`` is the row the next save writes; ``previous_issue_key`` is the closed issue a new one
    links; ``close`` is an open row that Backlog says is finished and must be stored as closed.
    """

    state: GroupState | None
    generation: int
    previous_issue_key: str | None
    close: AlertGroupRow | None = None


def load(row: AlertGroupRow | None, previous_issue_key: str | None, now: datetime,
         closed_in_backlog: bool = False) -> Loaded:
    """Turn the newest stored row into the core's state.

    A closed group (in the store, or per Backlog) restarts counting in the next generation, so the new
    issue reports its own occurrences; a waiting group (transient, below its threshold) keeps its recent
    occurrences and remembers the last closed issue of the fingerprint.
    """
    if row is None:
        return Loaded(None, 1, None)
    if row.status == "open" and not closed_in_backlog:
        state = GroupState(row.fingerprint, row.issue_key, "open", row.count, row.first_seen, row.last_seen,
                           row.since_comment, row.last_comment_at, row.recent)
        return Loaded(state, row.generation, None)
    if row.status in ("open", "closed"):
        fresh = GroupState(row.fingerprint, row.issue_key, "closed", 0, now, now)
        close = row.but(status="closed") if row.status == "open" else None
        return Loaded(fresh, row.generation + 1, row.issue_key, close)
    state = GroupState(row.fingerprint, previous_issue_key, "closed", row.count, row.first_seen,
                       row.last_seen, recent=row.recent)
    return Loaded(state, row.generation, previous_issue_key)


def to_row(state: GroupState, generation: int, customer: str, alert: Alert, error_class: str,
           issue_key: str | None) -> AlertGroupRow:
    """The row to store after a decision (``issue_key`` is the new issue's key once it exists)."""
    status = "open" if state.status == "open" else "waiting"
    return AlertGroupRow(
        fingerprint=state.fingerprint, generation=generation, customer=customer, adapter=alert.adapter,
        job=alert.job or "", error_code=alert.error_code, error_class=error_class,
        issue_key=issue_key if status == "open" else None, status=status, count=state.count,
        first_seen=state.first_seen, last_seen=state.last_seen, last_comment_at=state.last_comment_at,
        since_comment=state.pending_since_comment, recent=state.recent,
    )


def row_state(row: AlertGroupRow) -> GroupState:
    """An open row as the core's state (for ``flush``)."""
    return GroupState(row.fingerprint, row.issue_key, "open", row.count, row.first_seen, row.last_seen,
                      row.since_comment, row.last_comment_at, row.recent)


def after_flush(row: AlertGroupRow, state: GroupState) -> AlertGroupRow:
    """The stored row once a flush comment was written."""
    return row.but(since_comment=state.pending_since_comment, last_comment_at=state.last_comment_at)


def mail_key(message_id: str | None, body_hash: str) -> str:
    """The processed-mail key: Message-ID plus body hash (survives UID changes and re-delivery)."""
    return f"{message_id or '-'}|{body_hash}"


def outcome_of(decision: Decision) -> str:
    """The processed-mail outcome of a group decision: ``issue``, ``waiting`` or ``grouped``."""
    if isinstance(decision, OpenIssue | ReopenAsNew):
        return "issue"
    if isinstance(decision, Wait):
        return "waiting"
    return "grouped"


def short(fp: str | None) -> str:
    """A fingerprint as logs show it."""
    return fp[:12] if fp else "-"
