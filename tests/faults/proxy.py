"""A TCP proxy on 127.0.0.1 that can stop forwarding without closing anything (issue 22, partition test).

What a partition that keeps the socket open looks like to the worker (a hung pooler, a stalled path):
``pause()`` stops moving bytes in both directions while every socket stays connected, so the kernel
still acknowledges what the worker sends and nothing tells it that its database is gone; ``resume()``
delivers what was held back. Bounded: it serves only until ``close()``, and only to loopback.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class TcpProxy:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self._listen = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listen.getsockname()[1])
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    def url(self, database_url: str) -> str:
        """``database_url`` with its port replaced by the proxy's."""
        head, _, tail = database_url.rpartition(":")
        _, _, rest = tail.partition("/")
        return f"{head}:{self.port}/{rest}"

    def pause(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()
        with contextlib.suppress(OSError):
            self._listen.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listen.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        try:
            while not self._closed.is_set():
                self._flowing.wait()
                for key, _ in sel.select(timeout=0.2):
                    if not self._flowing.is_set():
                        break  # paused: leave the bytes where they are
                    src: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = src.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()
