"""``report --dry-run`` changes nothing and needs no write access (issue 22 item 4), on both stores.

SQLite: the database file (and its write-ahead log) is byte for byte what it was, whether the store is
closed or a worker holds it open with writes not yet checkpointed; and the dry run works for a user who may
not write the file or its folder (as root the dry run runs in a child process that became ``nobody``).
PostgreSQL: every row of every table is what it was, and the dry run works through a role that may only
``SELECT``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bot.__main__ import main
from bot.rules.calendar import BusinessCalendar
from bot.state import StateStore
from bot.state.copy import TABLES, rows
from testing.postgres import Cluster
from tests.reports.history import consume, fill_acme, fill_beta, jst
from tests.support.paths import CONFIG_DIR
from tests.support.postgres import pg_cluster

__all__ = ["pg_cluster"]

DRY_RUN = ["report", "--customer", "ACME", "--month", "2026-11", "--dry-run"]
NOBODY = 65534
LEASE = 600.0  # the worker beside the dry run renews its lease far less often than the test lasts


def run_report(argv: list[str] = DRY_RUN) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def as_someone_who_cannot_write(folder: Path, run: Callable[[], tuple[int, str]]) -> tuple[int, str]:
    """``run`` without write access to ``folder`` and its files: as root, in a forked child that became
    ``nobody`` (the modules it needs were imported by an earlier run); otherwise with the folder and its
    files made read-only for the time of the call."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode) & ~0o222)
        try:
            return run()
        finally:
            for p, mode in modes.items():
                p.chmod(stat.S_IMODE(mode))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code, text = run()
            os.write(write_end, json.dumps({"code": code, "text": text, "err": err.getvalue()}).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    got = json.loads(data)
    assert got["code"] == 0, got["err"]
    return int(got["code"]), str(got["text"])


def digest(path: Path) -> dict[str, str]:
    """The bytes of the database file and of its write-ahead log (an empty or absent log: none)."""
    out = {"db": hashlib.sha256(path.read_bytes()).hexdigest()}
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        out["wal"] = hashlib.sha256(wal.read_bytes()).hexdigest()
    return out


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("BOT_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("BOT_NOW", "2026-12-02T10:00:00+09:00")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BACKLOG_BASE_URL", raising=False)
    monkeypatch.delenv("BACKLOG_API_KEY", raising=False)
    return monkeypatch


@pytest.fixture
def sqlite_store(env: pytest.MonkeyPatch, cal: BusinessCalendar) -> Iterator[Path]:
    """A filled SQLite store in a folder anybody may enter and read (``nobody`` reads it)."""
    folder = Path(tempfile.mkdtemp(prefix="hoshu-dry-"))
    folder.chmod(0o755)
    path = folder / "state.db"
    store = StateStore.open(path)
    fill_acme(store, cal)
    fill_beta(store)
    store.close()
    path.chmod(0o644)
    env.setenv("BOT_STATE_PATH", str(path))
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class TestSqlite:
    def test_a_closed_store_is_byte_for_byte_unchanged(self, sqlite_store: Path) -> None:
        before = digest(sqlite_store)
        code, text = run_report()
        assert code == 0 and "| 残り | 2.5 時間 |" in text
        assert digest(sqlite_store) == before

    def test_beside_a_worker_it_reads_the_latest_writes_and_changes_no_byte(
        self, sqlite_store: Path
    ) -> None:
        """The worker's last write is still in its write-ahead log: the dry run reads it in place (no copy
        taken earlier), and neither the file nor the log changes (a reader never checkpoints)."""
        owner = StateStore.open(sqlite_store, owner=True, lease_seconds=LEASE)
        try:
            consume(owner, "ACME", "ACME-5", "0.5", jst(11, 25, 10), "追加の作業")
            before = digest(sqlite_store)
            assert "wal" in before  # the write is not in the database file yet
            code, text = run_report()
            assert code == 0 and "| 残り | 2 時間 |" in text  # 2.5 h before the worker's new 0.5 h
            assert digest(sqlite_store) == before
        finally:
            owner.close()

    def test_it_needs_no_write_access_to_the_store_or_its_folder(self, sqlite_store: Path) -> None:
        """As the report runs beside the worker, by a user who may only read the store."""
        expected = run_report()  # also imports everything the dry run uses, before any fork
        owner = StateStore.open(sqlite_store, owner=True, lease_seconds=LEASE)
        try:
            before = digest(sqlite_store)
            got = as_someone_who_cannot_write(sqlite_store.parent, run_report)
            assert digest(sqlite_store) == before
        finally:
            owner.close()
        assert got == expected


def table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the store, and of the bot's own bookkeeping (lease, schema)."""
    with psycopg.connect(url, autocommit=True) as c:
        out = {t: rows(c, t)[1] for t in TABLES}  # type: ignore[arg-type]
        for table in ("hoshu_lease", "hoshu_schema"):
            out[table] = [tuple(r) for r in c.execute(f"SELECT * FROM {table}").fetchall()]
    return out


def select_only_role(url: str) -> str:
    """A role that may connect and ``SELECT`` and nothing else; the store's URL as that role."""
    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    role = f"reader_{database}"
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f'CREATE ROLE "{role}" LOGIN')
        c.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        c.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        c.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))


class TestPostgres:
    def test_a_select_only_role_prints_the_report_and_no_row_changes(
        self, env: pytest.MonkeyPatch, pg_cluster: Cluster, cal: BusinessCalendar
    ) -> None:
        url = pg_cluster.database()
        store = StateStore.open(url)
        fill_acme(store, cal)
        fill_beta(store)
        store.close()
        owner = StateStore.open(url, owner=True, lease_seconds=LEASE)  # a worker holds the lease
        try:
            before = table_rows(url)
            env.setenv("DATABASE_URL", url)
            as_owner = run_report()
            env.setenv("DATABASE_URL", select_only_role(url))
            as_reader = run_report()
            after = table_rows(url)
        finally:
            owner.close()
        assert as_owner[0] == 0 and "| 残り | 2.5 時間 |" in as_owner[1]
        assert as_reader == as_owner
        lease = before.pop("hoshu_lease"), after.pop("hoshu_lease")  # renewed by the worker's keeper
        assert after == before
        assert [r[:4] for r in lease[0]] == [r[:4] for r in lease[1]]  # the same holder, the same epoch

    def test_the_select_only_role_cannot_write(self, pg_cluster: Cluster) -> None:
        """The role of the test above really is read-only (so the dry run wrote nothing by necessity)."""
        url = pg_cluster.database()
        StateStore.open(url).close()
        with psycopg.connect(select_only_role(url), autocommit=True) as c, pytest.raises(
            psycopg.errors.InsufficientPrivilege
        ):
            c.execute("INSERT INTO cursors (name, value, updated_at) VALUES ('x', 'y', %s)",
                      (jst(12, 2, 10).isoformat(),))
