"""Behaviour against real sockets: a server that never answers, a refused port (issue 3, "Must hold")."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from bot.backlog_client import BacklogClient
from bot.errors import BacklogTransientError
from tests.backlog_client.factories import KEY, FakeClock


@pytest.fixture
def hung_server() -> Iterator[str]:
    """Accepts connections and reads requests but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(1)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def refused_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more
    return f"http://127.0.0.1:{port}"


class TestHungServer:
    def test_a_read_fails_within_its_timeout_with_a_transient_error(
        self, make_client: Callable[..., BacklogClient], hung_server: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        client = make_client(base_url=hung_server, timeout=(0.5, 0.5), max_retries=0)
        with pytest.raises(BacklogTransientError) as info:
            client.get_space()
        assert info.value.maybe_applied is False
        assert KEY not in str(info.value)
        assert all(KEY not in r.getMessage() for r in caplog.records)

    def test_a_write_to_a_hung_server_is_maybe_applied_and_sent_once(
        self, make_client: Callable[..., BacklogClient], hung_server: str, clock: FakeClock
    ) -> None:
        client = make_client(base_url=hung_server, timeout=(0.5, 0.5), max_retries=3)
        with pytest.raises(BacklogTransientError) as info:
            client.add_comment("ACME-12", "本文")
        assert info.value.maybe_applied is True
        assert clock.sleeps == []  # no retry, so no backoff


class TestRefusedConnection:
    def test_a_refused_write_is_retried_and_not_maybe_applied(
        self, make_client: Callable[..., BacklogClient], refused_url: str, clock: FakeClock,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        client = make_client(base_url=refused_url, timeout=(0.5, 0.5), max_retries=2)
        with pytest.raises(BacklogTransientError) as info:
            client.add_issue(10, "件名", 7, 3)
        assert info.value.maybe_applied is False
        assert len(clock.sleeps) == 2
        assert KEY not in str(info.value)
        assert all(KEY not in r.getMessage() for r in caplog.records)
