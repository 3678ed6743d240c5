"""Client overhead per call against the emulator versus a bare requests.Session, and connection reuse.

Run: ``.venv/bin/python benchmarks/backlog_client_overhead.py [calls]``. Prints figures; asserts nothing
about speed. Connection reuse is proven from urllib3's pool counter (``num_connections``: sockets opened).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import requests

from bot.backlog_client import BacklogClient
from bot.sandbox import BacklogEmulator


def _time(label: str, calls: int, fn: Callable[[], object]) -> float:
    fn()  # warm-up: open the connection
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    per_call = (time.perf_counter() - start) / calls * 1000
    print(f"{label:<34} {per_call:8.3f} ms/call")
    return per_call


def _connections(session: requests.Session, url: str) -> int:
    adapter = session.get_adapter(url)
    pools = adapter.poolmanager.pools  # type: ignore[attr-defined]
    return sum(pools[key].num_connections for key in list(pools.keys()))


def main(calls: int = 500) -> None:
    big = calls * 4
    with BacklogEmulator.start(limits={"read": big, "search": big, "update": big}) as emu:
        bare = requests.Session()
        url = f"{emu.base_url}/api/v2/priorities"
        params = {"apiKey": emu.api_key}
        raw = _time("bare Session.get + .json()", calls,
                    lambda: bare.get(url, params=params, timeout=(5, 30)).json())
        client = BacklogClient(emu.base_url, emu.api_key)
        typed = _time("BacklogClient.get_priorities()", calls, client.get_priorities)
        print(f"{'client overhead':<34} {typed - raw:8.3f} ms/call ({(typed / raw - 1) * 100:+.1f} %)")
        opened = _connections(client.transport.session, url)
        print(f"TCP connections opened by the client for {calls + 1} calls: {opened}")
        assert opened == 1, f"expected one reused connection, saw {opened}"
        bare.close()
        client.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
