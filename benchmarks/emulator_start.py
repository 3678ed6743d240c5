"""Prints how fast the Backlog emulator starts (default seed, 200 and 1,000 projects) and serves calls."""

from __future__ import annotations

import time

import requests

from bot.sandbox import BacklogEmulator, seed_for


def main() -> None:
    seeds = (("default", None), ("200 projects", seed_for(200)), ("1000 projects", seed_for(1000)))
    for label, seed in seeds:
        started = time.perf_counter()
        emu = BacklogEmulator.start(seed, limits={"read": 100_000, "update": 100_000, "search": 100_000})
        ready = time.perf_counter() - started
        session = requests.Session()
        api = f"{emu.base_url}/api/v2"
        key = {"apiKey": emu.api_key}
        calls = 300
        started = time.perf_counter()
        for n in range(calls):
            form = {"projectId": "101", "summary": f"bench {n}", "issueTypeId": "1", "priorityId": "3"}
            session.post(f"{api}/issues", params=key, data=form, timeout=5).raise_for_status()
        writes = (time.perf_counter() - started) / calls
        started = time.perf_counter()
        for _ in range(calls):
            session.get(f"{api}/issues", params={**key, "projectId[]": "101", "count": "100"}, timeout=5)
        searches = (time.perf_counter() - started) / calls
        emu.stop()
        print(
            f"{label:>14}: start {ready * 1000:7.1f} ms | POST /issues {writes * 1000:5.2f} ms"
            f" | GET /issues (100 of {calls}) {searches * 1000:5.2f} ms"
        )


if __name__ == "__main__":
    main()
