"""A small keep-alive HTTPS server for the read benchmarks (run as a separate process).

It answers, and nothing else (anything else is a JSON 404; a read without a bearer token a
JSON 401):

* ``GET /v1.0/vehicles/<id>/odometer``: ``{"distance": 123.4}`` with the headers a Smartcar
  data read carries (``sc-data-age``, ``sc-unit-system``, ``sc-request-id``);
* ``POST /oauth2/token`` (client credentials): an application token, as ``iam`` does;
* ``GET /v3/vehicles/<id>/signals``: one JSON:API page of 20 signals (about 10 kB, the shape
  and size of the emulator's answer for an electric vehicle), in the live service's form
  (``api-v2-v3.md`` section 12): ISO-8601 times with ``ingestedAt``, ``pageNumber``, an
  absolute ``links.self`` and no next or previous link. A request without ``sc-user-id``
  gets the vehicle's user filled in and counted (``filled_user_id``): the official 6.19.1
  cannot send the header.

Usage: ``python _server.py --cert CERT.pem --key KEY.pem`` prints ``LISTENING {json}`` (port,
access token, vehicle id, and under ``v3`` the application credentials, vehicle and user)
on stdout once it accepts connections; then each ``stats`` line on its standard input gets a
JSON line back (its CPU seconds so far, the header names of the last read, how many requests
had ``sc-user-id`` filled in), and it stops when its standard input closes.
``_emulator_server.py`` speaks the same.

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
from urllib.parse import parse_qs

ODOMETER_PATH = re.compile(r"^/v1\.0/vehicles/[^/?]+/odometer$")
ODOMETER_BODY = json.dumps({"distance": 123.4}).encode()
DATA_AGE = "2026-11-25T18:00:00.000Z"
TOKEN = "bench-access-token-not-a-secret"
VEHICLE_ID = "bench-vehicle-0001"
V3_CLIENT_ID = "bench-client-id"
V3_CLIENT_SECRET = "bench-client-secret-not-a-secret"
V3_APP_TOKEN = "bench-app-token-not-a-secret"
V3_USER_ID = "bench-user-0001"
SIGNALS_PATH = re.compile(r"^/v3/vehicles/([^/?]+)/signals$")
TOKEN_BODY = json.dumps(
    {"access_token": V3_APP_TOKEN, "token_type": "Bearer", "expires_in": 3600}
).encode()

_SIGNALS = (  # code, name, group, body
    ("vehicleidentification-vin", "Vin", "VehicleIdentification", {"value": "5YJ3E1EA7KF317000"}),
    ("odometer-traveleddistance", "TraveledDistance", "Odometer", {"value": 66608.6, "unit": "km"}),
    ("location-preciselocation", "PreciseLocation", "Location",
     {"latitude": 43.662771, "longitude": -79.403147, "locationType": "LAST_PARKED"}),
    ("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery",
     {"value": 75.7, "unit": "percent"}),
    ("tractionbattery-range", "Range", "TractionBattery",
     {"value": 186.2, "unit": "km", "type": "DEFAULT", "additionalValues": []}),
    ("tractionbattery-nominalcapacity", "NominalCapacity", "TractionBattery",
     {"capacity": 37.9, "availableCapacities": [], "source": "SMARTCAR", "unit": "kWh"}),
    ("charge-ischarging", "IsCharging", "Charge", {"value": False}),
    ("charge-ischargingcableconnected", "IsChargingCableConnected", "Charge", {"value": True}),
    ("charge-chargelimits", "ChargeLimits", "Charge",
     {"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": 80, "unit": "percent"}),
    ("charge-voltage", "Voltage", "Charge", {"value": 230, "unit": "volts"}),
    ("charge-amperage", "Amperage", "Charge", {"value": 16, "unit": "amperes"}),
    ("charge-timetocomplete", "TimeToComplete", "Charge", {"value": 95, "unit": "minutes"}),
    ("closure-islocked", "IsLocked", "Closure", {"value": True}),
    ("closure-doors", "Doors", "Closure",
     {"values": [{"row": r, "column": c, "isOpen": False, "isLocked": True}
                 for r in (0, 1) for c in (0, 1)], "rowCount": 2, "columnCount": 2}),
    ("closure-windows", "Windows", "Closure",
     {"values": [{"row": r, "column": c, "isOpen": False} for r in (0, 1) for c in (0, 1)],
      "rowCount": 2, "columnCount": 2}),
    ("closure-frontrunkisopen", "FrontTrunkIsOpen", "Closure", {"value": False}),
    ("closure-reartrunkisopen", "RearTrunkIsOpen", "Closure", {"value": False}),
    ("wheel-tires", "Tires", "Wheel",
     {"values": [{"row": r, "column": c, "tirePressure": 241.0} for r in (0, 1) for c in (0, 1)],
      "unit": "kPa", "rowCount": 2, "columnCount": 2}),
    ("climate-internaltemperature", "InternalTemperature", "Climate",
     {"value": 21.5, "unit": "celsius"}),
    ("climate-externaltemperature", "ExternalTemperature", "Climate",
     {"value": 12.0, "unit": "celsius"}),
)  # fmt: skip


def signals_body(vehicle_id: str) -> bytes:
    """One JSON:API page holding every signal of ``_SIGNALS`` for ``vehicle_id``, as the live
    service writes it."""
    base = f"/vehicles/{vehicle_id}"
    meta = {"retrievedAt": "2026-12-01T10:00:00.000Z", "oemUpdatedAt": "2026-12-01T09:59:17.000Z",
            "ingestedAt": "2026-12-01T10:00:00.412Z"}  # fmt: skip
    data = [
        {
            "id": code,
            "type": "signal",
            "attributes": {
                "code": code,
                "name": name,
                "group": group,
                "status": {"value": "SUCCESS"},
                "body": body,
            },
            "meta": meta,
            "links": {"self": f"{base}/signals/{code}", "vehicle": base},
        }
        for code, name, group, body in _SIGNALS
    ]
    page = {
        "data": data,
        "meta": {"totalCount": len(data), "pageSize": len(data), "pageNumber": 1},
        "links": {"self": f"https://vehicle.api.smartcar.com/v3{base}/signals"},
        "included": {"vehicle": {"id": vehicle_id, "type": "vehicle",
                                 "attributes": {"make": "TESLA", "model": "Model 3", "year": 2019,
                                                "powertrainType": "BEV", "mode": "live"},
                                 "links": {"self": base}}},
    }  # fmt: skip
    return json.dumps(page).encode()


SIGNALS_BODY = signals_body(VEHICLE_ID)


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
        signals = SIGNALS_PATH.match(path)
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._reply(401, b'{"error":"authentication_error","message":"no bearer token"}')
        elif ODOMETER_PATH.match(path):
            unit_system = self.headers.get("sc-unit-system") or "metric"
            self._reply(
                200,
                ODOMETER_BODY,
                (("sc-data-age", DATA_AGE), ("sc-unit-system", unit_system)),
            )
        elif signals and signals.group(1) == VEHICLE_ID:
            if not self.headers.get("sc-user-id"):
                self.server.count_filled_user_id()  # as if V3_USER_ID had been sent
            self._reply(200, SIGNALS_BODY)
        else:
            self._reply(404, b'{"error":"resource_not_found","message":"not found"}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("ascii", "replace"))
        self.server.count_request(self.headers.keys())
        credentials = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
        if self.path.split("?", 1)[0] != "/oauth2/token":
            self._reply(404, b'{"error":"resource_not_found","message":"not found"}')
        elif form.get("grant_type") != ["client_credentials"]:
            self._reply(400, b'{"error":"unsupported_grant_type"}')
        elif credentials != (V3_CLIENT_ID, V3_CLIENT_SECRET):
            self._reply(401, b'{"error":"invalid_client"}')
        else:
            self._reply(200, TOKEN_BODY)

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
        self._filled_user_id = 0
        self._started = time.monotonic()

    def next_request_id(self) -> str:
        return f"bench-{next(self._ids):08x}"

    def count_request(self, header_names: Iterable[str]) -> None:
        self._served = next(self._requests)
        self._last_header_names = sorted(name.lower() for name in header_names)

    def count_filled_user_id(self) -> None:
        self._filled_user_id += 1

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self._served,
            "cpu_seconds": time.process_time(),
            "wall_seconds": time.monotonic() - self._started,
            "last_header_names": self._last_header_names,
            "filled_user_id": self._filled_user_id,
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
    hello = {
        "port": server.server_address[1],
        "token": TOKEN,
        "vehicle_id": VEHICLE_ID,
        "v3": {
            "client_id": V3_CLIENT_ID,
            "client_secret": V3_CLIENT_SECRET,
            "vehicle_id": VEHICLE_ID,
            "user_id": V3_USER_ID,
        },
    }
    print("LISTENING " + json.dumps(hello), flush=True)
    for line in sys.stdin:  # the harness asks for stats, then closes our stdin to stop us
        if line.strip() == "stats":
            print(json.dumps(server.stats()), flush=True)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
