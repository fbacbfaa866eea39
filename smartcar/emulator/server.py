"""In-process serving: :class:`Emulator` runs the emulator's app on its HTTP/1.1 server
(:mod:`smartcar.emulator.http11`) from a background thread and points the SDK at it."""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from types import TracebackType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Type

from smartcar.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.faults import FaultSet, RateLimiter
from smartcar.emulator.http11 import BodyTooLarge, Server, SSLContextArg, read_chunked
from smartcar.emulator.middleware import RequestRecord
from smartcar.emulator.operations import Operations
from smartcar.emulator.state import DEFAULT_MANAGEMENT_TOKEN, EmulatorState, UsersSpec
from smartcar.emulator.v3.controls import V3Controls

__all__ = [
    "ORIGIN_CONSTANTS",
    "BodyTooLarge",
    "Emulator",
    "SSLContextArg",
    "read_chunked",
]

# smartcar.const name -> (environment variable of its origin, path after the origin); the
# emulator serves every one of these on its single origin.
ORIGIN_CONSTANTS: Dict[str, Tuple[str, str]] = {
    "API_URL": ("SMARTCAR_API_ORIGIN", "/v{version}"),
    "AUTH_URL": ("SMARTCAR_AUTH_ORIGIN", "/oauth/token"),
    "CONNECT_URL": ("SMARTCAR_CONNECT_ORIGIN", ""),
    "IAM_URL": ("SMARTCAR_IAM_ORIGIN", "/oauth2/token"),
    "VEHICLE_API_V3_URL": ("SMARTCAR_VEHICLE_API_V3_ORIGIN", "/v3"),
    "MANAGEMENT_API_V3_URL": ("SMARTCAR_MANAGEMENT_API_V3_ORIGIN", "/v3"),
    "MANAGEMENT_API_URL": ("SMARTCAR_MANAGEMENT_API_ORIGIN", "/v2.0/management"),
}
_MISSING = object()


class Emulator(Operations):
    """The emulator served on a free (or given) port from a background thread.

    ``with Emulator(seed=0) as emu:`` starts it, points every ``smartcar.const`` origin
    (:data:`ORIGIN_CONSTANTS`) at it and installs its clock as the SDK's
    (``smartcar.timeutil.set_clock``), and restores both and stops it on exit.
    ``ssl_context`` (an :class:`ssl.SSLContext` or ``(certfile, keyfile)``) serves HTTPS.
    """

    def __init__(
        self,
        seed: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Optional[Sequence[str]] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: SSLContextArg = None,
        users: Optional[UsersSpec] = None,
        log_requests: bool = False,
        trusted_hosts: Sequence[str] = (),
        patch_const: bool = True,
        app_name: str = "Emulated App",
        application_id: Optional[str] = None,
        management_token: str = DEFAULT_MANAGEMENT_TOKEN,
        latency: float = 0.0,
    ) -> None:
        self.app = EmulatorApp(
            seed=seed,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=redirect_uris,
            users=users,
            app_name=app_name,
            trusted_hosts=(host, *trusted_hosts),
            application_id=application_id,
            management_token=management_token,
        )
        self.app.latency = latency
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.log_requests = log_requests
        self.patch_const = patch_const
        self._server: Optional[Server] = None
        self._thread: Optional[threading.Thread] = None
        self._saved_const: Optional[Dict[str, Any]] = None
        self._saved_clock: Optional[Tuple[Optional[Callable[[], float]]]] = None

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> Emulator:
        """Start serving (idempotent) and, unless ``patch_const=False``, point the SDK here."""
        if self._server is not None:
            return self
        try:
            server = Server(self.app, self.host, self.port, self.ssl_context, self.log_requests)
        except SystemExit:  # werkzeug exits when it cannot bind
            raise OSError(f"cannot listen on {self.host}:{self.port}") from None
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"smartcar-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        if self.app.v3.webhooks():  # restarted after stop(): deliver again
            self.app.v3.deliveries.start()
        if self.patch_const:
            self._point_sdk()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and restore ``smartcar.const``."""
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.shutdown()
            server.server_close()
            server.close_connections()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self.app.close()
        finally:
            self._thread = None
            self._restore_sdk()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    def _point_sdk(self) -> None:
        """Point every ``smartcar.const`` origin here and make the SDK's clock ours."""
        try:
            const = importlib.import_module("smartcar.const")
            timeutil = importlib.import_module("smartcar.timeutil")
        except ImportError:
            return
        self._saved_const = {name: getattr(const, name, _MISSING) for name in ORIGIN_CONSTANTS}
        for name, value in self.urls().items():
            setattr(const, name, value)
        self._saved_clock = (timeutil.get_clock(),)
        timeutil.set_clock(self.app.clock.timestamp)

    def _restore_sdk(self) -> None:
        saved, self._saved_const = self._saved_const, None
        clock, self._saved_clock = self._saved_clock, None
        if clock is not None:
            importlib.import_module("smartcar.timeutil").set_clock(clock[0])
        if saved is None:
            return
        const = importlib.import_module("smartcar.const")
        for name, value in saved.items():
            if value is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(const, name)
            else:
                setattr(const, name, value)

    # ---------------------------------------------------------------- addresses
    @property
    def origin(self) -> str:
        """``http(s)://host:port`` of the running emulator."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        scheme = "https" if self.ssl_context is not None else "http"
        # A wildcard address is not one to connect to: name loopback instead.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``origin + "/v" +`` the SDK's API version in force (``/v1.0`` without the SDK)."""
        return self.urls()["API_URL"]

    @property
    def auth_url(self) -> str:
        return self.origin + "/oauth/token"

    @property
    def connect_url(self) -> str:
        return self.origin

    def urls(self) -> Dict[str, str]:
        """The value of each ``smartcar.const`` URL constant that points the SDK here."""
        version = "1.0"
        const = sys.modules.get("smartcar.const")
        if const is not None:
            version = str(getattr(const, "API_VERSION", version))
        origin = self.origin
        return {
            name: origin + path.format(version=version)
            for name, (_, path) in ORIGIN_CONSTANTS.items()
        }

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted since start (keep-alive keeps this low)."""
        if self._server is None:
            return 0
        return self._server.connections_accepted

    def environment(self) -> Dict[str, str]:
        """The ``SMARTCAR_*_ORIGIN`` variables that point an SDK process here (all of them),
        for this SDK and the official ones alike: each is the origin, except
        ``SMARTCAR_AUTH_ORIGIN``, the token URL (the official 6.x SDK posts to it as is;
        this SDK takes either form)."""
        env = {env_var: self.origin for env_var, _ in ORIGIN_CONSTANTS.values()}
        env["SMARTCAR_AUTH_ORIGIN"] = self.auth_url
        return env

    # ---------------------------------------------------------------- the app's state
    # (the operations shared with EmulatorApp, emu.vehicles() and the rest, are in
    # smartcar.emulator.operations)
    def _target(self) -> EmulatorApp:
        return self.app

    @property
    def redirect_uri(self) -> str:
        """The first registered redirect URI."""
        return self.app.redirect_uris[0]

    @property
    def v3(self) -> V3Controls:
        """The v3 side from Python: ``connect()``, ``add_vehicles(n)``, ``add_webhook()``,
        ``token_requests``, ``deliveries``... (see docs/emulator.md, "API v3")."""
        return self.app.v3

    @property
    def latency(self) -> float:
        """Seconds every request waits before its answer (0: none); requests wait in
        parallel (one server thread per connection)."""
        return self.app.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.app.latency = seconds

    @property
    def state(self) -> EmulatorState:
        """The shared service state (fleet, users, grants, codes, tokens, clock)."""
        return self.app.state

    @property
    def faults(self) -> FaultSet:
        return self.app.faults

    @property
    def rate_limits(self) -> RateLimiter:
        return self.app.rate_limits

    @property
    def request_log(self) -> List[RequestRecord]:
        return self.app.request_log

    def reset(self, keep_tokens: bool = False) -> None:
        """Faults, rate limits, log, clock, vehicles, sessions and codes back to the seed
        (tokens too unless ``keep_tokens``)."""
        self.app.reset(keep_tokens=keep_tokens)

    def auth_url_for(self, **params: Optional[str]) -> str:
        """A Connect URL for this app (for tests that do not use the SDK's AuthClient)."""
        from urllib.parse import urlencode

        query: Dict[str, str] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "approval_prompt": "auto",
        }
        query.update({key: value for key, value in params.items() if value is not None})
        return f"{self.origin}/oauth/authorize?{urlencode(query)}"

    def __repr__(self) -> str:
        where = self.origin if self._server is not None else "stopped"
        return f"<Emulator seed={self.seed} {where}>"
