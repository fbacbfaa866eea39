"""Run the FastAPI example with uvicorn.

With ``SMARTCAR_CLIENT_ID`` set, the app talks to Smartcar (or to the origins in
``SMARTCAR_*_ORIGIN``) with the credentials from the environment. Without it, a local
Smartcar emulator starts in this process and the app uses it (no account needed), with a
webhook pointing at the app, as the Flask example does (``examples/flask_app/run.py``).

    python -m examples.fastapi_app [--host 127.0.0.1] [--port 8000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import List, Optional

if __package__ in (None, ""):  # run as a script: make `examples` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn

from examples.fastapi_app.app import WEBHOOK_PATH, create_app
from examples.flask_app.run import add_example_webhook, emulator_config


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    return parser.parse_args(argv)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (``port`` 0 picks a free one): the app needs its port first."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve(app: object, sock: socket.socket) -> int:
    config = uvicorn.Config(app, log_level="warning", access_log=False)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    sock = bind(args.host, args.port)
    base = f"http://{args.host}:{sock.getsockname()[1]}"
    if os.environ.get("SMARTCAR_CLIENT_ID"):
        try:
            app = create_app()
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            sock.close()
            return 2
        print(f"Open {base}/ (Smartcar credentials from the environment)", flush=True)
        return serve(app, sock)

    from smartcar.emulator import Emulator

    redirect_uri = os.environ.get("SMARTCAR_REDIRECT_URI") or f"{base}/callback"
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="smartcar-example-"))
        emu = stack.enter_context(Emulator(redirect_uris=[redirect_uri]))
        config = emulator_config(emu, redirect_uri, Path(tmp))
        config["SESSION_SECRET"] = config.pop("SECRET_KEY")
        app = create_app(config)
        # VERIFY reaches the app once it serves: add the webhook from another thread.
        threading.Thread(
            target=add_example_webhook, args=(emu, base + WEBHOOK_PATH, "FastAPI example"),
            daemon=True,
        ).start()  # fmt: skip
        print(f"Smartcar emulator on {emu.origin}", flush=True)
        print(f"Open {base}/ and connect a car: any email and password work.", flush=True)
        print("Ctrl+C to stop.", flush=True)
        return serve(app, sock)


if __name__ == "__main__":
    sys.exit(main())
