"""WSGI middleware around the routes: the request log (outermost), scripted faults,
per-vehicle rate limits, and the admin guard. Each asks the :class:`Router` which surface
a path belongs to, so a fault or a 429 is worded in that surface's error form.

Order, outside in: ``RequestLog(Latency(FaultInjection(RateLimiting(router))))``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl

from smartcar.emulator import renderers
from smartcar.emulator._clock import Clock
from smartcar.emulator.faults import AppRateLimit, Fault, FaultSet, MonthlyAllowance, RateLimiter
from smartcar.emulator.guard import admin_refusal
from smartcar.emulator.problems import Problem
from smartcar.emulator.redact import redact_query
from smartcar.emulator.routes import Router
from smartcar.emulator.web import (
    DROP_KEY,
    HANDLER_KEY,
    RECORD_KEY,
    REQUEST_ID_HEADER,
    Req,
    iso,
    request_body,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@dataclass
class RequestRecord:
    """One request attempt as the emulator saw it (never tokens nor Authorization values).

    Recorded when the request arrives: ``status`` stays None while it is in flight (e.g.
    under a latency fault) and for a dropped connection (``dropped``). ``at`` is the
    emulated time and ``time`` the real POSIX time of arrival; ``duration`` is in seconds.
    """

    method: str
    path: str
    query: Dict[str, str]
    status: Optional[int]
    at: datetime
    time: float
    duration: float
    unit_system: Optional[str]
    request_id: Optional[str]
    vehicle_id: Optional[str] = None
    grant_type: Optional[str] = None
    action: Optional[str] = None
    fault: Optional[str] = None
    dropped: bool = False
    client_port: Optional[int] = None

    def to_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(self.at)
        return data


def _post_fields(request: Req) -> Tuple[Optional[str], Optional[str]]:
    """``(grant_type, action)`` a POST body names, for the log (no secrets)."""
    content_type = str(request.environ.get("CONTENT_TYPE", "")).lower()
    body = request_body(request.environ)
    if not body:
        return None, None
    if content_type.startswith("application/x-www-form-urlencoded"):
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return fields.get("grant_type") or None, None
    payload = request.json()
    action = payload.get("action") if isinstance(payload, dict) else None
    return None, action if isinstance(action, str) else None


class RequestLog:
    """Records every request on arrival in ``records`` (at most ``limit``, oldest dropped),
    completes it with status, request id and duration, and gives every answer an
    ``sc-request-id``."""

    def __init__(
        self,
        app: WSGIApplication,
        router: Router,
        clock: Clock,
        lock: threading.RLock,
        limit: Optional[int] = 200_000,
    ) -> None:
        self.app = app
        self.router = router
        self.clock = clock
        self.lock = lock
        self.limit = limit
        self.records: List[RequestRecord] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request = Req.of(environ)
        grant_type, action = _post_fields(request) if request.method == "POST" else (None, None)
        port = environ.get("REMOTE_PORT")
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query=redact_query(request.args),
            status=None,
            at=self.clock.now(),
            time=time.time(),
            duration=0.0,
            unit_system=request.header("sc-unit-system"),
            request_id=None,
            vehicle_id=self.router.surface_of(environ).vehicle_id(request.path),
            grant_type=grant_type,
            action=action,
            client_port=int(port) if port else None,
        )
        with self.lock:
            self.records.append(record)
            if self.limit is not None and len(self.records) > self.limit:
                del self.records[: len(self.records) - self.limit]
        environ[RECORD_KEY] = record

        def logged_start_response(
            status: str, headers: List[Tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            request_id = next(
                (value for name, value in headers if name.lower() == REQUEST_ID_HEADER), None
            )
            if request_id is None:
                request_id = str(uuid.uuid4())
                headers = [*headers, (REQUEST_ID_HEADER, request_id)]
            record.request_id = request_id
            if not environ.get(DROP_KEY):
                record.status = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        result = self.app(environ, logged_start_response)
        record.duration = time.perf_counter() - started
        return result


class FaultInjection:
    """Applies the first matching scripted fault: latency first, then a dropped
    connection, a scripted answer (in the surface's error form), or extra headers."""

    def __init__(self, app: WSGIApplication, router: Router, faults: FaultSet) -> None:
        self.app = app
        self.router = router
        self.faults = faults

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Req.of(environ)
        fault = self.faults.take(request.method, request.path)
        if fault is None:
            return self.app(environ, start_response)
        record: Optional[RequestRecord] = environ.get(RECORD_KEY)
        if record is not None:
            record.fault = fault.describe()
        if fault.latency:
            time.sleep(fault.latency)
        if fault.drop:
            if record is not None:
                record.dropped = True
            environ[DROP_KEY] = True
            if not environ.get(HANDLER_KEY):
                _shutdown(environ.get("werkzeug.socket"))
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if fault.status is not None:
            return self.router.surface_of(environ).render_fault(fault).send(start_response)
        extra: Dict[str, str] = {}
        if fault.retry_after is not None:
            extra["Retry-After"] = str(fault.retry_after)
        extra.update(fault.headers)

        def faulted_start_response(
            status: str, headers: List[Tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            names = {name.lower() for name in extra}
            kept = [(name, value) for name, value in headers if name.lower() not in names]
            return start_response(status, kept + list(extra.items()), exc_info)

        return self.app(environ, faulted_start_response)


class Latency:
    """Delays every request by ``seconds`` (real time) before it is answered. The server
    runs one thread per connection, so concurrent requests wait side by side."""

    def __init__(self, app: WSGIApplication, seconds: float = 0.0) -> None:
        self.app = app
        self.seconds = seconds

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.seconds > 0:
            time.sleep(self.seconds)
        return self.app(environ, start_response)


class RateLimiting:
    """What the service's limits answer, each in the surface's error form: the
    application-wide bucket (429 ``RATE_LIMIT``/``SMARTCAR_API`` with ``Retry-After``, for
    every API request), a vehicle over its rate limit (429 ``RATE_LIMIT``/``VEHICLE``), and
    a vehicle that spent its monthly allowance (430 ``BILLING``/``VEHICLE_REQUEST_LIMIT``).
    Every call naming a vehicle that gets through is counted for its month (a batch counts
    each of its requests)."""

    def __init__(
        self,
        app: WSGIApplication,
        router: Router,
        limits: RateLimiter,
        clock: Clock,
        app_limit: AppRateLimit,
        allowance: MonthlyAllowance,
    ) -> None:
        self.app = app
        self.router = router
        self.limits = limits
        self.clock = clock
        self.app_limit = app_limit
        self.allowance = allowance

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        surface = self.router.surface_of(environ)
        path = str(environ.get("PATH_INFO", "") or "/")
        if self.app_limit.active and is_api_path(path):
            retry = self.app_limit.take(self.clock.timestamp())
            if retry is not None:
                return surface.render_fault(app_rate_limited(retry)).send(start_response)
        vehicle_id = surface.vehicle_id(path)
        if vehicle_id is None:
            return self.app(environ, start_response)
        if self.limits.active:
            retry = self.limits.check(vehicle_id, self.clock.timestamp())
            if retry is not None:
                return surface.rate_limited(retry).send(start_response)
        if not self.allowance.spend(vehicle_id, month_of(self.clock.now()), _calls(environ)):
            return surface.render_fault(allowance_spent()).send(start_response)
        return self.app(environ, start_response)


def is_api_path(path: str) -> bool:
    """Whether ``path`` is an API request (v1.0, v2.0, v3, management), which the
    application-wide limit counts; Connect and the token endpoints are not."""
    return path.startswith(("/v1.0/", "/v2.0/", "/v3/")) or path in ("/v1.0", "/v2.0", "/v3")


def month_of(moment: datetime) -> str:
    """The billing month of ``moment``: ``"2026-12"`` (UTC)."""
    return f"{moment.year:04d}-{moment.month:02d}"


def _calls(environ: WSGIEnvironment) -> int:
    """Billed calls of a request: one, or one per request of a batch."""
    request = Req.of(environ)
    if request.method != "POST" or not request.path.rstrip("/").endswith("/batch"):
        return 1
    payload = request.json()
    items = payload.get("requests") if isinstance(payload, dict) else None
    return max(1, len(items)) if isinstance(items, list) else 1


def app_rate_limited(retry_after: int) -> Fault:
    """The answer of the application-wide limit, as a fault every surface can render."""
    return Fault(
        pattern="*",
        status=429,
        error="rate_limit_error",
        code="SMARTCAR_API",
        message="The application reached its request rate limit; retry after Retry-After.",
        retry_after=retry_after,
    )


def allowance_spent() -> Fault:
    """The answer for a vehicle that spent its monthly allowance (430)."""
    return Fault(
        pattern="*",
        status=430,
        error="monthly_limit_exceeded",
        code="VEHICLE_REQUEST_LIMIT",
        message="The vehicle reached its request limit for this billing period.",
    )


class AdminGuard:
    """Refuses (403) cross-site and foreign-Host requests before they reach the admin app."""

    def __init__(self, app: WSGIApplication, trusted_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted_hosts = tuple(trusted_hosts)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        refusal = admin_refusal(environ, self.trusted_hosts)
        if refusal is not None:
            return renderers.ADMIN.problem(Problem("PERMISSION", refusal)).send(start_response)
        return self.app(environ, start_response)


def _shutdown(sock: Any) -> None:
    """Close a client connection abruptly (to emulate a dropped connection)."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
