"""MailWatcher.run_forever against a real Dovecot: IDLE wake-up, dropped links, polling, stopping."""

from __future__ import annotations

import socket

import pytest

from bot.mail_watcher import _buffered
from bot.mailbox.source import Disposition
from tests.imap.conftest import Rig
from tests.support.dovecot import FULL_CAPABILITIES, DovecotServer, make_mail
from tests.support.threads import WAIT

pytestmark = pytest.mark.dovecot


class TestIdle:
    def test_mail_appended_while_idling_wakes_the_watcher(self, rig: Rig) -> None:
        rig.server.append("INBOX", make_mail("before"))
        with rig.running(idle_check_seconds=30.0) as watcher:
            assert rig.recorder.event("before").wait(WAIT)
            rig.server.append("INBOX", make_mail("during"))
            woke = rig.recorder.event("during").wait(WAIT)
        assert woke
        assert rig.recorder.subjects == ["before", "during"]
        assert watcher.last_success is not None and watcher.last_success_at is not None

    def test_the_stop_event_ends_run_forever(self, rig: Rig) -> None:
        with rig.running():
            rig.server.append("INBOX", make_mail("one"))
            assert rig.recorder.event("one").wait(WAIT)
        # rig.running asserts that the thread ended without an error


class TestDroppedConnection:
    def test_a_dovecot_restart_mid_idle_is_survived_and_later_mail_picked_up(self, rig: Rig) -> None:
        with rig.running():
            rig.server.append("INBOX", make_mail("first"))
            assert rig.recorder.event("first").wait(WAIT)
            rig.server.restart()
            rig.server.append("INBOX", make_mail("after-restart"))
            picked_up = rig.recorder.event("after-restart").wait(WAIT)
        assert picked_up
        assert rig.recorder.subjects == ["first", "after-restart"]

    def test_a_kicked_session_reconnects(self, rig: Rig) -> None:
        with rig.running():
            rig.server.append("INBOX", make_mail("first"))
            assert rig.recorder.event("first").wait(WAIT)
            rig.server.kill_connections()
            rig.server.append("INBOX", make_mail("after-kick"))
            picked_up = rig.recorder.event("after-kick").wait(WAIT)
        assert picked_up

    def test_backoff_delays_are_passed_to_the_injected_sleep_while_the_server_is_down(
        self, rig: Rig
    ) -> None:
        delays: list[float] = []

        def sleep(seconds: float) -> None:
            delays.append(seconds)
            if len(delays) >= 3:
                rig.stop.set()

        rig.server.stop()
        watcher = rig.watcher()
        watcher._sleep = sleep  # the constructor's ``sleep=``; set here to reuse the rig's settings

        watcher.run_forever()

        assert len(delays) == 3
        assert all(0.05 <= d <= 0.5 for d in delays)


class TestPolling:
    def test_a_server_without_idle_is_polled_with_noop(self, make_server: object, rig: Rig) -> None:
        no_idle = FULL_CAPABILITIES.replace(" IDLE", "")
        server: DovecotServer = make_server(capabilities=no_idle)  # type: ignore[operator]
        rig.server = server
        with rig.running():
            server.append("INBOX", make_mail("polled"))
            seen = rig.recorder.event("polled").wait(WAIT)
        assert seen
        assert server.fetch_all("Processed") != []

    def test_use_idle_false_polls_even_when_the_server_has_idle(self, rig: Rig) -> None:
        rig.recorder.answers["x"] = Disposition.PROCESSED
        with rig.running(use_idle=False):
            rig.server.append("INBOX", make_mail("x"))
            seen = rig.recorder.event("x").wait(WAIT)
        assert seen


class _FakeImaplib:
    def __init__(self, sock: socket.socket) -> None:
        self.file = sock.makefile("rb")


class _FakeClient:
    """Just what ``_buffered`` touches: the socket and imaplib's buffered reader over it."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._imap = _FakeImaplib(sock)

    def socket(self) -> socket.socket:
        return self._sock


class TestNewsSwallowedByTheReadBuffer:
    def test_an_exists_that_came_with_the_idle_continuation_is_seen(self) -> None:
        """The server may send ``* 1 EXISTS`` in the packet that carries ``+ idling``: imaplib reads
        both into its buffer, and the socket stays silent. The watcher must notice the buffered line."""
        ours, server = socket.socketpair()
        with ours, server:
            ours.settimeout(5)
            client = _FakeClient(ours)
            server.sendall(b"+ idling\r\n* 1 EXISTS\r\n")
            assert client._imap.file.readline() == b"+ idling\r\n"  # what idle() consumes
            assert _buffered(client) is True  # type: ignore[arg-type]
            assert client._imap.file.readline() == b"* 1 EXISTS\r\n"
            assert _buffered(client) is False  # type: ignore[arg-type]
            assert ours.gettimeout() == 5  # the socket is left as it was
