"""The IMAP password never shows in a log record (DEBUG included), an exception or a repr."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.errors import MailboxError
from bot.mail_watcher import MailWatcher
from bot.mailbox.source import MemoryCursorStore
from tests.imap.conftest import Recorder, imap_settings
from tests.support.dovecot import DovecotServer, make_mail

pytestmark = pytest.mark.dovecot

WRONG = "Wr0ng-pa55word-xyz"


def all_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


class TestPasswordNeverLeaks:
    def test_a_successful_pass_logs_no_password_at_debug(
        self, dovecot: DovecotServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        dovecot.append("INBOX", make_mail("m"))

        MailWatcher(imap_settings(dovecot), Recorder(), MemoryCursorStore()).run_once()

        assert caplog.records, "DEBUG logging was captured"
        assert dovecot.password not in all_text(caplog)

    def test_a_failed_login_names_no_password_in_log_or_exception(
        self, dovecot: DovecotServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        settings = imap_settings(dovecot, password=SecretStr(WRONG))

        with pytest.raises(MailboxError) as info:
            MailWatcher(settings, Recorder(), MemoryCursorStore()).run_once()

        chain = f"{info.value} {info.value.__cause__!r} {info.value.__cause__}"
        assert WRONG not in chain
        assert WRONG not in all_text(caplog)

    def test_the_settings_repr_hides_the_password(self, dovecot: DovecotServer) -> None:
        assert dovecot.password not in repr(imap_settings(dovecot))
