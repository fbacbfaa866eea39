"""A benchmark client: N sequential odometer reads, timed, as one JSON line on stdout.

Run by the harness (``run.py``) with the interpreter of the venv under test, one process per
client, so that each client pays only for itself. With ``--serve`` the process warms up, prints
a ``ready`` line, then answers each ``run N`` line on standard input with the JSON result of N
more calls, so the harness can interleave short rounds of the three clients:

* ``sdk``      this repository's ``smartcar`` (``Vehicle(...).odometer()``);
* ``session``  a bare pooled ``requests.Session`` sending the same GET with the same headers
  and decoding the body with ``.json()``;
* ``official`` the official ``smartcar`` 4.3.5 (``Vehicle(...).odometer()``), run from its own
  venv, re-pointed at the loopback server through ``smartcar.const.API_URL``.

TLS is verified against the CA named by ``REQUESTS_CA_BUNDLE`` (the clients get no other hint).
``--expect-tls-failure`` makes one call and succeeds only if it failed on certificate
verification: the harness runs it without ``REQUESTS_CA_BUNDLE`` to prove that verification
is on and that each client honours the variable.

Only the standard library, ``requests`` and the ``smartcar`` under test are imported, and the
script's own directory comes first on ``sys.path``, never the repository root, so the
official venv imports the official package.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from typing import Any, Callable, Dict, Optional

KINDS = ("sdk", "session", "official")


def make_call(kind: str, origin: str, vehicle_id: str, token: str) -> Callable[[], Any]:
    """Return a zero-argument function that performs one read the way ``kind`` does it."""
    api_url = origin.rstrip("/") + "/v1.0"
    if kind in ("sdk", "official"):
        import smartcar
        import smartcar.const

        smartcar.const.API_URL = api_url
        vehicle = smartcar.Vehicle(vehicle_id, token)
        return vehicle.odometer
    if kind == "session":
        import requests

        session = requests.Session()
        url = f"{api_url}/vehicles/{vehicle_id}/odometer"
        headers = {
            "Authorization": "Bearer " + token,
            "sc-unit-system": "metric",
            "User-Agent": (
                f"Smartcar/5.0.0 ({platform.system()}; {platform.machine()}) "
                f"Python v{platform.python_version()}"
            ),
        }

        def read() -> Any:
            response = session.get(url, headers=headers, timeout=(5.0, 310.0))
            if response.status_code != 200:
                raise RuntimeError(f"unexpected status {response.status_code}")
            return response.json()

        return read
    raise ValueError(f"unknown client kind {kind!r}")


def distance_of(kind: str, result: Any) -> Any:
    """Return the distance a read returned, wherever the client puts it."""
    return result["distance"] if kind == "session" else result["data"]["distance"]


def describe_package(kind: str) -> Dict[str, Optional[str]]:
    if kind == "session":
        import requests

        return {"package": "requests", "version": requests.__version__, "file": requests.__file__}
    import smartcar

    return {
        "package": "smartcar",
        "version": getattr(smartcar, "__version__", None),
        "file": smartcar.__file__,
    }


def is_certificate_failure(error: BaseException) -> bool:
    """Whether ``error`` or anything in its cause/context chain is a TLS verification failure."""
    import ssl

    seen: Optional[BaseException] = error
    for _ in range(20):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--origin", required=True, help="e.g. https://127.0.0.1:PORT")
    parser.add_argument("--vehicle", required=True, help="vehicle id")
    parser.add_argument("--token", required=True, help="access token the server accepts")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--expect-tls-failure", action="store_true")
    parser.add_argument(
        "--serve", action="store_true", help="after the warm-up, run 'run N' lines from stdin"
    )
    args = parser.parse_args(argv)

    call = make_call(args.kind, args.origin, args.vehicle, args.token)
    if args.expect_tls_failure:
        try:
            call()
        except Exception as error:
            verdict = is_certificate_failure(error)
            print(json.dumps({"tls_failure": verdict, "error": type(error).__name__}))
            return 0 if verdict else 1
        print(json.dumps({"tls_failure": False, "error": None}))
        return 1

    for _ in range(args.warmup):
        call()
    if not args.serve:
        print(json.dumps(measure(args.kind, call, args.calls)))
        return 0
    print(json.dumps({"ready": True, **describe_package(args.kind)}), flush=True)
    for line in sys.stdin:  # "run N" -> one JSON line; end of input -> exit
        words = line.split()
        if len(words) == 2 and words[0] == "run":
            print(json.dumps(measure(args.kind, call, int(words[1]))), flush=True)
    return 0


def measure(kind: str, call: Callable[[], Any], calls: int) -> Dict[str, Any]:
    """Make ``calls`` sequential calls; return wall and CPU seconds and what the last returned."""
    result: Any = None
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    for _ in range(calls):
        result = call()
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    return {
        "kind": kind,
        "calls": calls,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "distance": distance_of(kind, result),
        "python": platform.python_version(),
        **describe_package(kind),
    }


if __name__ == "__main__":
    sys.exit(main())
