"""Filing without MOVE (COPY + UID EXPUNGE, UIDPLUS) and without UIDPLUS (keyword), on a real Dovecot."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.mail_watcher import KEYWORD, MailWatcher
from bot.mailbox.source import Disposition, MemoryCursorStore
from tests.imap.conftest import Recorder, imap_settings, subject_of
from tests.support.dovecot import FULL_CAPABILITIES, DovecotServer, make_mail

pytestmark = pytest.mark.dovecot

NO_MOVE = FULL_CAPABILITIES.replace(" MOVE", "")
NO_MOVE_NO_UIDPLUS = NO_MOVE.replace(" UIDPLUS", "")
MakeServer = Callable[..., DovecotServer]


class TestWithoutMove:
    def test_mail_is_copied_and_only_its_own_uid_expunged(self, make_server: MakeServer) -> None:
        server = make_server(capabilities=NO_MOVE)
        server.append("INBOX", make_mail("someone-elses"), flags=[b"\\Deleted"])  # another client's business
        server.append("INBOX", make_mail("ours"))
        recorder = Recorder(answers={"someone-elses": Disposition.RETRY})

        result = MailWatcher(imap_settings(server), recorder, MemoryCursorStore()).run_once()

        assert result.processed == 1
        # A bare EXPUNGE would have removed UID 1 too: UID EXPUNGE touched only ours.
        assert server.folder_uids("INBOX") == [1]
        assert [subject_of(r) for r in server.fetch_all("Processed")] == ["ours"]


class TestWithoutMoveOrUidplus:
    def test_mail_is_copied_and_marked_with_the_keyword_and_never_offered_again(
        self, make_server: MakeServer
    ) -> None:
        server = make_server(capabilities=NO_MOVE_NO_UIDPLUS)
        server.append("INBOX", make_mail("kept"))
        recorder = Recorder()

        MailWatcher(imap_settings(server), recorder, MemoryCursorStore()).run_once()
        # Even a lost cursor does not bring it back: the search excludes the keyword.
        MailWatcher(imap_settings(server), recorder, MemoryCursorStore()).run_once()

        assert recorder.subjects == ["kept"]
        assert server.folder_uids("INBOX") == [1]
        assert KEYWORD.encode() in server.flags("INBOX")[1]
        assert [subject_of(r) for r in server.fetch_all("Processed")] == ["kept"]
