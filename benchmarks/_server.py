"""A small keep-alive HTTPS server for the read benchmarks (run as a separate process).

It answers ``GET /v1.0/vehicles/<id>/odometer`` with ``{"distance": 123.4}`` and the headers
a Smartcar data read carries (``sc-data-age``, ``sc-unit-system``, ``sc-request-id``), and
nothing else. Everything else is a JSON 404; a request without a bearer
token is a JSON 401.

Usage: ``python _server.py --cert CERT.pem --key KEY.pem`` prints ``LISTENING {json}`` (port,
access token, vehicle id) on stdout once it accepts connections; then each ``stats`` line on its
standard input gets a JSON line back (its CPU seconds so far and the header names of the last
read), and it stops when its standard input closes. ``_emulator_server.py`` speaks the same.

Only the standard library is used, so any Python 3.9+ runs it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, Optional, Tuple

ODOMETER_PATH = re.compile(r"^/v1\.0/vehicles/[^/?]+/odometer$")
ODOMETER_BODY = json.dumps({"distance": 123.4}).encode()
DATA_AGE = "2026-11-25T18:00:00.000Z"
TOKEN = "bench-access-token-not-a-secret"
VEHICLE_ID = "bench-vehicle-0001"


class BenchHandler(BaseHTTPRequestHandler):
    """Answers the benchmark's reads; one instance per connection, kept alive (HTTP/1.1)."""

    protocol_version = "HTTP/1.1"
    server_version = "bench"
    sys_version = ""
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted connection
    wbufsize = 1 << 16  # headers and body leave in one write; flushed after each request
    timeout = 60
    server: BenchServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.count_request(self.headers.keys())
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._reply(401, b'{"error":"authentication_error","message":"no bearer token"}')
        elif ODOMETER_PATH.match(path):
            unit_system = self.headers.get("sc-unit-system") or "metric"
            self._reply(
                200,
                ODOMETER_BODY,
                (("sc-data-age", DATA_AGE), ("sc-unit-system", unit_system)),
            )
        else:
            self._reply(404, b'{"error":"resource_not_found","message":"not found"}')

    def _reply(self, status: int, body: bytes, extra: Tuple[Tuple[str, str], ...] = ()) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("sc-request-id", self.server.next_request_id())
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class BenchServer(ThreadingHTTPServer):
    """Threaded server whose TLS handshakes happen in the connection's own thread."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(address, BenchHandler)
        self.context = context
        self._ids = itertools.count(1)
        self._requests = itertools.count(1)
        self._served = 0
        self._last_header_names: list[str] = []
        self._started = time.monotonic()

    def next_request_id(self) -> str:
        return f"bench-{next(self._ids):08x}"

    def count_request(self, header_names: Iterable[str]) -> None:
        self._served = next(self._requests)
        self._last_header_names = sorted(name.lower() for name in header_names)

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self._served,
            "cpu_seconds": time.process_time(),
            "wall_seconds": time.monotonic() - self._started,
            "last_header_names": self._last_header_names,
        }

    def finish_request(self, request: Any, client_address: Any) -> None:
        tls: Optional[ssl.SSLSocket] = None
        try:
            tls = self.context.wrap_socket(request, server_side=True)
            BenchHandler(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass  # a client that hung up or refused our certificate (the TLS preflight)
        finally:
            if tls is not None:
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None


def make_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = BenchServer((args.host, args.port), make_context(args.cert, args.key))
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.daemon = True
    thread.start()
    hello = {"port": server.server_address[1], "token": TOKEN, "vehicle_id": VEHICLE_ID}
    print("LISTENING " + json.dumps(hello), flush=True)
    for line in sys.stdin:  # the harness asks for stats, then closes our stdin to stop us
        if line.strip() == "stats":
            print(json.dumps(server.stats()), flush=True)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
