"""The one exception tree of the bot.

    BotError
    ├── UsageError              bad command-line usage (exit 2)
    ├── ConfigError             a configuration file or variable is wrong (exit 2)
    ├── StateError              the state store cannot be used
    │   ├── StoreLockedError    another worker owns the store (exit 2)
    │   ├── BlindStartError     the store is empty but Backlog shows the bot's writes (exit 2)
    │   └── StoreLostError      the connection to the store (and with it the owner lock) is gone (exit 1)
    │       └── LeaseLostError  another worker took over the lease (issue 22): this one writes nothing more
    ├── BacklogError            any failed Backlog call (status, code, message)
    │   ├── BacklogAuthError            401 / code 11, 12: the key is wrong; never retried
    │   ├── BacklogPermissionError      403 / code 2, 3, 4, 5
    │   ├── BacklogNotFoundError        404 / code 6
    │   ├── BacklogInvalidRequestError  400 / code 7, 8, 9, 10
    │   ├── BacklogRateLimitedError     429 / code 13, after retries ran out
    │   └── BacklogTransientError       5xx, timeouts, dropped connections, after retries ran out
    └── MailError
        └── MailboxError        the IMAP server cannot be reached or refused a command

A mail that cannot be understood raises nothing: the parser records defects and the mail is
quarantined with a staff item, never lost.

Messages never carry secrets: the Backlog key and the IMAP password are redacted where they are raised.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class UsageError(BotError):
    """Raised when a command is called with arguments that make no sense."""


class ConfigError(BotError):
    """Raised when a configuration file or variable is wrong; names the file, the field and the problem."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: {field}: {problem}")


class StateError(BotError):
    """Raised when the state store is unusable (unreadable, newer schema, disk refuses writes)."""


class StoreLockedError(StateError):
    """Raised when a second worker tries to own a state store that another one holds."""

    def __init__(self, path: str, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"state store {path} is held by another worker ({holder})")


class StoreLostError(StateError):
    """Raised when the worker loses its PostgreSQL connection: the owner lock went with it, so a standby
    may already be active; the worker stops instead of acting on a store it no longer owns."""


class LeaseLostError(StoreLostError):
    """Raised when this worker's lease is no longer its own (expired and taken over, epoch moved on): the
    transaction in hand is rolled back and the worker steps down (issue 22, bot/state/lease.py)."""


class BlindStartError(StateError):
    """Raised when the store is empty but Backlog shows the bot's earlier writes (``run`` exits 2 with a
    hint to run ``rebuild-state``; issue 14)."""


class BacklogError(BotError):
    """Raised when a Backlog call fails; carries the HTTP status, the Backlog error code and its message."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"Backlog error (status={status}, code={code}): {message}")


class BacklogAuthError(BacklogError):
    """Raised on 401 or code 11/12: the API key is wrong or expired. Never retried."""


class BacklogPermissionError(BacklogError):
    """Raised on 403 or codes 2-5: the bot's user may not do this."""


class BacklogNotFoundError(BacklogError):
    """Raised on 404 or code 6: the project, issue, comment or page does not exist."""


class BacklogInvalidRequestError(BacklogError):
    """Raised on 400 or codes 7-10: Backlog rejected the parameters."""


class BacklogRateLimitedError(BacklogError):
    """Raised on 429 / code 13 once the retries are spent."""


class BacklogTransientError(BacklogError):
    """Raised on 5xx, timeouts and dropped connections once the retries are spent.

    ``maybe_applied`` is true when a write may have reached Backlog before the failure; the caller must
    look for the write's reference before writing again.
    """

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, maybe_applied: bool = False
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.maybe_applied = maybe_applied


class MailError(BotError):
    """Base of mail errors."""


class MailboxError(MailError):
    """Raised when the IMAP server cannot be reached, drops the connection or refuses a command."""
