"""Constants and helpers shared by the unit tests (imported by ``conftest.py`` and tests)."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import List, Optional, Tuple

from smartcar import api
from smartcar.testing import MockClock

API_ORIGIN = "https://api.smartcar.test"
API = API_ORIGIN + "/v1.0"
AUTH = "https://auth.smartcar.test/oauth/token"
CONNECT = "https://connect.smartcar.test"

CLIENT_ID = "client-id-4f1e"
CLIENT_SECRET = "client-secret-SUPERSECRET-9a8b7c"
REDIRECT_URI = "https://app.example.test/callback"
ACCESS_TOKEN = "access-token-ACCESSSECRET-12345678"
REFRESH_TOKEN = "refresh-token-REFRESHSECRET-87654321"
AUTH_CODE = "auth-code-CODESECRET-abcdef"
VEHICLE_ID = "36ab27d0-fd9d-4455-823a-ce30af709ffc"
VEHICLE_URL = f"{API}/vehicles/{VEHICLE_ID}"

SECRETS = (CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, AUTH_CODE)
"""Values that must never appear in a repr, an exception message or a log record."""

FAST_POLICY = api.RetryPolicy(
    max_retries=2, backoff_base=0.01, backoff_max=0.04, retry_after_cap=10.0, max_elapsed=60.0
)


FakeTime = MockClock
"""The clock of the network transport's retry loop in a test: ``sleep`` records the wait and
advances ``monotonic`` instead of blocking."""


class SilentServer:
    """Accepts TCP connections on loopback and never answers; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.accepted: List[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


USER_AGENT_PATTERN = (
    r"Smartcar/(?P<version>[^ ]+) \((?P<system>[^;]*); (?P<machine>[^)]*)\) "
    r"Python v(?P<python>\d+\.\d+\.\d+\S*)"
)
"""The wire doc's ``User-Agent: Smartcar/VERSION (SYSTEM; MACHINE) Python vX.Y.Z``."""


def basic_auth_header(user: str, password: str) -> str:
    """The ``Authorization`` value of HTTP Basic auth, built independently of requests."""
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def assert_no_secret(*texts: object) -> None:
    """Fail if any secret or the word ``Authorization`` appears in the given values."""
    for text in texts:
        rendered = str(text)
        for secret in SECRETS:
            assert secret not in rendered, f"secret leaked into {rendered!r}"
        assert "Authorization" not in rendered, f"Authorization leaked: {rendered!r}"


def split_url(url: Optional[str]) -> Tuple[str, List[Tuple[str, str]]]:
    """Return ``(scheme://host/path, query pairs in order)`` of a sent URL."""
    from urllib.parse import parse_qsl, urlsplit

    assert url is not None
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return base, parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)


class FullBacklogServer:
    """A loopback listener whose accept queue is full and never drained: a new connection's
    SYN is dropped, so clients hit a real connect timeout (nothing is ever sent)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port: int = self.sock.getsockname()[1]
        self.fillers: List[socket.socket] = []
        for _ in range(3):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self.fillers.append(filler)

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.sock.close()


class DroppingServer:
    """Reads each HTTP request in full, then closes the connection without answering."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.request_lines: List[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip())
                    while len(body) < length:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        body += chunk
                except OSError:
                    pass
                if head:
                    self.request_lines.append(head.split(b"\r\n")[0].decode("latin-1"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
