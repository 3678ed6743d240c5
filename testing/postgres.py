"""A throwaway local PostgreSQL cluster (Debian's ``postgresql`` package: ``initdb`` + ``postgres``).

For the test suite and the storm benchmark, which need a real server but no installed service: a data
directory in a temporary folder, a free port on 127.0.0.1, trust authentication, and one fresh database
per caller. As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SUPERUSER = "hoshu"
_DB_COUNTER = itertools.count(1)


def bindir() -> Path | None:
    """Where ``initdb`` and ``postgres`` are (Debian keeps them out of PATH, per major version)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # Debian: a symlink into /usr/lib/postgresql/N/bin
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """One running server; ``database()`` gives a new empty database's URL."""

    root: Path
    port: int
    proc: subprocess.Popen[bytes]
    durable: bool
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "postgres.log"

    @classmethod
    def start(cls, *, durable: bool = False, max_connections: int = 200) -> Cluster:
        """``durable=False`` turns fsync off (tests); the benchmark keeps the defaults (``durable=True``)."""
        bins = bindir()
        if bins is None:
            msg = "PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does it)"
            raise RuntimeError(msg)
        root = Path(tempfile.mkdtemp(prefix="hoshu-pg-"))
        user = "postgres" if os.geteuid() == 0 else None
        if user is not None:
            shutil.chown(root, user)
        data = root / "data"
        subprocess.run(  # noqa: S603 - fixed binaries, our own temporary directory
            [str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--no-sync", "--locale=C.UTF-8"],
            check=True, capture_output=True, user=user,
        )
        port = _free_port()
        settings = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={root}",
                    "-c", f"max_connections={max_connections}"]
        if not durable:
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log = (root / "postgres.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603
            [str(bins / "postgres"), "-D", str(data), "-p", str(port), *settings],
            stdout=log, stderr=subprocess.STDOUT, user=user,
        )
        cluster = cls(root, port, proc, durable)
        cluster._wait()
        return cluster

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"postgres exited at start:\n{tail}")
            with contextlib.suppress(psycopg.OperationalError), psycopg.connect(self.url("postgres")):
                return
            time.sleep(0.05)
        raise RuntimeError(f"postgres did not accept connections on {self.port}")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def database(self, prefix: str = "t") -> str:
        """A new empty database; its URL. It sorts text by a language locale (ICU ``en-US``), as managed
        databases usually do, so a query that relies on bytewise order shows it."""
        name = f"{prefix}_{os.getpid()}_{next(_DB_COUNTER)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as c:
            c.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu "
                      "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        return self.url(name)

    def terminate_backends(self, database_url: str, *, pid: int | None = None) -> int:
        """Cut the bot's main connections to one database (a network loss, as the worker sees it): of
        every process, or of the worker process ``pid`` (the connections name it: ``hoshu-bot/<pid>``)."""
        name = database_url.rsplit("/", 1)[1]
        pattern = "hoshu-bot/%" if pid is None else f"hoshu-bot/{pid}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as c:
            rows = c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND application_name LIKE %s", (name, pattern),
            ).fetchall()
        return len(rows)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)
