"""The token concurrency harness, shared by the integration tests and ``benchmarks/token_soak.py``.

* :class:`RedisServer`: a real ``redis-server`` on a free loopback port (persistence optional).
* :class:`StoreSpec`: a picklable description of a store, opened again in each process.
* :func:`connect_and_save`: a connection made through the emulator's Connect pages, saved.
* :func:`run_round`: N processes x M threads ask for the same token at the same instant,
  through their own ``TokenManager``; every caller checks its token with ``get_user_id``.
  Returns what each caller got and how many refreshes reached the emulator.

Child processes come from a ``forkserver`` that imported the SDK once (``spawn`` where there
is no forkserver), so a round does not pay eight interpreter starts; they point
``smartcar.const`` at the emulator
and read the emulator's clock offset (passed in), so the tokens they hold expire for them
when ``emu.clock.advance`` expires them for the emulator.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from smartcar.tokens import TokenManager

UTC = datetime.timezone.utc
REDIS_BINARY = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


# redis-server --------------------------------------------------------------------------------


def find_redis_binary() -> Optional[str]:
    """The redis-server to run, or ``None`` when none is installed."""
    if os.path.isfile(REDIS_BINARY) and os.access(REDIS_BINARY, os.X_OK):
        return REDIS_BINARY
    return shutil.which("redis-server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process in its own temporary directory.

    Without persistence by default; ``persistent=True`` writes every command to an
    append-only file first, so a server killed with SIGKILL restarts with its data.
    """

    def __init__(self, binary: str, persistent: bool = False) -> None:
        self.binary = binary
        self.persistent = persistent
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="smartcar-redis-")
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> List[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
            "--appendfsync", "always",
            "--dir", self.directory,
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {self.process.returncode}")
            if self.ping():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {timeout}s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL the server (no shutdown, no save) and wait until it is gone."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait(timeout=5)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


# Stores, clocks and the emulator's app ------------------------------------------------------


@dataclass(frozen=True)
class StoreSpec:
    """``kind`` is ``"sqlite"`` (``target``: a file) or ``"redis"`` (``target``: a URL)."""

    kind: str
    target: str

    def open(self) -> Any:
        from smartcar.tokens import RedisStore, SQLiteStore

        if self.kind == "sqlite":
            return SQLiteStore(self.target)
        if self.kind == "redis":
            return RedisStore(self.target)
        raise ValueError(f"unknown store kind {self.kind!r}")


class OffsetClock:
    """Real UTC time plus a fixed offset: the emulator's clock as seen from another process."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def __call__(self) -> datetime.datetime:
        return datetime.datetime.now(UTC) + datetime.timedelta(seconds=self.offset)


@dataclass(frozen=True)
class App:
    """What a process needs to reach the emulator as the registered application."""

    origin: str
    client_id: str
    client_secret: str
    redirect_uri: str

    @classmethod
    def of(cls, emu: Any) -> App:
        return cls(emu.origin, emu.client_id, emu.client_secret, emu.redirect_uri)

    def point_sdk(self) -> None:
        from smartcar import const

        const.API_URL = f"{self.origin}/v1.0"
        const.AUTH_URL = f"{self.origin}/oauth/token"
        const.CONNECT_URL = self.origin

    def client(self) -> Any:
        import smartcar

        return smartcar.AuthClient(self.client_id, self.client_secret, self.redirect_uri)


def connect_and_save(emu: Any, manager: Any, key: str) -> Dict[str, Any]:
    """Connect a user through the emulator's pages, exchange the code, save under ``key``."""
    from smartcar.emulator import connect

    client = App.of(emu).client()
    redirect = connect(client.get_auth_url())
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    access: Dict[str, Any] = client.exchange_code(code)
    manager.save(key, access)
    return access


# One round of concurrent callers ------------------------------------------------------------

_PRELOAD = ["smartcar", "smartcar.tokens", "requests", "redis", "token_harness"]


def process_context() -> Any:
    """The multiprocessing context of the child processes (see the module docstring)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


@dataclass(frozen=True)
class Job:
    app: App
    store: StoreSpec
    key: str
    threads: int
    offset: float
    skew: float = 60.0
    lock_timeout: float = 10.0

    def manager(self) -> TokenManager:
        """Point this process's SDK at the emulator; return the job's ``TokenManager``."""
        from smartcar.tokens import TokenManager

        self.app.point_sdk()
        return TokenManager(
            self.app.client(),
            self.store.open(),
            skew=self.skew,
            lock_timeout=self.lock_timeout,
            clock=OffsetClock(self.offset),
        )


@dataclass
class Outcome:
    """One caller: the token it got (or the error), and whether the API accepted the token."""

    pid: int
    token: Optional[str]
    user_id: Optional[str]
    error: Optional[str]
    seconds: float


@dataclass
class Round:
    callers: int
    refreshes: int
    duration: float
    outcomes: List[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> List[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.error is not None]

    @property
    def tokens(self) -> List[str]:
        return [outcome.token for outcome in self.outcomes if outcome.token is not None]

    def summary(self) -> Dict[str, Any]:
        latencies = sorted(outcome.seconds for outcome in self.outcomes)
        return {
            "callers": self.callers,
            "answered": len(self.outcomes),
            "refreshes_seen_by_emulator": self.refreshes,
            "failures": len(self.failures),
            "distinct_tokens": len(set(self.tokens)),
            "duration_s": round(self.duration, 3),
            "caller_p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
            "caller_max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        }


def _worker(job: Job, ready: Any, start: Any, results: Any) -> None:
    """A child process: ``job.threads`` threads call ``access_token`` once ``start`` is set."""
    outcomes: List[Tuple[Optional[str], Optional[str], Optional[str], float]] = []
    try:
        import smartcar

        manager = job.manager()
        guard = threading.Lock()

        def call() -> None:
            start.wait(60)
            began = time.perf_counter()
            token = user_id = error = None
            try:
                token = manager.access_token(job.key)
                user_id = smartcar.get_user_id(token)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            with guard:
                outcomes.append((token, user_id, error, time.perf_counter() - began))

        threads = [threading.Thread(target=call) for _ in range(job.threads)]
        for thread in threads:
            thread.start()
        ready.put(os.getpid())
        for thread in threads:
            thread.join()
    except Exception:
        ready.put(os.getpid())
        outcomes.append((None, None, traceback.format_exc(limit=3), 0.0))
    results.put((os.getpid(), outcomes))


def run_round(
    emu: Any,
    store: StoreSpec,
    key: str,
    processes: int = 8,
    threads: int = 8,
    refresh_latency: float = 0.3,
    timeout: float = 60.0,
) -> Round:
    """Start ``processes`` x ``threads`` callers of ``access_token(key)`` at the same instant.

    ``refresh_latency`` delays the emulator's answer to the first refresh, so that every
    caller arrives while it is in flight.
    """
    context = process_context()
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    job = Job(App.of(emu), store, key, threads, offset=emu.clock.offset)
    before = emu.token_exchanges("refresh_token")
    if refresh_latency:
        emu.faults.add("/oauth/token", method="POST", latency=refresh_latency, count=1)
    children = [
        context.Process(target=_worker, args=(job, ready, start, results), daemon=True)
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=timeout)
        began = time.perf_counter()
        start.set()
        outcomes: List[Outcome] = []
        for _ in children:
            pid, answers = results.get(timeout=timeout)
            outcomes.extend(Outcome(pid, *answer) for answer in answers)
        duration = time.perf_counter() - began
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
    refreshes = emu.token_exchanges("refresh_token") - before
    return Round(processes * threads, refreshes, duration, outcomes)


# A worker killed in the middle of a refresh ---------------------------------------------------


def _refresh_forever(job: Job) -> None:
    """A child process that starts a refresh (the emulator holds the answer) and waits."""
    job.manager().access_token(job.key)


def start_stuck_refresh(emu: Any, store: StoreSpec, key: str, lock_timeout: float) -> Any:
    """Start a child process that takes the lock of ``key`` and hangs inside the refresh.

    Returns the process once the emulator has received its refresh request.
    """
    fault = emu.faults.add("/oauth/token", method="POST", latency=30.0, status=503, count=1)
    job = Job(App.of(emu), store, key, 1, offset=emu.clock.offset, lock_timeout=lock_timeout)
    child = process_context().Process(target=_refresh_forever, args=(job,))
    child.start()
    deadline = time.monotonic() + 30
    while fault.hits == 0:
        if time.monotonic() > deadline or not child.is_alive():
            child.kill()
            raise RuntimeError("the child never reached the token endpoint")
        time.sleep(0.01)
    return child
