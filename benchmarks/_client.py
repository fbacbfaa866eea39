"""A benchmark client: N sequential reads, timed, as one JSON line on stdout.

Run by the harness (``run.py``) with the interpreter of the venv under test, one process per
client, so that each client pays only for itself. With ``--serve`` the process warms up, prints
a ``ready`` line, then answers each ``run N`` line on standard input with the JSON result of N
more calls, so the harness can interleave short rounds of the clients.

``--read odometer`` (API v1.0, a vehicle's access token):

* ``sdk``      this repository's ``smartcar`` (``Vehicle(...).odometer()``);
* ``session``  a bare pooled ``requests.Session`` sending the same GET with the same headers
  and decoding the body with ``.json()``;
* ``official`` the official ``smartcar`` (4.3.5 or 6.19.1, whichever its venv holds;
  ``Vehicle(...).odometer()``), re-pointed at the loopback server (4.3.5:
  ``smartcar.const.API_URL``; 6.19.1: ``smartcar.config.API_ORIGIN`` and API version 1.0).

``--read signals`` (API v3, an application token from ``POST /oauth2/token``):

* ``sdk``      ``smartcar.v3.Client(...).vehicle(id, user_id).signals()`` (the client fetches
  and caches its application token during the warm-up);
* ``session``  a bare pooled ``requests.Session`` sending the same ``GET /v3/vehicles/{id}/
  signals`` with the application token and ``sc-user-id``;
* ``official`` the official 6.19.1 ``Vehicle(id, app_token).get_signals()`` (it cannot send
  ``sc-user-id``: the benchmark server fills it in for requests that lack it).

TLS is verified against the CA named by ``REQUESTS_CA_BUNDLE`` (the clients get no other hint).
``--expect-tls-failure`` makes one call and succeeds only if it failed on certificate
verification: the harness runs it without ``REQUESTS_CA_BUNDLE`` to prove that verification
is on and that each client honours the variable.

Only the standard library, ``requests`` and the ``smartcar`` under test are imported, and the
script's own directory comes first on ``sys.path``, never the repository root, so an official
venv imports the official package.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from typing import Any, Callable, Dict, Optional

KINDS = ("sdk", "session", "official")
READS = ("odometer", "signals")


def session_user_agent() -> str:
    """The User-Agent this SDK sends (its version from ``smartcar.__version__``)."""
    from smartcar import __version__

    return (
        f"Smartcar/{__version__} ({platform.system()}; {platform.machine()}) "
        f"Python v{platform.python_version()}"
    )


def app_token(origin: str, client_id: str, client_secret: str) -> str:
    """Fetch an application token (client credentials), as a user of ``session`` would."""
    import requests

    answer = requests.post(
        f"{origin}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=30,
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def official_major() -> int:
    import smartcar

    return int(str(smartcar.__version__).split(".")[0])


def session_read(session: Any, url: str, headers: Dict[str, str]) -> Callable[[], Any]:
    """A call that GETs ``url`` on the ``requests`` session and returns the JSON of a 200."""

    def read() -> Any:
        response = session.get(url, headers=headers, timeout=(5.0, 310.0))
        if response.status_code != 200:
            raise RuntimeError(f"unexpected status {response.status_code}")
        return response.json()

    return read


def make_call(kind: str, args: argparse.Namespace) -> Callable[[], Any]:
    """Return a zero-argument function that performs one read the way ``kind`` does it."""
    origin = args.origin.rstrip("/")
    if args.read == "signals":
        return make_signals_call(kind, origin, args)
    api_url = origin + "/v1.0"
    if kind == "sdk" or (kind == "official" and official_major() < 5):
        import smartcar
        import smartcar.const

        smartcar.const.API_URL = api_url
        if hasattr(smartcar, "set_api_version"):  # the servers speak 4.3.5's v1.0
            smartcar.set_api_version("1.0")
        vehicle = smartcar.Vehicle(args.vehicle, args.token)
        return vehicle.odometer
    if kind == "official":
        import smartcar.config  # binds smartcar too

        smartcar.config.API_ORIGIN = origin
        smartcar.set_api_version("1.0")
        return smartcar.Vehicle(args.vehicle, args.token).odometer
    if kind == "session":
        import requests

        session = requests.Session()
        url = f"{api_url}/vehicles/{args.vehicle}/odometer"
        headers = {
            "Authorization": "Bearer " + args.token,
            "sc-unit-system": "metric",
            "User-Agent": session_user_agent(),
        }

        return session_read(session, url, headers)
    raise ValueError(f"unknown client kind {kind!r}")


def make_signals_call(kind: str, origin: str, args: argparse.Namespace) -> Callable[[], Any]:
    if kind == "sdk":
        import smartcar.const
        import smartcar.v3

        smartcar.const.IAM_URL = origin + "/oauth2/token"
        smartcar.const.VEHICLE_API_V3_URL = origin + "/v3"
        client = smartcar.v3.Client(args.client_id, args.client_secret)
        return client.vehicle(args.vehicle, args.user).signals
    token = app_token(origin, args.client_id, args.client_secret)
    if kind == "official":
        import smartcar.config  # binds smartcar too

        if official_major() < 6:
            raise ValueError("the official package before 6 has no v3 signals read")
        smartcar.config.VEHICLE_API_ORIGIN = origin
        return smartcar.Vehicle(args.vehicle, token).get_signals
    if kind == "session":
        import requests

        session = requests.Session()
        url = f"{origin}/v3/vehicles/{args.vehicle}/signals"
        headers = {
            "Authorization": "Bearer " + token,
            "sc-user-id": args.user,
            "User-Agent": session_user_agent(),
        }

        return session_read(session, url, headers)
    raise ValueError(f"unknown client kind {kind!r}")


def summary_of(kind: str, read: str, result: Any) -> Any:
    """Return what a read found (a distance, or a number of signals), wherever ``kind`` puts it."""
    if read == "signals":
        if kind == "sdk":
            return len(result)
        body = result["body"] if kind == "official" else result
        return len(body["data"])
    if kind == "session":
        return result["distance"]
    if isinstance(result, dict):  # this SDK and 4.3.5: {"data": {"distance"}, ...}
        return result["data"]["distance"]
    return result.distance  # 6.19.1: a named tuple


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
    parser.add_argument("--read", choices=READS, default="odometer")
    parser.add_argument("--origin", required=True, help="e.g. https://127.0.0.1:PORT")
    parser.add_argument("--vehicle", required=True, help="vehicle id")
    parser.add_argument("--token", help="access token the server accepts (odometer)")
    parser.add_argument("--user", help="user id, sent as sc-user-id (signals)")
    parser.add_argument("--client-id", help="application credentials (signals)")
    parser.add_argument("--client-secret", help="application credentials (signals)")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--expect-tls-failure", action="store_true")
    parser.add_argument(
        "--serve", action="store_true", help="after the warm-up, run 'run N' lines from stdin"
    )
    args = parser.parse_args(argv)

    needed = ("token",) if args.read == "odometer" else ("user", "client_id", "client_secret")
    for name in needed:
        if not getattr(args, name):
            parser.error(f"--{name.replace('_', '-')} is required for --read {args.read}")
    if args.expect_tls_failure:
        try:  # the set-up may call already (the application token)
            make_call(args.kind, args)()
        except Exception as error:
            verdict = is_certificate_failure(error)
            print(json.dumps({"tls_failure": verdict, "error": type(error).__name__}))
            return 0 if verdict else 1
        print(json.dumps({"tls_failure": False, "error": None}))
        return 1

    call = make_call(args.kind, args)
    for _ in range(args.warmup):
        call()
    if not args.serve:
        print(json.dumps(measure(args.kind, args.read, call, args.calls)))
        return 0
    print(json.dumps({"ready": True, **describe_package(args.kind)}), flush=True)
    for line in sys.stdin:  # "run N" -> one JSON line; end of input -> exit
        words = line.split()
        if len(words) == 2 and words[0] == "run":
            print(json.dumps(measure(args.kind, args.read, call, int(words[1]))), flush=True)
    return 0


def measure(kind: str, read: str, call: Callable[[], Any], calls: int) -> Dict[str, Any]:
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
        "read": read,
        "found": summary_of(kind, read, result),
        "python": platform.python_version(),
        **describe_package(kind),
    }


if __name__ == "__main__":
    sys.exit(main())
