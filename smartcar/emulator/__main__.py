"""``python -m smartcar.emulator``: run the emulator standalone until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import List, Optional

from smartcar.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    WERKZEUG_MISSING,
    is_werkzeug_missing,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m smartcar.emulator",
        description="A local, stateful Smartcar (Connect, Auth and the API) on one origin.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument(
        "--trusted-host",
        action="append",
        dest="trusted_hosts",
        metavar="NAME",
        help="a host name (besides localhost and IP addresses) that may use /_emulator, "
        "repeatable (e.g. a container's service name)",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="fleet seed (default 0)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_uris",
        metavar="URI",
        help=f"registered redirect URI, repeatable (default {DEFAULT_REDIRECT_URI})",
    )
    parser.add_argument(
        "--application-id", help="the Application ID Connect takes for v3 apps (default: derived)"
    )
    parser.add_argument(
        "--management-token", help="the application management token (signs webhooks)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every request waits (default 0)"
    )
    parser.add_argument("--cert", help="TLS certificate file (serve HTTPS with --key)")
    parser.add_argument("--key", help="TLS private key file")
    parser.add_argument("--log-requests", action="store_true", help="log each request")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if bool(args.cert) != bool(args.key):
        print("--cert and --key go together", file=sys.stderr)
        return 2
    try:
        from smartcar.emulator.server import Emulator
    except ImportError as exc:
        if not is_werkzeug_missing(exc):
            raise
        print(WERKZEUG_MISSING, file=sys.stderr)
        return 1

    token = {"management_token": args.management_token} if args.management_token else {}
    emulator = Emulator(
        seed=args.seed,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uris or [DEFAULT_REDIRECT_URI],
        host=args.host,
        port=args.port,
        ssl_context=(args.cert, args.key) if args.cert else None,
        log_requests=args.log_requests,
        trusted_hosts=args.trusted_hosts or (),
        patch_const=False,
        application_id=args.application_id,
        latency=args.latency,
        **token,
    )
    emulator.start()
    stop = threading.Event()

    def _terminate(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _terminate)
    try:
        for name, value in emulator.environment().items():
            print(f"{name}={value}")
        print(
            f"Smartcar emulator ready on {emulator.origin} "
            f"(client id {emulator.client_id}, client secret {emulator.client_secret}, "
            f"application id {emulator.application_id}, "
            f"redirect URI {', '.join(emulator.redirect_uris)}); Ctrl-C to stop",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
