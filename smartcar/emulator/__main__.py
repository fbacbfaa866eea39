"""``python -m smartcar.emulator``: run the emulator standalone until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import signal
import sys
import threading
from typing import List, NoReturn, Optional

from smartcar.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    WERKZEUG_MISSING,
    is_werkzeug_missing,
)

MAX_LATENCY = 3600.0
"""The longest ``--latency`` accepted, in seconds."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``PROG: error: ...``) and exit status 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0-65535 (0: a free one), not {port}")
    return port


def _latency(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_LATENCY):
        raise argparse.ArgumentTypeError(f"must be seconds from 0 to {MAX_LATENCY:g}, not {text}")
    return seconds


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _redirect_uri(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"must be an http(s) URL, not {text!r}")
    return text


def _readable_file(text: str) -> str:
    if not os.path.isfile(text) or not os.access(text, os.R_OK):
        raise argparse.ArgumentTypeError(f"no readable file {text!r}")
    return text


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="A local, stateful Smartcar (Connect, Auth and the API) on one origin.",
        epilog="Errors print one line and exit 2: a bad option, a missing --cert/--key file, "
        "an address that cannot be listened on (a busy port, an unknown host).",
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
    parser.add_argument("--port", type=_port, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="fleet seed (default 0)")
    parser.add_argument("--client-id", type=_non_empty, default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", type=_non_empty, default=DEFAULT_CLIENT_SECRET)
    parser.add_argument(
        "--redirect-uri",
        type=_redirect_uri,
        action="append",
        dest="redirect_uris",
        metavar="URI",
        help=f"registered redirect URI, repeatable (default {DEFAULT_REDIRECT_URI})",
    )
    parser.add_argument(
        "--application-id",
        type=_non_empty,
        help="the Application ID Connect takes for v3 apps (default: derived)",
    )
    parser.add_argument(
        "--management-token",
        type=_non_empty,
        help="the application management token (signs webhooks)",
    )
    parser.add_argument(
        "--latency",
        type=_latency,
        default=0.0,
        help=f"seconds every request waits, 0 to {MAX_LATENCY:g} (default 0)",
    )
    parser.add_argument(
        "--cert", type=_readable_file, help="TLS certificate file (serve HTTPS with --key)"
    )
    parser.add_argument("--key", type=_readable_file, help="TLS private key file")
    parser.add_argument("--log-requests", action="store_true", help="log each request")
    return parser


def main(argv: Optional[List[str]] = None, prog: str = "python -m smartcar.emulator") -> int:
    """Serve until Ctrl-C or SIGTERM; return the exit status (2: bad options or address)."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
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
    # werkzeug prints its own lines about a failed bind (then exits): keep them for one line.
    printed = io.StringIO()
    try:
        with contextlib.redirect_stderr(printed):
            emulator.start()
    except (OSError, OverflowError, ValueError) as error:
        reason = printed.getvalue().strip().splitlines()[:1] or [str(error)]
        parser.exit(2, f"{prog}: error: cannot serve on {args.host}:{args.port}: {reason[0]}\n")
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
