"""``rebuild-state``: the state store reconstructed from what the bot wrote into Backlog and the mailbox.

What comes back, and from where (issue 7):

- the reference index: every reference line of the bot's issues, comments and report pages;
- the Backlog activity cursor: the newest activity, so nothing old is replayed; ``backlog:watch-start``
  is the last moment the bot is known to have written, so reconciliation adopts inquiries opened while
  the store was lost, and replays comments after the bot's last comment on an issue (idempotent);
- the inquiry mirror and staff links (``hoshu-bot:ack:*`` / ``hoshu-bot:staff:*``) with the quote in force
  (``hoshu-bot:quote:*``), its hours from the staff record ``hoshu-bot:quote-data:*`` (``;w=8;r=12;k=E6``)
  or, before issue 20, from the data on the quote's own line;
- the ledger (H6, H8): one entry per confirmation (``hoshu-bot:confirm:*`` / ``hoshu-bot:purchased:*``)
  from its staff record (``hoshu-bot:confirm-data:*;h=12;x=1.5;t=20261202T180012;by=yamada``, issue 20)
  or, in older comments, from the data on the confirmation's line (issue 15) or a ``hoshu-bot:ledger``
  line; one with none of these gives its hours from the text and its instant from the comment (an
  approximation, reported as a warning);
- alert groups (``hoshu-bot:alert:<fp>:<gen>``): status from the issue, count from the description;
- report cursors (``report:<KEY>``): the last ended month whose page exists;
- from the mailbox (``bot.rebuild.mail``): the processed-mail record and the alert events.

SLA clocks are restarted from the issues' state, an approximation: an open inquiry no staff member has
answered gets its first-response clock (T2) from the issue's creation; an approved, unfinished one gets
its update and result clocks (T3, T4) from the approval; a waiting one is paused at its last update.
Clock history (reminders already sent) is not recovered, so a reminder may be sent once more.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from bot.backlog.models import Issue
from bot.backlog.people import handle, named_by
from bot.clock import JST
from bot.config.loader import BotConfig
from bot.inquiry.quotes import QuoteState, read_ledger, read_quote
from bot.inquiry.watcher import CURSOR
from bot.inquiry.workflow import WATCH_START
from bot.rebuild.adjustments import restore_adjustments
from bot.rebuild.alerts import alert_issues
from bot.rebuild.mail import FiledMail
from bot.rebuild.scan import Found, Scan
from bot.reports.publish import key_ended
from bot.rules import sla
from bot.rules.categories import suspect_categories
from bot.rules.scope import suspect_out_of_scope
from bot.rules.sla import ClockKind
from bot.rules.statuses import DONE_STATUSES
from bot.state.alerts import AlertEventRow, AlertGroupRow, AlertRecords
from bot.state.inquiries import InquiryRecords, InquiryRow
from bot.state.mail import MailRecords, MailSeen
from bot.state.store import StateStore

log = logging.getLogger(__name__)

_COUNT = re.compile(r"(\d+)\s*回（初回")
_OLD_HOURS = re.compile(r"([0-9]+(?:\.[0-9]+)?) 時間を(?:消費|消化|記録)")


def _tail(ref: str, prefix: str) -> str:
    return ref[len(prefix):]


class Rebuilder:
    """Writes records into an empty store from one ``Scan`` (and the filed mails); counts what it wrote."""

    def __init__(self, config: BotConfig, store: StateStore, scan: Scan, now: datetime) -> None:
        self.config = config
        self.store = store
        self.scan = scan
        self.now = now
        self.refs = scan.by_ref()
        self.counts: Counter[str] = Counter()
        self.warnings: list[str] = []

    def run(self, newest_activity: int, mails: Iterable[FiledMail] = ()) -> dict[str, object]:
        filed = list(mails)
        with self.store.transaction() as c:
            for f in self.scan.found:
                StateStore.record_ref_in(c, f.ref, f.kind, f.project, f.target, f.at)
            self.counts["refs"] = len(self.scan.found)
        self._ledger()
        self._inquiries()
        self._alerts(filed)
        self._mails(filed)
        self._cursors(newest_activity)
        return {"counts": dict(sorted(self.counts.items())), "warnings": self.warnings}

    # ---- the ledger (H6, H8) ---------------------------------------------------------------------
    def _ledger(self) -> None:
        for prefix, kind in (("hoshu-bot:confirm:", "consume"), ("hoshu-bot:purchased:", "purchase")):
            data = prefix.rstrip(":") + "-data:"
            rests = {_tail(f.ref, prefix): f for f in self.scan.with_prefix(prefix)}
            records = {_tail(f.ref, data): f for f in self.scan.with_prefix(data)}
            for rest in sorted(rests.keys() | records.keys()):
                issue_key = rest.split(":", 1)[0]
                # the staff record holds the data; the customer's confirmation names the project
                told, found = rests.get(rest), records.get(rest) or rests[rest]
                project = told.project if told else self._project_of(issue_key)
                self._ledger_entry(found, kind, f"hoshu-bot:{kind}:{rest}", issue_key, project)
        restore_adjustments(self.store, self.scan, self.now, self.counts, self.warnings,
                            {c.project for c in self.config.customers})  # issue 19 item 7

    def _project_of(self, issue_key: str) -> str:
        """A customer project from an issue key (``ACME-12`` -> ``ACME``)."""
        return issue_key.rsplit("-", 1)[0]

    def _ledger_entry(self, f: Found, kind: str, ledger_ref: str, issue_key: str, project: str) -> None:
        try:
            read = read_ledger(f.text)
            if read is not None:
                hours, mult, at, who = read
            else:
                m = _OLD_HOURS.search(f.text)
                if m is None:
                    self.warnings.append(f"{f.ref}: hours not readable; no ledger entry")
                    return
                hours, mult, at, who = Decimal(m.group(1)), Decimal(1), f.at.astimezone(JST), "-"
                self.warnings.append(f"{f.ref}: older confirmation: hours from its text, time of the comment")
        except (KeyError, ValueError, InvalidOperation):
            self.warnings.append(f"{f.ref}: ledger line not readable; no ledger entry")
            return
        issue = self.scan.issues.get(issue_key)
        suffix = ledger_ref.rsplit(":", 1)[-1]
        why = ("追加購入" if kind == "purchase"
               else f"お見積り #{suffix} の承認" if suffix.isdigit() else "保守作業")
        new = self.store.append_ledger(
            customer=project, kind=kind, hours=hours, at=at, issue_key=issue_key, who=who, why=why,
            ref=ledger_ref, now=self.now, title=issue.summary if issue else "",
            category=self._category(issue) or "", multiplier=mult,
        )
        if new:
            self.counts["ledger"] += 1
            if kind == "consume":  # the actual-hours mirror was written with the entry
                self.store.record_ref(f"{ledger_ref}:mirror", "mirror", project, issue_key, self.now)

    # ---- the inquiry mirror, quotes and clocks ---------------------------------------------------
    def _category(self, issue: Issue | None) -> str | None:
        if issue is None:
            return None
        hits = suspect_categories(f"{issue.summary}\n{issue.description}", self.config.service.categories)
        return hits[0].category.id if hits else None

    def _inquiries(self) -> None:
        for f in self.scan.with_prefix("hoshu-bot:ack:"):
            key = _tail(f.ref, "hoshu-bot:ack:")
            issue = self.scan.issues.get(key)
            if issue is None:
                continue
            staff = self.refs.get(f"hoshu-bot:staff:{key}")
            row = self._row(issue, f.project, staff.target if staff else None)
            clocks = self._clocks(row, issue)
            with self.store.transaction() as c:
                InquiryRecords.save(c, row)
                for kind_seq, clock in clocks:
                    InquiryRecords.save_clock(c, row.customer, kind_seq, clock)
            self.counts["inquiries"] += 1
            self.counts["staff_links"] += staff is not None
            self.counts["sla_clocks"] += len(clocks)

    def _row(self, issue: Issue, project: str, staff_key: str | None) -> InquiryRow:
        svc = self.config.service
        text = f"{issue.summary}\n{issue.description}"
        suspicions = suspect_categories(text, svc.categories)
        author = handle(issue.created_user)  # the login, or id:123 on a space of the new plan (issue 18)
        inquirers = self.config.customer(project).inquirers
        data: dict[str, object] = {
            "registered": named_by(inquirers, issue.created_user),
            "function_inquiry": any(s.category.consumes == "c1" for s in suspicions),
            "scope": [{"rule": s.rule, "explanation": s.explanation}
                      for s in suspect_out_of_scope(text, svc.out_of_scope)],
            "last_comment": self._last_bot_comment(issue.key),
        }
        if staff_key:
            data["last_staff_comment"] = self._last_bot_comment(staff_key)
        last_write = max((f.at for f in self.scan.found if f.issue_key == issue.key), default=issue.created)
        quote_n, quote = self._quote(issue.key)
        if quote_n:
            data["quote_n"] = quote_n
        if quote is not None:
            data["quote"] = quote.to_json()
        status = issue.status.name
        return InquiryRow(
            issue_key=issue.key, customer=project, issue_id=issue.id, summary=issue.summary,
            created_user=author, created=issue.created.astimezone(JST), status=status,
            updated=last_write.astimezone(JST), category=suspicions[0].category.id if suspicions else None,
            staff_issue_key=staff_key, paused=status in svc.workflow.waiting_status_names,
            closed=issue.updated.astimezone(JST) if status in DONE_STATUSES else None, data=data,
        )

    def _last_bot_comment(self, issue_key: str) -> int:
        """The bot's newest comment on the issue: comments after it are replayed by reconciliation."""
        ids = [int(f.target.split("#")[1]) for f in self.scan.found
               if f.kind == "comment" and f.issue_key == issue_key]
        return max(ids, default=0)

    def _quote(self, key: str) -> tuple[int, QuoteState | None]:
        """The newest quote and its state: approved (confirmed), held, rejected or pending."""
        prefix = f"hoshu-bot:quote:{key}:"
        tails = [_tail(f.ref, prefix) for f in self.scan.with_prefix(prefix)]
        numbers = [int(t) for t in tails if t.isdigit()]
        if not numbers:
            return 0, None
        n = max(numbers)
        record = self.refs.get(f"hoshu-bot:quote-data:{key}:{n}")  # issue 20: the data is staff-side
        try:
            read = read_quote((record or self.refs[f"{prefix}{n}"]).text)
        except (KeyError, ValueError, InvalidOperation):
            read = None
        if read is None:
            self.warnings.append(f"{prefix}{n}: older quote without hours; an approval needs a new quote")
            return n, None
        worked, requested, kind = read
        confirmed = next((e for e in self.store.ledger() if e.ref == f"hoshu-bot:consume:{key}:{n}"), None)
        state, at = "pending", None
        if confirmed is not None:
            state, at = "approved", confirmed.at.isoformat()
        elif (held := self.refs.get(f"hoshu-bot:held:{key}:{n}")) is not None:
            state, at = "held", held.at.astimezone(JST).isoformat()
        elif f"hoshu-bot:rejected:{key}:{n}" in self.refs:
            state = "rejected"
        return n, QuoteState(n, worked, requested, state, kind, at)

    def _clocks(self, row: InquiryRow, issue: Issue) -> list[tuple[int, sla.Clock]]:
        """T2-T4 restarted from the issue's state (see the module docstring for the approximation)."""
        if row.closed is not None:
            return []
        s, cal, key = self.config.service.sla, self.config.calendar(), row.issue_key
        staff_users = self.config.service.staff.users
        answered = any(
            c.content.strip() and named_by(staff_users, c.created_user)
            for c in self.scan.comments.get(key, [])
        )
        raw = row.data.get("quote")
        quote = QuoteState.from_json(raw) if isinstance(raw, dict) else None
        clocks: list[sla.Clock] = []
        if quote is not None and quote.state == "approved" and quote.approved_at:
            at = datetime.fromisoformat(quote.approved_at)
            clocks += [sla.start(ClockKind.UPDATE, key, at, cal, s.update_every_business_days),
                       sla.start(ClockKind.RESULT, key, at, cal, s.result_within_business_days)]
        elif not answered and quote is None:
            clocks.append(sla.start(ClockKind.FIRST_RESPONSE, key, row.created, cal,
                                    s.first_response_business_days))
        if row.paused:
            clocks = [sla.pause(c, issue.updated.astimezone(JST)) for c in clocks]
        return [(0, c) for c in clocks]

    # ---- alerts and mail ---------------------------------------------------------------------------
    def _alerts(self, filed: list[FiledMail]) -> None:
        by_fp: dict[str, list[FiledMail]] = {}
        for m in filed:
            if m.fingerprint and m.outcome == "grouped":
                by_fp.setdefault(m.fingerprint, []).append(m)
        for fp, gen, f, updates in alert_issues(self.scan, self.store, self.warnings):
            issue = self.scan.issues.get(f.target)
            if issue is None:
                continue
            mails = by_fp.get(fp, [])
            counted = _COUNT.search(issue.description)
            count = int(counted.group(1)) if counted else max(len(mails), 1)
            s = mails[0] if mails else None
            closed = issue.status.name in DONE_STATUSES
            row = AlertGroupRow(
                fingerprint=fp, generation=gen, customer=f.project,
                adapter=s.adapter if s else "", job=s.job if s else "",
                error_code=s.error_code if s else "", error_class=s.error_class if s else "",
                issue_key=issue.key, status="closed" if closed else "open", count=count,
                first_seen=issue.created.astimezone(JST), last_seen=issue.updated.astimezone(JST),
                last_comment_at=max(updates).astimezone(JST) if updates else None,
            )
            mirror = InquiryRow(
                issue_key=issue.key, customer=f.project, issue_id=issue.id, summary=issue.summary,
                created_user=self.config.service.staff.bot_user, created=issue.created.astimezone(JST),
                status=issue.status.name, updated=issue.updated.astimezone(JST), category="C8",
                closed=issue.updated.astimezone(JST) if closed else None, data={"kind": "alert"},
            )
            with self.store.transaction() as c:
                AlertRecords.save(c, row)
                InquiryRecords.save(c, mirror)
            self.counts["alert_groups"] += 1

    def _mails(self, filed: list[FiledMail]) -> None:
        with self.store.transaction() as c:
            for m in filed:
                MailRecords.put(c, MailSeen(m.key, m.outcome, m.customer, m.fingerprint, "rebuilt", self.now))
                self.counts[f"mail_{m.outcome.replace('-', '_')}"] += 1
                if m.outcome == "grouped" and m.fingerprint and m.customer:
                    event = AlertEventRow(m.key, m.fingerprint, m.customer, m.adapter, m.error_class,
                                          m.occurred_at or self.now)
                    added = AlertRecords.add_event(c, event)
                    self.counts["alert_events"] += added

    # ---- cursors ---------------------------------------------------------------------------------
    def _cursors(self, newest_activity: int) -> None:
        months: dict[str, str] = {}
        pages = [_tail(f.ref, "hoshu-bot:report:") for f in self.scan.with_prefix("hoshu-bot:report:")]
        pages += [f"STAFF:{_tail(f.ref, 'hoshu-bot:report-summary:')}"
                  for f in self.scan.with_prefix("hoshu-bot:report-summary:")]
        for customer, _, month in (p.rpartition(":") for p in pages):
            if key_ended(month, self.now, self.config.calendar().tz):  # issue 19: not ended, not a cursor
                months[customer] = max(months.get(customer, month), month)
        for customer, month in months.items():
            self.store.set_cursor(f"report:{customer}", month, self.now)
        self.counts["report_cursors"] = len(months)
        last_write = max((f.at for f in self.scan.found), default=self.now)
        self.store.set_cursor(CURSOR, str(newest_activity), self.now)
        self.store.set_cursor(WATCH_START, min(last_write, self.now).astimezone(JST).isoformat(), self.now)
