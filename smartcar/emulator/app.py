"""The emulator's WSGI application, assembled: the shared state, every surface behind one
router, the middleware (request log, faults, rate limits), and the admin endpoints.

Where things live:

- :mod:`smartcar.emulator.state`: fleet, users, grants, codes, tokens, clock;
- :mod:`smartcar.emulator.routes`: one module per surface (Connect, OAuth, v1.0, ...),
  registered in :func:`smartcar.emulator.routes.build_surfaces`;
- :mod:`smartcar.emulator.middleware`: the request log, faults, rate limits, admin guard;
- :mod:`smartcar.emulator.http11`: the keep-alive HTTP/1.1 server;
- :mod:`smartcar.emulator.server`: :class:`~smartcar.emulator.Emulator`, which serves this
  app from a thread and points the SDK at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from smartcar.emulator import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, bounds
from smartcar.emulator.faults import AppRateLimit, FaultSet, MonthlyAllowance, RateLimiter
from smartcar.emulator.middleware import (
    AdminGuard,
    FaultInjection,
    Latency,
    RateLimiting,
    RequestLog,
    RequestRecord,
)
from smartcar.emulator.operations import Operations
from smartcar.emulator.routes import Router, Surface, build_surfaces
from smartcar.emulator.routes.admin import AdminApp, is_admin_path
from smartcar.emulator.routes.v1 import V1Surface
from smartcar.emulator.routes.v3 import V3Surface
from smartcar.emulator.state import (
    DEFAULT_MANAGEMENT_TOKEN,
    EmulatorState,
    UsersSpec,
    vehicle_state,
)
from smartcar.emulator.v3.controls import V3Controls
from smartcar.emulator.web import DROP_KEY, HANDLER_KEY, iso

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "DROP_KEY",
    "HANDLER_KEY",
    "EmulatorApp",
    "RequestRecord",
    "UsersSpec",
    "vehicle_state",
]


class EmulatorApp(Operations):
    """The emulated Smartcar as a WSGI application (serve it with any WSGI server; the
    :class:`~smartcar.emulator.Emulator` runs it on the emulator's own HTTP/1.1 server).

    ``users`` maps an email to its garage: a number of vehicles, or a list whose items are
    kinds (``"gas"``, ``"hybrid"``, ``"electric"``) or makes (``"TESLA"``). Any other email
    that signs in gets a seeded garage of its own (one of each kind plus up to two more).
    ``trusted_hosts``: host names besides ``localhost`` and IP literals that may drive the
    admin endpoints. ``management_token``: the application management token (AMT).
    """

    def __init__(
        self,
        seed: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Optional[Iterable[str]] = None,
        users: Optional[UsersSpec] = None,
        app_name: str = "Emulated App",
        log_limit: Optional[int] = 200_000,
        trusted_hosts: Iterable[str] = (),
        application_id: Optional[str] = None,
        management_token: str = DEFAULT_MANAGEMENT_TOKEN,
    ) -> None:
        self.state = EmulatorState(
            seed=seed,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=redirect_uris,
            users=users,
            app_name=app_name,
            application_id=application_id,
            management_token=management_token,
        )
        self.faults = FaultSet()
        self.rate_limits = RateLimiter()
        self.app_limit = AppRateLimit()
        self.allowance = MonthlyAllowance()
        self.surfaces: List[Surface] = build_surfaces(self.state)
        fallback = next(
            (item for item in self.surfaces if isinstance(item, V1Surface)), V1Surface(self.state)
        )
        self.router = Router(self.surfaces, fallback)
        limited = RateLimiting(
            self.router, self.router, self.rate_limits, self.clock, self.app_limit, self.allowance
        )
        faulted = FaultInjection(limited, self.router, self.faults)
        self._latency = Latency(faulted)
        self._log = RequestLog(self._latency, self.router, self.clock, self.state.lock, log_limit)
        v3 = next(item for item in self.surfaces if isinstance(item, V3Surface))
        self.v3 = V3Controls(v3.service, v3.deliveries, self.state)
        self._admin = AdminGuard(AdminApp(self), trusted_hosts)

    def _target(self) -> EmulatorApp:
        return self

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "") or "/")
        if is_admin_path(path):
            return self._admin(environ, start_response)
        return self._log(environ, start_response)

    # ------------------------------------------------------------------ configuration
    @property
    def users(self) -> Dict[str, Union[int, Sequence[str]]]:
        """The garage spec of each email (changes apply to garages not built yet)."""
        return self.state.users

    @property
    def app_name(self) -> str:
        return self.state.app_name

    @property
    def latency(self) -> float:
        """Seconds every request waits before it is answered (0: none); concurrent
        requests wait in parallel."""
        return self._latency.seconds

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency.seconds = bounds.seconds(seconds, "latency")

    def close(self) -> None:
        """Stop background work (the webhook worker)."""
        for surface in self.surfaces:
            close = getattr(surface, "close", None)
            if close is not None:
                close()

    @property
    def trusted_hosts(self) -> Tuple[str, ...]:
        return self._admin.trusted_hosts

    @property
    def request_log(self) -> List[RequestRecord]:
        """Every request attempt, in arrival order (admin calls excluded)."""
        return self._log.records

    @property
    def log_limit(self) -> Optional[int]:
        """At most this many records are kept (None: no limit)."""
        return self._log.limit

    @log_limit.setter
    def log_limit(self, value: Optional[int]) -> None:
        self._log.limit = value

    def clear_log(self) -> None:
        with self.state.lock:
            self._log.records.clear()

    def reset(self, keep_tokens: bool = False) -> None:
        """Back to the seed: vehicles, Connect sessions, codes, faults, rate limits, the log
        and the clock. Tokens are forgotten too unless ``keep_tokens``."""
        with self.state.lock:
            self.state.reset(keep_tokens=keep_tokens)
            self.faults.clear()
            self.rate_limits.clear()
            self.app_limit.clear()
            self.allowance.clear()
            self._log.records.clear()
            self._latency.seconds = 0.0
            for surface in self.surfaces:
                reset = getattr(surface, "reset", None)
                if reset is not None:
                    reset()

    def describe(self) -> Dict[str, Any]:
        """The app's configuration and dynamic state (admin ``GET /_emulator``)."""
        return {
            "seed": self.seed,
            "client_id": self.client_id,
            "redirect_uris": list(self.redirect_uris),
            "now": iso(self.clock.now()),
            "faults": [fault.to_json() for fault in self.faults.active],
            "rate_limits": {str(key): value for key, value in self.rate_limits.limits().items()},
            "requests_logged": len(self.request_log),
        }
