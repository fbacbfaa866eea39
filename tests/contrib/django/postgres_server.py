"""A throwaway PostgreSQL server for the Django tests, started the way redis-server is.

``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port, removed at
the end. PostgreSQL refuses to run as root: as root, the cluster belongs to the ``postgres``
user (or ``nobody``) and its commands run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from typing import List, Optional

__all__ = ["PostgresServer", "find_bindir"]


def find_bindir() -> Optional[str]:
    """The directory of ``initdb`` and ``pg_ctl`` (``PG_BINDIR``, Debian's, or the PATH)."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2])
    )[::-1]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(os.path.dirname(on_path))
    for directory in candidates:
        if directory and all(
            os.access(os.path.join(directory, name), os.X_OK) for name in ("initdb", "pg_ctl")
        ):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _unprivileged_user() -> Optional[str]:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and there is no postgres or nobody user to run as")


class PostgresServer:
    """One PostgreSQL cluster in its own temporary directory; user ``postgres``, trust auth."""

    user = "postgres"

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.directory = tempfile.mkdtemp(prefix="smartcar-postgres-")
        self.data = os.path.join(self.directory, "data")
        self.log = os.path.join(self.directory, "server.log")
        self.run_as = _unprivileged_user()
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self.started = False

    def _command(self, name: str, *args: str) -> List[str]:
        command = [os.path.join(self.bindir, name), *args]
        return command if self.run_as is None else ["runuser", "-u", self.run_as, "--", *command]

    def _run(self, name: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            self._command(name, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            cwd=self.directory,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed ({done.returncode}): {done.stdout[-2000:]}")

    def start(self) -> None:
        self._run(
            "initdb", "-D", self.data, "-U", self.user, "-A", "trust", "-E", "UTF8",
            "--no-sync", "--locale=C",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=100"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            self.started = False
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", timeout=30)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"PostgreSQL did not listen on port {self.port}")
