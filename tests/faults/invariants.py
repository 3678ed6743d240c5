"""What must hold after any fault run (issue 8): nothing lost, nothing duplicated, the ledger as told.

Each check returns a list of problems (empty when it holds), so one assert shows every broken rule:

- ``mail_problems``: the watched folder is empty and every mail sent is in Processed or Quarantine,
  exactly once (M2: a mail is never lost, and filing twice would show as two copies);
- ``duplicate_problems``: no two issues carry the same bot reference, no issue has two bot comments
  with the same reference, every bot text has one (INTERFACE "What the bot writes");
- ``ledger_problems``: no ledger reference twice, and every consumption is confirmed to the customer
  exactly once with the same hours, and every confirmation told has its ledger entry (H8).
"""

from __future__ import annotations

import email
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from bot.backlog.refs import find_reference
from bot.hour_tracker import LedgerEntry
from bot.inquiry.quotes import confirm_ref
from bot.sandbox import BacklogEmulator
from tests.support.dovecot import DovecotServer

PROCESSED, QUARANTINE = "Processed", "Quarantine"
# The confirmation's wording is the lead's (issue 20 rewrites it): 消費 before, 消化 after; the figure counts.
_TOLD = re.compile(r"(\d+(?:\.\d+)?) 時間を(?:消費|消化)いたしました")


@dataclass(frozen=True)
class Text:
    """One issue description or comment as it stands in Backlog."""

    project: str
    issue_key: str
    comment_id: int | None
    author: str
    content: str

    @property
    def ref(self) -> str | None:
        return find_reference(self.content)


@dataclass(frozen=True)
class Snapshot:
    issues: tuple[Text, ...]
    comments: tuple[Text, ...]
    wikis: tuple[tuple[str, str], ...]  # (project, page name)

    def by(self, author: str) -> tuple[list[Text], list[Text]]:
        issues = [t for t in self.issues if t.author == author]
        return issues, [t for t in self.comments if t.author == author]


def snapshot(emu: BacklogEmulator) -> Snapshot:
    """Everything in the emulator's space, read under its lock (not through the API: no budget spent)."""
    st = emu.state
    with st.lock:
        keys = {p.id: p.key for p in st.projects.values()}
        users = {u.id: u.user_id for u in st.users.values()}
        issue_keys = {i.id: f"{keys[i.project_id]}-{i.key_id}" for i in st.issues.values()}
        issues = tuple(Text(keys[i.project_id], issue_keys[i.id], None, users.get(i.created_user_id, "?"),
                            i.description or "") for i in st.issues.values())
        comments = tuple(Text(keys[c.project_id], issue_keys.get(c.issue_id, "?"), c.id,
                              users.get(c.created_user_id, "?"), c.content or "")
                         for c in st.comments.values())
        wikis = tuple((keys[w.project_id], w.name) for w in st.wikis.values())
    return Snapshot(issues, comments, wikis)


def message_ids(raws: list[bytes]) -> list[str]:
    return [str(email.message_from_bytes(raw).get("Message-ID", "")).strip() for raw in raws]


def mail_problems(server: DovecotServer, sent: list[str]) -> list[str]:
    problems: list[str] = []
    inbox = server.folder_uids("INBOX")
    if inbox:
        problems.append(f"{len(inbox)} mails still in INBOX")
    filed = Counter(message_ids(server.fetch_all(PROCESSED)) + message_ids(server.fetch_all(QUARANTINE)))
    missing = [m for m in sent if filed[m] == 0]
    twice = [m for m, n in filed.items() if n > 1]
    unknown = [m for m in filed if m not in set(sent)]
    if missing:
        problems.append(f"{len(missing)} mails neither processed nor quarantined, e.g. {missing[:3]}")
    if twice:
        problems.append(f"{len(twice)} mails filed more than once, e.g. {twice[:3]}")
    if unknown:
        problems.append(f"{len(unknown)} filed mails that were never sent, e.g. {unknown[:3]}")
    return problems


def duplicate_problems(snap: Snapshot, bot: str = "hoshu-bot", staff: str = "HOSHU") -> list[str]:
    problems: list[str] = []
    issues, comments = snap.by(bot)
    refs = Counter(t.ref for t in issues)
    problems += [f"issue reference {r} on {n} issues" for r, n in refs.items() if r is not None and n > 1]
    problems += [f"bot issue {t.issue_key} has no reference line" for t in issues if t.ref is None]
    per_issue = Counter((t.issue_key, t.ref) for t in comments if t.ref is not None)
    problems += [f"comment {r} posted {n} times on {k}" for (k, r), n in per_issue.items() if n > 1]
    # A comment without content is the change log of an update (PATCH), not a text of ours.
    problems += [f"bot comment {t.comment_id} on {t.issue_key} has no reference line"
                 for t in comments if t.ref is None and t.content.strip()]
    anywhere = Counter(t.ref for t in comments if t.ref is not None and ":alert-update:" not in t.ref
                       and ":alert-no-update:" not in t.ref)
    problems += [f"comment {r} posted on {n} issues" for r, n in anywhere.items() if n > 1]
    # issue 20 item 2: what a customer can see carries its document number, never a machine line
    problems += [f"customer text on {t.issue_key} carries a machine line" for t in (*issues, *comments)
                 if t.project != staff and "hoshu-bot:" in t.content]
    pages = Counter(snap.wikis)
    problems += [f"wiki page {p} created {n} times" for p, n in pages.items() if n > 1]
    return problems


def ledger_problems(ledger: list[LedgerEntry], snap: Snapshot, bot: str = "hoshu-bot") -> list[str]:
    problems: list[str] = []
    refs = Counter(e.ref for e in ledger)
    problems += [f"ledger reference {r} recorded {n} times" for r, n in refs.items() if n > 1]
    _, comments = snap.by(bot)
    told = {t.ref: t for t in comments if t.ref is not None and t.ref.startswith("hoshu-bot:confirm:")}
    expected = {confirm_ref(e.ref): e for e in ledger if e.kind == "consume"}
    for ref, entry in expected.items():
        text = told.get(ref)
        if text is None:
            problems.append(f"ledger {entry.ref} ({entry.hours} h) was never confirmed to the customer")
            continue
        said = _TOLD.search(text.content.replace("\\", ""))
        if said is None or Decimal(said.group(1)) != entry.hours:
            problems.append(f"{ref} tells {said.group(1) if said else '?'} h, the ledger has {entry.hours} h")
    problems += [f"{ref} was told to the customer but is not in the ledger"
                 for ref in told if ref not in expected]
    # ... and its data is on the staff issue, where rebuild-state reads it (issue 20 item 2)
    records = {t.ref for t in comments if t.ref is not None and t.ref.startswith("hoshu-bot:confirm-data:")}
    problems += [f"{ref} has no staff record of its hours" for ref in told
                 if ref.replace(":confirm:", ":confirm-data:", 1) not in records]
    return problems


def consumed(ledger: list[LedgerEntry]) -> Decimal:
    return sum((e.hours for e in ledger if e.kind == "consume"), Decimal(0))
