"""Keyword search of the emulated space: an index that lags behind writes, as a search engine does.

Backlog's ``keyword`` (issue list/count, wiki list) is a search index: which fields it covers, how it
splits terms and how soon a write is found are undocumented (reference §8). Our reading, unverified:
for issues it covers summary and description only (not comments); a page covers name and content; a
keyword matches as a case-insensitive substring; and a write becomes searchable ``lag`` seconds of the
emulator's clock after it (default ``DEFAULT_LAG``; tests may set minutes, or 0). Until then a search
sees the text as it was before the write (a new issue: not at all). Filters on stored fields
(``createdUserId[]``, ``projectId[]``, dates) never lag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_LAG = 5.0
Key = tuple[str, int]  # ("issue", id) or ("wiki", id)
Texts = tuple[str, ...]


@dataclass
class _Doc:
    shown: Texts | None  # what searches see now (None: not indexed yet)
    queued: list[tuple[float, Texts]] = field(default_factory=list)  # (searchable from, texts)


@dataclass
class SearchIndex:
    """Per record, the texts searches see; records never written through the API are seen as they are."""

    lag: float = DEFAULT_LAG
    _docs: dict[Key, _Doc] = field(default_factory=dict)

    def wrote(self, key: Key, before: Texts | None, after: Texts, now: float) -> None:
        """A write changed ``key`` from ``before`` (None: it is new) to ``after`` at ``now``."""
        if self.lag <= 0:
            self._docs.pop(key, None)
            return
        doc = self._docs.setdefault(key, _Doc(before))
        doc.queued.append((now + self.lag, after))

    def visible(self, key: Key, live: Texts, now: float) -> Texts | None:
        """The texts a search at ``now`` sees for a record whose stored texts are ``live``."""
        doc = self._docs.get(key)
        if doc is None:
            return live
        while doc.queued and doc.queued[0][0] <= now:
            doc.shown = doc.queued.pop(0)[1]
        if not doc.queued:
            del self._docs[key]  # caught up: from now on the stored texts are what is indexed
        return doc.shown

    def matches(self, key: Key, live: Texts, now: float, keyword: str) -> bool:
        texts = self.visible(key, live, now)
        wanted = keyword.casefold()
        return texts is not None and any(wanted in t.casefold() for t in texts)
