"""A real Dovecot IMAP server for tests and benchmarks (mail-imap-calendar.md section C), as a subprocess.

Stdlib + imapclient only (no pytest): the benchmarks start it directly, the suites through the fixtures in
tests/support/dovecot.py. Usage::

    server = DovecotServer.start(tmp_path)          # or the ``dovecot`` fixture: a fresh user per test
    server.append("INBOX", raw_bytes)
    server.folder_uids("INBOX")                     # [1]

Every user name logs in with the same password (static passdb), so a fresh user is a fresh mailbox.
``capabilities=`` overrides ``imap_capability`` to hide MOVE / UIDPLUS / IDLE from clients.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
PASSWORD = "s3cret-Dovecot-pw"  # noqa: S105 - a throwaway harness password, asserted absent from logs
# Dovecot 2.3's own post-login list; tests drop MOVE / UIDPLUS / IDLE from it.
FULL_CAPABILITIES = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE "
    "UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
    "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY"
)
_USER_COUNTER = itertools.count(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(root: Path, mail_root: Path, port: int, capabilities: str | None,
            extra: Sequence[str] = ()) -> str:
    """The section C recipe: as root `mail_uid = vmail`; else our own user as internal user, no chroot.

    ``extra``: further ``name = value`` lines (e.g. a small ``imap_max_line_length`` for a test)."""
    d = str(root)
    m = str(mail_root)
    lines = [
        f"base_dir = {d}/run",
        f"state_dir = {d}/run/state",
        f"log_path = {d}/dovecot.log",
        f"info_log_path = {d}/dovecot.log",
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        f"mail_location = maildir:{m}/%u/Maildir",
        "first_valid_uid = 1",
        "mail_max_userip_connections = 100",
        "imap_idle_notify_interval = 2 mins",
    ]
    if capabilities is not None:
        lines.append(f"imap_capability = {capabilities}")
    lines += list(extra)
    if os.geteuid() == 0:
        lines += ["mail_uid = vmail", "mail_gid = vmail", "passdb {", "  driver = static",
                  f"  args = password={PASSWORD}", "}"]
        chroot = ""
    else:
        me = pwd.getpwuid(os.geteuid())
        (root / "users").write_text("", encoding="utf-8")
        lines += [f"default_internal_user = {me.pw_name}", f"default_login_user = {me.pw_name}",
                  f"default_internal_group = {me.pw_name}", "passdb {", "  driver = static",
                  f"  args = password={PASSWORD}", "}"]
        chroot = "  chroot =\n"
    lines += [
        "userdb {", "  driver = static", f"  args = home={m}/%u", "}",
        "namespace inbox {", "  inbox = yes", "  separator = /", "}",
        "service imap-login {", chroot + "  inet_listener imap {", "    address = 127.0.0.1",
        f"    port = {port}", "  }", "  inet_listener imaps {", "    port = 0", "  }", "}",
        "service anvil {", chroot + "}",
    ]
    return "\n".join(lines) + "\n"


@dataclasses.dataclass
class _Runtime:
    """The one Dovecot process shared by every per-user view of a server."""

    root: Path
    mail_root: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def launch(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed binary, our own config file
            [DOVECOT, "-F", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"dovecot exited at start: {err}\n{self._log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5):
                return
            time.sleep(0.02)
        raise RuntimeError(f"dovecot did not listen on {self.port}\n{self._log_tail()}")

    def terminate(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def _log_tail(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""


class DovecotServer:
    """A running Dovecot seen as one user: ``host``, ``port``, ``user``, ``password`` and helpers."""

    def __init__(self, runtime: _Runtime, user: str) -> None:
        self._rt = runtime
        self.host = "127.0.0.1"
        self.user = user
        self.password = PASSWORD

    @classmethod
    def start(
        cls, tmp_dir: Path | str, *, user: str = "bot", capabilities: Sequence[str] | str | None = None,
        settings: Sequence[str] = (),
    ) -> DovecotServer:
        """Write the config into ``tmp_dir``, start ``dovecot -F`` on a free port, wait until it accepts;
        ``settings`` are further configuration lines (``"imap_max_line_length = 1k"``)."""
        root = Path(tmp_dir).resolve()
        (root / "run").mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The vmail imap processes must reach the mail. pytest's /tmp/pytest-of-root is 0700 and every
            # pytest session (parallel suites included) resets it, so the mail lives in its own /tmp dir.
            _ensure_vmail()
            mail_root = Path(tempfile.mkdtemp(prefix="hoshu-dovecot-mail-"))
            mail_root.chmod(0o711)
            shutil.chown(mail_root, "vmail", "vmail")
        else:
            mail_root = root / "mail"
            mail_root.mkdir(exist_ok=True)
        caps = " ".join(capabilities) if isinstance(capabilities, (list, tuple)) else capabilities
        rt = _Runtime(root=root, mail_root=mail_root, port=_free_port())
        conf = _config(root, mail_root, rt.port, caps if isinstance(caps, str) else None, settings)
        rt.conf.write_text(conf, encoding="utf-8")
        rt.launch()
        return cls(rt, user)

    @property
    def port(self) -> int:
        return self._rt.port

    @property
    def root(self) -> Path:
        return self._rt.root

    def for_user(self, user: str | None = None) -> DovecotServer:
        """The same server seen as another (by default a brand-new, empty) user."""
        return DovecotServer(self._rt, user or f"u{os.getpid()}x{next(_USER_COUNTER)}")

    def restart(self) -> None:
        """Kill Dovecot and start it again on the same port and mail directory."""
        self._rt.terminate()
        self._rt.launch()

    def stop(self) -> None:
        """Stop the process; the mail stays (``restart`` or ``start_again`` see it), see ``cleanup``."""
        self._rt.terminate()

    def start_again(self) -> None:
        """Start a stopped server on the same port and mail."""
        if self._rt.proc is None or self._rt.proc.poll() is not None:
            self._rt.launch()

    def cleanup(self) -> None:
        """Stop and delete the mail directory (if it lives outside ``tmp_dir``)."""
        self._rt.terminate()
        if not self._rt.mail_root.is_relative_to(self._rt.root):
            shutil.rmtree(self._rt.mail_root, ignore_errors=True)

    def kill_connections(self) -> None:
        """Disconnect every session of this user (``doveadm kick``); the server keeps running."""
        self._doveadm("kick", self.user)

    def reset_uidvalidity(self, folder: str = "INBOX") -> int:
        """Give ``folder`` a new UIDVALIDITY (as a rebuilt mailbox would), keeping its mails; returns it."""
        old = self.uidvalidity(folder)
        new = old + 1000
        self._doveadm("mailbox", "update", "-u", self.user, "--uid-validity", str(new), folder)
        return new

    # --- client-side helpers (plain imapclient, one short connection each) ---

    @contextlib.contextmanager
    def client(self) -> Iterator[IMAPClient]:
        c = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        try:
            c.login(self.user, self.password)
            yield c
        finally:
            with contextlib.suppress(Exception):
                c.logout()

    def append(self, folder: str, raw: bytes, flags: Sequence[str | bytes] = ()) -> int:
        """APPEND ``raw`` to ``folder`` (created if missing); returns the new UID (APPENDUID)."""
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            resp = c.append(folder, raw, flags=tuple(flags))
        # b'[APPENDUID 1795683031 7] Append completed.'
        text = resp.decode() if isinstance(resp, bytes) else str(resp)
        return int(text.split("]")[0].split()[-1])

    def create_folder(self, folder: str) -> None:
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)

    def folder_uids(self, folder: str) -> list[int]:
        with self.client() as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            return sorted(int(u) for u in c.search(["ALL"]))

    def fetch_all(self, folder: str) -> list[bytes]:
        """The raw bytes of every mail in ``folder``, in UID order."""
        with self.client() as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            uids = sorted(int(u) for u in c.search(["ALL"]))
            data = c.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [bytes(data[u][b"BODY[]"]) for u in uids]

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = sorted(int(u) for u in c.search(["ALL"]))
            data = c.fetch(uids, ["FLAGS"]) if uids else {}
            return {u: tuple(data[u][b"FLAGS"]) for u in uids}

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as c:
            return int(c.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def log_text(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def _doveadm(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - fixed binary, our own config file
            [DOVEADM, "-c", str(self._rt.conf), *args], check=True, capture_output=True, timeout=30
        )


def _ensure_vmail() -> None:
    try:
        pwd.getpwnam("vmail")
    except KeyError:
        subprocess.run(["useradd", "--system", "vmail"], check=True, capture_output=True)  # noqa: S607


def make_mail(subject: str = "test", body: str = "hello", *, message_id: str | None = None,
              extra_bytes: int = 0) -> bytes:
    """A small RFC 5322 mail; ``extra_bytes`` adds a base64 attachment of about that size."""
    mid = message_id or f"<{subject.replace(' ', '-')}.{next(_USER_COUNTER)}@test.example.jp>"
    head = (f"From: adapter@acme.example.jp\r\nTo: hoshu@example.jp\r\nSubject: {subject}\r\n"
            f"Message-ID: {mid}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n")
    if not extra_bytes:
        return (head + f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    blob = base64.encodebytes(os.urandom(extra_bytes * 3 // 4)).replace(b"\n", b"\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--b1\r\n"
            "Content-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n"
            '\r\n').encode() + blob + b"\r\n--b1--\r\n"
