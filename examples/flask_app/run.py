"""Run the Flask example.

With ``SMARTCAR_CLIENT_ID`` set, the app talks to Smartcar (or to the origins in
``SMARTCAR_*_ORIGIN``) with the credentials from the environment. Without it, a local
Smartcar emulator starts in this process and the app uses it: no account needed. The
emulator then also gets a webhook pointing at the app (created once the app answers its
VERIFY challenge, auto-subscribing every connected vehicle), so locking a car pushes a
signed event to the page.

    python -m examples.flask_app [--host 127.0.0.1] [--port 8000]
    python examples/flask_app/run.py
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

if __package__ in (None, ""):  # run as a script: make `examples` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from examples.flask_app.app import WEBHOOK_PATH, create_app
from examples.flask_app.live import LIVE_SIGNALS

WSGIApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Deferred:
    """A WSGI app filled in after the server is bound (the app needs the port it runs on)."""

    def __init__(self) -> None:
        self.app: Optional[WSGIApp] = None

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "the app is not ready yet"
        return self.app(environ, start_response)


class QuietHandler(WSGIRequestHandler):
    """Logs each request without its query string: ``/callback?code=...`` carries a secret."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)


def bind(host: str, port: int) -> Tuple[BaseWSGIServer, _Deferred]:
    """Bind a threaded WSGI server now (``port`` 0 picks a free one); set ``.app`` later."""
    deferred = _Deferred()
    server = make_server(host, port, deferred, threaded=True, request_handler=QuietHandler)
    return server, deferred


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    server, deferred = bind(args.host, args.port)
    base = f"http://{args.host}:{server.server_port}"
    if os.environ.get("SMARTCAR_CLIENT_ID"):
        try:
            deferred.app = create_app()
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            server.server_close()
            return 2
        print(f"Open {base}/ (Smartcar credentials from the environment)", flush=True)
        return _serve(server)

    from smartcar.emulator import Emulator

    redirect_uri = os.environ.get("SMARTCAR_REDIRECT_URI") or f"{base}/callback"
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="smartcar-example-"))
        emu = stack.enter_context(Emulator(redirect_uris=[redirect_uri]))
        deferred.app = create_app(emulator_config(emu, redirect_uri, Path(tmp)))
        # VERIFY reaches the app once it serves: add the webhook from another thread.
        threading.Thread(
            target=add_example_webhook, args=(emu, base + WEBHOOK_PATH), daemon=True
        ).start()
        print(f"Smartcar emulator on {emu.origin}", flush=True)
        print(f"Open {base}/ and connect a car: any email and password work.", flush=True)
        print("Ctrl+C to stop.", flush=True)
        return _serve(server)


def emulator_config(emu: Any, redirect_uri: str, tmp: Path) -> Dict[str, Any]:
    """The app's settings for a running emulator (``smartcar.emulator.Emulator``)."""
    return {
        "SMARTCAR_CLIENT_ID": emu.client_id,
        "SMARTCAR_CLIENT_SECRET": emu.client_secret,
        "SMARTCAR_APPLICATION_ID": emu.v3.application_id,
        "SMARTCAR_MANAGEMENT_TOKEN": emu.v3.management_token,
        "SMARTCAR_REDIRECT_URI": redirect_uri,
        "TOKEN_DB": os.environ.get("TOKEN_DB") or str(tmp / "example.sqlite3"),
        "SECRET_KEY": os.environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32),
    }


def add_example_webhook(emu: Any, callback_uri: str, name: str = "Flask example") -> Any:
    """Configure the emulator's webhook for the example, as the Dashboard would: triggered by
    the doors, carrying the table's signals, auto-subscribing every connected vehicle. The
    emulator sends VERIFY first and enables it only if the app answers right."""
    hook = emu.v3.add_webhook(
        name,
        callback_uri,
        triggers=[LIVE_SIGNALS[0]],
        data=list(LIVE_SIGNALS),
        auto_subscribe=True,
    )
    if not hook.is_enabled:
        print(f"warning: the app did not answer the webhook's VERIFY at {callback_uri}", flush=True)
    return hook


def _serve(server: BaseWSGIServer) -> int:
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
