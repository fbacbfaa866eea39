"""The emulator's HTTP/1.1 server: a keep-alive request loop on werkzeug's threaded server.

werkzeug's own handler closes every connection after one response; this one keeps them
open, reads each body (capped at 10 MiB, chunked or not) before the app runs, writes each
response in one piece with a Content-Length, sets TCP_NODELAY, and lets ``stop()`` close
idle keep-alive connections.
"""

from __future__ import annotations

import contextlib
import io
import socket
import ssl
import sys
import threading
import time
from email.utils import formatdate
from typing import (
    TYPE_CHECKING,
    Any,
    List,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    Union,
    cast,
)
from urllib.parse import unquote

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from smartcar.emulator.redact import redact_request_line
from smartcar.emulator.web import DROP_KEY, HANDLER_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

SSLContextArg = Union[ssl.SSLContext, Tuple[str, str], None]
_MAX_BODY = 10 * 1024 * 1024
_MAX_LINE = 65536
_MAX_HEADERS = 100
_DISCARD_SECONDS = 1.0


class Handler(WSGIRequestHandler):
    """A lean HTTP/1.1 request loop with keep-alive for the emulator.

    werkzeug's own handler closes every connection after one response (and waits to drain
    the socket); this one keeps connections open: it reads each request body completely
    before the app runs (so the next request on the connection parses cleanly), sends the
    whole response in one write with a Content-Length, and sets TCP_NODELAY to avoid the
    Nagle/delayed-ACK stall. Quiet unless the server's ``log_requests`` is set.
    """

    protocol_version = "HTTP/1.1"
    timeout = 300  # idle keep-alive connections are closed after this many seconds

    @property
    def _server(self) -> Server:
        return cast(Server, self.server)

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):  # not a TCP socket
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._server.track(self.connection, False)

    def handle_one_request(self) -> None:
        try:
            line = self.rfile.readline(_MAX_LINE + 1)
        except (OSError, ValueError):  # idle timeout, reset, or closed by stop()
            self.close_connection = True
            return
        if not line:
            self.close_connection = True
            return
        self.raw_requestline = line
        self.close_connection = True  # until the request proves keep-alive worthy
        if len(line) > _MAX_LINE:
            self.requestline = ""
            self._plain(414, "URI Too Long")
            return
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            self.command, self.path, self.request_version = "", "", "HTTP/1.0"
            self._plain(400, "Bad Request")
            return
        method, target, version = words
        self.command, self.path, self.request_version = method, target, version
        headers: List[Tuple[str, str]] = []
        while True:
            raw = self.rfile.readline(_MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(headers) >= _MAX_HEADERS or len(raw) > _MAX_LINE:
                self._plain(431, "Request Header Fields Too Large")
                return
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon:
                self._plain(400, "Bad Request")
                return
            headers.append((name.strip(), value.strip()))
        environ = self._environ(method, target, version, headers)
        connection = environ.get("HTTP_CONNECTION", "").lower()
        if version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in connection
        else:
            self.close_connection = "close" in connection
        if environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            body = self._read_body(environ)
        except BodyTooLarge:
            self._plain(413, "Content Too Large")
            self._discard_unread()
            return
        if body is None:
            self.close_connection = True
            self._plain(400, "Bad Request")
            return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        self._run(environ)

    def _environ(
        self, method: str, target: str, version: str, headers: List[Tuple[str, str]]
    ) -> WSGIEnvironment:
        path, _, query = target.partition("?")
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        server = self._server
        address = self.client_address
        environ: WSGIEnvironment = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if server.ssl_context is not None else "http",
            "wsgi.input": None,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
            HANDLER_KEY: True,
            "SERVER_SOFTWARE": "smartcar-emulator",
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path).encode().decode("latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": target,
            "RAW_URI": target,
            "REMOTE_ADDR": address[0] if isinstance(address, tuple) else "<local>",
            "REMOTE_PORT": address[1] if isinstance(address, tuple) else 0,
            "SERVER_NAME": str(server.server_address[0]),
            "SERVER_PORT": str(server.server_address[1]),
            "SERVER_PROTOCOL": version,
        }
        for name, value in headers:
            if "_" in name:  # as werkzeug: never let "a_b" masquerade as "a-b"
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            previous = environ.get(key)
            environ[key] = value if previous is None else f"{previous},{value}"
        return environ

    def _read_body(self, environ: WSGIEnvironment) -> Optional[bytes]:
        """The request body, or None when it is malformed. Raises _TooLarge past the cap."""
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            data = read_chunked(self.rfile, _MAX_BODY)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            return data
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0:
            return None
        if length > _MAX_BODY:
            raise BodyTooLarge()
        return self.rfile.read(length) if length else b""

    def _run(self, environ: WSGIEnvironment) -> None:
        status_line: List[str] = []
        header_list: List[Tuple[str, str]] = []

        def start_response(
            status: str, headers: List[Tuple[str, str]], exc_info: Any = None
        ) -> Any:
            status_line[:] = [status]
            header_list[:] = headers
            return lambda data: None

        try:
            chunks = self._server.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except Exception as exc:  # pragma: no cover - EmulatorApp answers its own errors
            self.close_connection = True
            self._plain(500, "Internal Server Error")
            sys.stderr.write(f"smartcar emulator: error serving {self.requestline!r}: {exc!r}\n")
            return
        if environ.get(DROP_KEY):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        code_text, _, reason = status_line[0].partition(" ")
        self._write(int(code_text), reason, header_list, payload)

    def _discard_unread(self) -> None:
        """After refusing a body: let the client read the answer before the socket closes.

        Closing a socket with unread input sends a reset, which may destroy the answer in
        flight; so the rest of the upload is read and thrown away (never kept), for a short
        while only, and the connection then closes.
        """
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + _DISCARD_SECONDS
        with contextlib.suppress(OSError, ValueError):
            self.connection.settimeout(0.2)
            while time.monotonic() < deadline and self.connection.recv(65536):
                pass

    def _plain(self, code: int, reason: str) -> None:
        self.close_connection = True
        self._write(code, reason, [("Content-Type", "text/plain")], reason.encode())

    def _write(
        self, code: int, reason: str, headers: Sequence[Tuple[str, str]], payload: bytes
    ) -> None:
        lines = [f"HTTP/1.1 {code} {reason}"]
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(payload)}")
        lines.append(f"Date: {_http_date()}")
        lines.append("Server: smartcar-emulator")
        if self.close_connection:
            lines.append("Connection: close")
        lines.append("\r\n")
        head = "\r\n".join(lines).encode("latin-1")
        if self.command == "HEAD" or code in (204, 304) or 100 <= code < 200:
            payload = b""
        self.wfile.write(head + payload)
        if self._server.log_requests:
            self.log_request(code, len(payload))

    def log_request(self, code: Union[int, str] = "-", size: Union[int, str] = "-") -> None:
        if self._server.log_requests:
            line = redact_request_line(self.requestline)
            sys.stderr.write(f'{self.client_address[0]} "{line}" {code} {size}\n')

    def log_error(self, format: str, *args: Any) -> None:
        if self._server.log_requests:
            sys.stderr.write(f"smartcar emulator: {format % args}\n")

    def log_message(self, format: str, *args: Any) -> None:
        if self._server.log_requests:
            sys.stderr.write(f"smartcar emulator: {format % args}\n")


class _Readable(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


class BodyTooLarge(Exception):
    """A request body beyond the emulator's cap (answered 413, connection closed)."""


def read_chunked(rfile: _Readable, limit: int) -> Optional[bytes]:
    """Read a chunked body from ``rfile``, stopping as soon as it would pass ``limit`` bytes.

    Returns the decoded body, or None when the framing is malformed or the stream ends early.

    Raises:
        BodyTooLarge: the chunks announced or read so far exceed ``limit``.
    """
    parts: List[bytes] = []
    total = 0
    while True:
        try:
            line = rfile.readline(_MAX_LINE + 1)
        except (OSError, ValueError):
            return None
        if not line.endswith(b"\n") or len(line) > _MAX_LINE:
            return None
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return None
        if size < 0:
            return None
        if size == 0:
            break
        total += size
        if total > limit:
            raise BodyTooLarge()
        try:
            chunk = rfile.read(size)
            end = rfile.readline(_MAX_LINE + 1)
        except (OSError, ValueError):
            return None
        if len(chunk) != size or end not in (b"\r\n", b"\n"):
            return None
        parts.append(chunk)
    while True:  # trailer fields, up to the blank line
        try:
            trailer = rfile.readline(_MAX_LINE + 1)
        except (OSError, ValueError):
            return None
        if trailer in (b"\r\n", b"\n"):
            return b"".join(parts)
        if not trailer.endswith(b"\n"):
            return None


_date_cache: Tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


class Server(ThreadedWSGIServer):
    """werkzeug's threaded server, tracking live connections so that stop() can close them
    (otherwise a pooled keep-alive connection would still be served after stop())."""

    def __init__(
        self,
        app: WSGIApplication,
        host: str,
        port: int,
        ssl_context: SSLContextArg,
        log_requests: bool,
    ) -> None:
        super().__init__(host, port, app, Handler, ssl_context=ssl_context)
        self.app: WSGIApplication = app
        self.log_requests = log_requests
        self.connections_accepted = 0
        self._connections: Set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self._connections_lock:
            if alive:
                self._connections.add(connection)
                self.connections_accepted += 1
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            live = list(self._connections)
            self._connections.clear()
        for connection in live:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
