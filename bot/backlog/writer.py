"""Idempotent writes into Backlog: every issue, comment and wiki page carries its reference.

INTERFACE.md, "What the bot writes": each write is known by a reference (``hoshu-bot:ack:ACME-12``) and
ends with its line: the document number a customer reads (``受付番号：ACME-12``, ``bot.backlog.refs``) or,
in the staff project, the machine line. Before a write the reference is marked *pending* in the state
store; after it, the Backlog id is recorded. A
pending reference (the bot crashed, or the write timed out after it may have reached Backlog) is looked
up in Backlog before anything is written again, so a crash at any point neither loses nor repeats a write.
The look-up uses deterministic reads only (``bot.backlog.lookup``: the bot's issues by creator, the
issue's comments newest first, the project's page list), never keyword search, whose index may not
yet hold a write a second old (issue 11; docs/decisions/2026-12-01-writes-found-without-search.md).
In dry-run mode nothing is written: each write is logged and a placeholder is returned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.backlog.directory import Directory
from bot.backlog.lookup import find_comment, find_issue, find_wiki
from bot.backlog.refs import with_reference
from bot.backlog.text import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    WIKI_MAX,
    Doc,
    fit,
    fit_summary,
    render,
)
from bot.backlog_client import BacklogClient
from bot.clock import Clock
from bot.errors import BacklogTransientError
from bot.state import StateStore

log = logging.getLogger(__name__)

PENDING = ""


@dataclass(frozen=True)
class Written:
    """The outcome of an idempotent write: the Backlog target and whether this call created it."""

    target: str
    created: bool
    id: int | None = None  # the issue's numeric id, when this call created the issue


def finish(body: Doc | str, rule: str, ref: str, limit: int) -> str:
    """Render ``body`` for the project's formatting rule, end it with ``ref``, make it safe to send."""
    text = render(body, rule) if isinstance(body, Doc) else body  # type: ignore[arg-type]
    return fit(with_reference(text, ref), limit)


class BacklogWriter:
    """The only way use cases write to Backlog."""

    def __init__(
        self, client: BacklogClient, store: StateStore, directory: Directory, clock: Clock, *,
        dry_run: bool = False, pending_grace: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.store = store
        self.directory = directory
        self.clock = clock
        self.dry_run = dry_run
        # A write whose answer never came (read timeout, dropped connection) may still be in Backlog's
        # hands: it is not written again until this long after, so a late landing is found, not doubled.
        self.pending_grace = 2 * client.transport.timeout[1] if pending_grace is None else pending_grace
        self._monotonic = monotonic
        self._no_answer: dict[str, float] = {}
        self._bot_id: int | None = None

    # ---- comments -------------------------------------------------------------------------------
    def comment(
        self, project: str, issue_key: str, ref: str, body: Doc | str, *, notify: Sequence[int] = (),
        description: str | None = None, shown_as: str | None = None,
    ) -> Written:
        """Add one comment carrying ``ref`` to ``issue_key`` unless it was written before.

        With ``description`` the comment and the new description go in one PATCH (Backlog's update with
        ``comment``): one write and one activity instead of two. ``shown_as`` is the reference the text
        carries when it is not ``ref`` itself (an alert's number for its fingerprint): the store knows
        the write by ``ref``, Backlog by ``shown_as``.
        """
        line = shown_as or ref
        done = self._already(ref, "comment", project, lambda: self._find_comment(issue_key, line, ref))
        if done is not None:
            return done
        text = finish(body, self.directory.project(project).rule, line, COMMENT_MAX)
        if self.dry_run:
            log.info("dry-run: would comment on %s (%s)", issue_key, ref)
            return Written("dry-run", created=False)
        self._pending(ref, "comment", project)
        try:
            if description is None:
                comment = self.client.add_comment(issue_key, text, notified_user_ids=notify)
                target = f"{issue_key}#{comment.id}"
            else:
                self.client.update_issue(issue_key, comment=text, description=description,
                                         notified_user_ids=notify)
                target = issue_key  # the update answers with the issue, not the comment's id
        except BacklogTransientError as exc:
            self._note(ref, exc)  # first: the lookup below may fail too
            found = self._find_comment(issue_key, line, ref) if exc.maybe_applied else None
            if found is None:
                raise
            return self._record(ref, "comment", project, found)
        log.info("commented on %s: %s (%s)", issue_key, target, ref)
        return self._record(ref, "comment", project, target)

    def _find_comment(self, issue_key: str, line: str, ref: str) -> str | None:
        return find_comment(self.client, issue_key, line, self._attempted(ref), self._bot())

    def _bot(self) -> int:
        if self._bot_id is None:
            self._bot_id = self.client.get_myself().id
        return self._bot_id

    # ---- issues ---------------------------------------------------------------------------------
    def issue(
        self, project: str, ref: str, summary: str, body: Doc | str, *, issue_type: Sequence[str] = (),
        priority: str = "中", notify: Sequence[int] = (), assignee_id: int | None = None,
        refresh: bool = False, shown_as: str | None = None,
    ) -> Written:
        """Create one issue carrying ``ref`` in its description unless it was created before.

        With ``refresh`` an existing issue gets the new description when it differs (a report that
        goes out as an issue, in a project without a wiki); ``created`` is then true for a change.
        ``shown_as``: as for :meth:`comment`.
        """
        info = self.directory.project(project)
        line = shown_as or ref
        text = finish(body, info.rule, line, DESCRIPTION_MAX)
        done = self._already(ref, "issue", project, lambda: self._find_issue(project, line, ref))
        if done is not None:
            return self._refresh(done.target, text) if refresh and not self.dry_run else done
        title = fit_summary(summary)
        if self.dry_run:
            log.info("dry-run: would open an issue in %s (%s)", project, ref)
            return Written("dry-run", created=False)
        self._pending(ref, "issue", project)
        try:
            issue = self.client.add_issue(
                info.project.id, title, info.issue_type_named(*issue_type).id,
                self.directory.priority_id(priority), description=text, notified_user_ids=notify,
                assignee_id=assignee_id,
            )
        except BacklogTransientError as exc:
            self._note(ref, exc)  # first: the lookup below may fail too
            found = self._find_issue(project, line, ref) if exc.maybe_applied else None
            if found is None:
                raise
            return self._record(ref, "issue", project, found)
        log.info("opened issue %s (%s)", issue.key, ref)
        return replace(self._record(ref, "issue", project, issue.key), id=issue.id)

    def _refresh(self, key: str, text: str) -> Written:
        current = self.client.get_issue(key).description.replace("\r\n", "\n")
        if current == text:
            return Written(key, created=False)
        self.client.update_issue(key, description=text)
        log.info("updated the description of %s", key)
        return Written(key, created=True)

    def _find_issue(self, project: str, line: str, ref: str) -> str | None:
        project_id = self.directory.project(project).project.id
        return find_issue(self.client, project_id, self._bot(), line, self._attempted(ref))

    # ---- wiki pages -----------------------------------------------------------------------------
    def wiki(self, project: str, name: str, ref: str, body: Doc | str) -> Written:
        """Create or update the page carrying ``ref``; touches Backlog only when the content changed.

        Returns ``created=True`` for a new page or a changed one. Callers that keep staff-written sections
        read the current page with ``read_wiki`` first.
        """
        info = self.directory.project(project)
        text = finish(body, info.rule, ref, WIKI_MAX)
        target = self.store.ref_target(ref) or self._find_wiki(project, name, ref)
        if self.dry_run:
            log.info("dry-run: would write wiki page %s in %s (%s)", name, project, ref)
            return Written(target or "dry-run", created=False)
        if target:
            current = self.client.get_wiki(int(target))
            if (current.content or "").replace("\r\n", "\n") == text:
                self._record(ref, "wiki", project, target)
                return Written(target, created=False)
            self.client.update_wiki(int(target), content=text)
            log.info("updated wiki page %s in %s (%s)", target, project, ref)
            self._record(ref, "wiki", project, target)
            return Written(target, created=True)
        if self.store.ref_target(ref) == PENDING:
            self._hold_if_unanswered(ref)
        self._pending(ref, "wiki", project)
        try:
            page = self.client.add_wiki(info.project.id, name, text)
        except BacklogTransientError as exc:
            self._note(ref, exc)  # first: the lookup below may fail too
            found = self._find_wiki(project, name, ref) if exc.maybe_applied else None
            if found is None:
                raise
            return self._record(ref, "wiki", project, found)
        log.info("created wiki page %d in %s (%s)", page.id, project, ref)
        return self._record(ref, "wiki", project, str(page.id))

    def read_wiki(self, project: str, name: str, ref: str) -> str | None:
        target = self.store.ref_target(ref) or self._find_wiki(project, name, ref)
        return None if not target else self.client.get_wiki(int(target)).content

    def _find_wiki(self, project: str, name: str, ref: str) -> str | None:
        return find_wiki(self.client, project, name, ref)

    # ---- the reference index --------------------------------------------------------------------
    def _already(
        self, ref: str, kind: str, project: str, lookup: Callable[[], str | None]
    ) -> Written | None:
        target = self.store.ref_target(ref)
        if target is None:
            return None
        if target != PENDING:
            return Written(target, created=False)
        found = lookup()  # pending: a previous attempt may have landed; look before writing again
        if found is None:
            self._hold_if_unanswered(ref)
            return None
        return self._record(ref, kind, project, found, created=False)

    def _attempted(self, ref: str) -> datetime:
        """When the write of ``ref`` was first attempted (its pending mark); the look-up reads back to
        then. No mark (nothing attempted yet) means now."""
        return self.store.ref_written_at(ref) or self._now()

    def _note(self, ref: str, exc: BacklogTransientError) -> None:
        """Remember when a write got no answer at all (no status): it may still land later."""
        if exc.maybe_applied and exc.status is None:
            self._no_answer[ref] = self._monotonic()

    def _hold_if_unanswered(self, ref: str) -> None:
        """Refuse to write ``ref`` again while an unanswered attempt may still land (the next pass
        looks again). After a restart nothing is remembered: the restart itself outlasts the grace."""
        since = self._no_answer.get(ref)
        if since is not None and self._monotonic() - since < self.pending_grace:
            msg = f"{ref}: the last attempt got no answer and may still land; not written again yet"
            raise BacklogTransientError(msg, maybe_applied=True)
        self._no_answer.pop(ref, None)

    def hold_pending(self, ages: dict[str, float], window: float) -> None:
        """Issue 22: pending marks the previous owner made ``age`` seconds ago (it was killed or froze in
        the middle of the write) are held like an unanswered attempt of ours: looked up, and not written
        again until ``window`` seconds (the read timeout its request was bound by) after they were made."""
        now = self._monotonic()
        for ref, age in ages.items():
            self._no_answer[ref] = now - age - max(0.0, self.pending_grace - window)

    def _pending(self, ref: str, kind: str, project: str) -> None:
        self.store.record_ref(ref, kind, project, PENDING, self._now())

    def _record(self, ref: str, kind: str, project: str, target: str, *, created: bool = True) -> Written:
        self._no_answer.pop(ref, None)
        self.store.set_ref(ref, kind, project, target, self._now())
        return Written(target, created=created)

    def _now(self) -> datetime:
        return self.clock()
