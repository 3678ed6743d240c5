"""Many UIDs at once against a real Dovecot whose command line limit is small (the 30,000-mail storm bug).

Dovecot refuses a command longer than ``imap_max_line_length`` (64 KiB by default) with "Too long
argument"; 30,000 UIDs in one ``UID FETCH`` are about 170 KiB. A server with a 1 KiB limit and 300 mails
shows the same failure at a size a test can afford; the watcher must fetch and file in bounded commands.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.mail_watcher import MailWatcher
from bot.mailbox.imap import message_set
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from testing.dovecot import DovecotServer, make_mail
from testing.imap import imap_settings

pytestmark = pytest.mark.dovecot

MAILS = 300  # "1,2,...,300" is 1,092 characters: over the 1 KiB limit in one command


@pytest.fixture(scope="module")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    server = DovecotServer.start(tmp_path_factory.mktemp("short"), settings=["imap_max_line_length = 1k"])
    yield server
    server.cleanup()


@pytest.fixture
def short_lines(short_server: DovecotServer) -> DovecotServer:
    """A fresh user of the 1 KiB server with ``MAILS`` mails in INBOX."""
    server = short_server.for_user()
    with server.client() as c:
        for n in range(MAILS):
            c.append("INBOX", make_mail(f"m{n}"))
    return server


def test_hundreds_of_uids_are_fetched_and_moved_in_commands_under_the_line_limit(
        short_lines: DovecotServer) -> None:
    seen: list[int] = []

    def handler(mail: FetchedMail) -> Disposition:
        seen.append(mail.uid)
        return Disposition.PROCESSED

    cursors = MemoryCursorStore()
    # 100 UIDs per command ("1,...,100" is 292 characters) and batches of 150, fetched in two commands.
    settings = imap_settings(short_lines, fetch_chunk=100, batch_size=150)
    result = MailWatcher(settings, handler, cursors).run_once()

    assert result.processed == MAILS and seen == list(range(1, MAILS + 1))
    assert short_lines.folder_uids("INBOX") == []
    assert len(short_lines.folder_uids("Processed")) == MAILS
    assert cursors.get("INBOX") == (short_lines.uidvalidity("INBOX"), MAILS)


def test_the_server_does_refuse_the_whole_list_in_one_command(short_lines: DovecotServer) -> None:
    """The limit is real: the command the watcher sent before the fix is refused by this server."""
    with short_lines.client() as c:
        c.select_folder("INBOX")
        with pytest.raises(c.Error, match="Too long argument"):
            c.fetch(list(range(1, MAILS + 1)), ["RFC822.SIZE"])


def test_a_message_set_names_runs_as_ranges_and_nothing_else() -> None:
    assert message_set([5, 1, 2, 3, 7, 8, 10]) == "1:3,5,7:8,10"
    assert message_set([4]) == "4"
    assert message_set([]) == ""
    assert message_set([3, 3, 2]) == "2:3"
