"""The project's emulator (``smartcar.emulator.Emulator``) over HTTPS, as a benchmark server.

Same protocol as ``_server.py``: prints ``LISTENING {json}`` (port, an access token minted by the
emulator, the id of a vehicle it may read, and under ``v3`` the application credentials, a
connected electric vehicle and its user id), answers each ``stats`` line on standard input with
a JSON line (its CPU seconds so far, the header names of the last request, how many v3 vehicle
requests had ``sc-user-id`` filled in), and stops when standard input closes.

The official 6.19.1 cannot send ``sc-user-id``, which the v3 service requires; a v3 vehicle
request without one gets the connected user's id filled in here (and counted), which is what a
user of that SDK would have to patch in. Requests that carry the header are left alone.

Usage: ``python _emulator_server.py --cert CERT.pem --key KEY.pem``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Optional

WSGIApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FillUserId:
    """Adds ``sc-user-id`` to v3 vehicle requests that lack one, and counts them.

    The official 6.19.1 cannot send the header (its v3 calls predate it), so without this it
    could not read a signal from a service that requires it: this fills in the one user the
    benchmark reads for, what a user of that SDK would have to patch in.
    """

    def __init__(self, app: WSGIApp, user_id: str) -> None:
        self.app = app
        self.user_id = user_id
        self.filled = 0
        self._lock = threading.Lock()

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/v3/vehicles/") and not environ.get("HTTP_SC_USER_ID"):
            environ["HTTP_SC_USER_ID"] = self.user_id
            with self._lock:
                self.filled += 1
        return self.app(environ, start_response)


class Recorder:
    """Remembers the header names of the last request (before any is filled in)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.last_header_names: List[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        names = [key[5:].replace("_", "-").lower() for key in environ if key.startswith("HTTP_")]
        if environ.get("CONTENT_TYPE"):
            names.append("content-type")
        if str(environ.get("CONTENT_LENGTH") or "0") != "0":  # werkzeug fills it in for a GET
            names.append("content-length")
        with self._lock:
            self.last_header_names = sorted(names)
        return self.app(environ, start_response)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    args = parser.parse_args(argv)

    from smartcar.emulator import Emulator

    emulator = Emulator(seed=0, ssl_context=(args.cert, args.key), patch_const=False)
    with emulator:
        tokens = emulator.issue_tokens()
        vehicles = emulator.vehicles()
        if not vehicles:
            raise SystemExit("the emulator has no vehicle for the default user")
        user_id = emulator.v3.connect()  # the default user's garage, for a v3 application
        electric = [vehicle for vehicle in vehicles if vehicle.kind == "electric"]
        # the Emulator has no public hook around its WSGI app; its werkzeug server's is `app`
        server = emulator._server
        assert server is not None
        filler = FillUserId(server.app, user_id)
        recorder = Recorder(filler)
        server.app = recorder
        hello = {
            "port": emulator.port,
            "token": tokens["access_token"],
            "vehicle_id": vehicles[0].id,
            "v3": {
                "client_id": emulator.client_id,
                "client_secret": emulator.client_secret,
                "vehicle_id": (electric or vehicles)[0].id,
                "user_id": user_id,
            },
        }
        print("LISTENING " + json.dumps(hello), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                stats = {
                    "cpu_seconds": time.process_time(),
                    "last_header_names": recorder.last_header_names,
                    "filled_user_id": filler.filled,
                }
                print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
