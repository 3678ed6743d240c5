"""Which Backlog statuses mean an issue is done (T4 result reported, M2 alert resolved, R1 "完了").

Backlog's defaults are 処理済み (3) and 完了 (4) in Japanese spaces, Resolved / Closed in English ones
(reference §7); the names are compared after the status id is mapped through the project's list. The
waiting-for-customer statuses are configured (``service.toml``); these are Backlog's own.
"""

from __future__ import annotations

DONE_STATUSES = frozenset({"処理済み", "完了", "Resolved", "Closed"})
