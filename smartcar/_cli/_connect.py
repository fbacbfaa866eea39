"""A one-shot loopback HTTP listener that catches Connect's redirect for ``smartcar connect``."""

from __future__ import annotations

import http.server
import threading
from types import TracebackType
from typing import Any, Optional, Type

__all__ = ["RedirectListener"]

_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>smartcar connect</title>"
    b"<p>Done: you can close this tab and go back to the terminal.</p>"
)


class RedirectListener:
    """Listens on ``http://127.0.0.1:PORT/PATH`` until one redirect arrives.

    Use as a context manager; :meth:`wait` returns the full redirect URL (query included).
    Requests to other paths are answered 404 and ignored.
    """

    def __init__(self, port: int, path: str) -> None:
        self.path = path if path.startswith("/") else "/" + path
        self._arrived = threading.Event()
        self._url: Optional[str] = None
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != listener.path or listener._arrived.is_set():
                    self.send_error(404)
                    return
                listener._url = f"{listener.redirect_uri}?{self.path.partition('?')[2]}"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_PAGE)))
                self.end_headers()
                self.wfile.write(_PAGE)
                listener._arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                return None  # the query holds the code: never log it

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        """The redirect URI to register and to send to Connect."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def __enter__(self) -> RedirectListener:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, timeout: float) -> str:
        """Return the redirect URL once it arrived.

        Raises:
            TimeoutError: none arrived within ``timeout`` seconds.
        """
        if not self._arrived.wait(timeout) or self._url is None:
            raise TimeoutError(f"no redirect arrived within {timeout:g} s")
        return self._url
