"""Run the Django example: migrate its database, then serve it.

With ``SMARTCAR_CLIENT_ID`` set, the app talks to Smartcar (or to the origins in
``SMARTCAR_*_ORIGIN``) with the ``SMARTCAR_*`` credentials from the environment. Without it,
a local Smartcar emulator starts in this process and the app uses it: no account needed.
The emulator also gets a webhook pointing at the app (enabled once the app answers its
VERIFY, auto-subscribing every connected vehicle), so locking a car pushes a signed event
to the page.

    python -m examples.django_app [--host 127.0.0.1] [--port 8000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, List, Optional

if __package__ in (None, ""):  # run as a script: make `examples` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from werkzeug.serving import make_server

from examples.flask_app.run import QuietHandler, _serve, add_example_webhook

WEBHOOK_PATH = "/smartcar/webhooks/"
CALLBACK_PATH = "/smartcar/callback/"


class _Deferred:
    """The WSGI app, set once Django is ready (the port must be known first)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    return parser.parse_args(argv)


def start_django() -> Any:
    """Set Django up with the example's settings, migrate, and return the WSGI app."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0)
    return get_wsgi_application()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    deferred = _Deferred()
    server = make_server(
        args.host, args.port, deferred, threaded=True, request_handler=QuietHandler
    )
    base = f"http://{args.host}:{server.server_port}"
    with contextlib.ExitStack() as stack:
        emu = None
        if not os.environ.get("SMARTCAR_CLIENT_ID"):
            from smartcar.emulator import Emulator

            redirect_uri = os.environ.get("SMARTCAR_REDIRECT_URI") or base + CALLBACK_PATH
            emu = stack.enter_context(Emulator(redirect_uris=[redirect_uri]))
            os.environ.update(emulator_environment(emu, redirect_uri))
            if not os.environ.get("EXAMPLE_DB") and not os.environ.get("DATABASE_URL"):
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="smartcar-django-"))
                os.environ["EXAMPLE_DB"] = str(Path(tmp) / "example.sqlite3")
        try:
            deferred.app = start_django()
        except Exception as error:  # a bad DATABASE_URL, an unreachable database...
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
            server.server_close()
            return 2
        if emu is not None:
            threading.Thread(
                target=add_example_webhook,
                args=(emu, base + WEBHOOK_PATH, "Django example"),
                daemon=True,
            ).start()
            print(f"Smartcar emulator on {emu.origin}", flush=True)
        print(f"Open {base}/ (Ctrl+C to stop)", flush=True)
        return _serve(server)


def emulator_environment(emu: Any, redirect_uri: str) -> dict:
    """The ``SMARTCAR_*`` variables that make the app use ``emu``."""
    return {
        "SMARTCAR_CLIENT_ID": emu.client_id,
        "SMARTCAR_CLIENT_SECRET": emu.client_secret,
        "SMARTCAR_APPLICATION_ID": emu.v3.application_id,
        "SMARTCAR_MANAGEMENT_TOKEN": emu.v3.management_token,
        "SMARTCAR_REDIRECT_URI": redirect_uri,
    }


if __name__ == "__main__":
    sys.exit(main())
