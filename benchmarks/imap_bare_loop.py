"""Figures for the IMAP watcher against a local Dovecot: catch-up throughput and IDLE wake-up latency."""

from __future__ import annotations

import tempfile
import threading
import time

from bot.mail_watcher import MailWatcher
from bot.mailbox.source import Disposition, FetchedMail, MemoryCursorStore
from testing.dovecot import DovecotServer, make_mail
from testing.imap import imap_settings

N = 500


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = DovecotServer.start(tmp)
        try:
            with server.client() as c:
                for i in range(N):
                    c.append("INBOX", make_mail(f"m{i}"))
            t0 = time.perf_counter()
            result = MailWatcher(imap_settings(server), lambda _m: Disposition.PROCESSED,
                                 MemoryCursorStore()).run_once()
            took = time.perf_counter() - t0
            rate = result.processed / took
            print(f"catch-up: {result.processed} mails in {took:.2f}s = {rate:.0f} mails/s")

            arrived = threading.Event()
            stop = threading.Event()

            def handler(_mail: FetchedMail) -> Disposition:
                arrived.set()
                return Disposition.PROCESSED

            watcher = MailWatcher(imap_settings(server), handler, MemoryCursorStore(), stop_event=stop)
            thread = threading.Thread(target=watcher.run_forever)
            thread.start()
            time.sleep(0.5)  # let it reach IDLE
            latencies = []
            for i in range(10):
                arrived.clear()
                t0 = time.perf_counter()
                server.append("INBOX", make_mail(f"idle{i}"))
                arrived.wait(30)
                latencies.append(time.perf_counter() - t0)
                time.sleep(0.2)
            stop.set()
            thread.join(30)
            median, worst = sorted(latencies)[5] * 1000, max(latencies) * 1000
            print(f"IDLE wake-up: median {median:.0f} ms, max {worst:.0f} ms")
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
