"""Scriptable faults and per-vehicle rate limits."""

from __future__ import annotations

import fnmatch
import itertools
import json
import math
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Mapping, Optional, Tuple, Union

from smartcar.emulator import bounds

BodyType = Union[str, bytes, Dict[str, Any], List[Any], None]

# The v1.0 error of each status the emulator can be asked to answer with.
DEFAULT_ERRORS: Dict[int, Tuple[str, str]] = {
    400: ("validation_error", "Request invalid or malformed. Please check for missing parameters."),
    401: ("authentication_error", "Invalid or expired token provided."),
    403: ("permission_error", "Insufficient permissions to access requested resource."),
    404: ("resource_not_found_error", "The requested resource does not exist."),
    409: ("vehicle_state_error", "The vehicle cannot perform the request in its current state."),
    429: ("rate_limit_error", "You have reached the throttling rate limit for this vehicle."),
    430: ("monthly_limit_exceeded", "You have reached the monthly request limit for this vehicle."),
    500: ("server_error", "Unexpected server error. Please try again."),
    501: ("vehicle_not_capable_error", "The vehicle is not capable of performing this request."),
    504: ("gateway_timeout_error", "The request to the vehicle timed out."),
}
# The v2.0/v3 error type a bare fault status answers with.
STATUS_TYPES: Dict[int, str] = {
    400: "VALIDATION", 401: "AUTHENTICATION", 403: "PERMISSION", 404: "RESOURCE_NOT_FOUND",
    409: "VEHICLE_STATE", 429: "RATE_LIMIT", 430: "BILLING", 500: "SERVER",
    501: "COMPATIBILITY", 502: "UPSTREAM", 503: "SERVER", 504: "UPSTREAM",
}  # fmt: skip
# The v1.0 error names a fault may use, and the v2.0/v3 (type, code) each stands for.
V1_ERROR_TYPES: Dict[str, Tuple[str, Optional[str]]] = {
    "validation_error": ("VALIDATION", None),
    "authentication_error": ("AUTHENTICATION", None),
    "permission_error": ("PERMISSION", None),
    "resource_not_found_error": ("RESOURCE_NOT_FOUND", None),
    "vehicle_state_error": ("VEHICLE_STATE", None),
    "rate_limit_error": ("RATE_LIMIT", None),
    "monthly_limit_exceeded": ("BILLING", None),
    "server_error": ("SERVER", None),
    "vehicle_not_capable_error": ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE"),
    "smartcar_not_capable_error": ("COMPATIBILITY", "SMARTCAR_NOT_CAPABLE"),
    "gateway_timeout_error": ("UPSTREAM", "NO_RESPONSE"),
}
NOT_CAPABLE_ERRORS = ("vehicle_not_capable_error", "smartcar_not_capable_error")
SMARTCAR_NOT_CAPABLE_MESSAGE = "Smartcar does not support this request for this vehicle's make."

_HTML_TEMPLATE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>emulated load balancer</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


@dataclass
class Fault:
    """One scripted misbehaviour for requests whose path matches ``pattern``.

    ``count`` is how many matching requests it affects (``None``: all, until removed).
    """

    pattern: str
    status: Optional[int] = None
    count: Optional[int] = 1
    latency: float = 0.0
    drop: bool = False
    retry_after: Optional[Union[int, float, str]] = None
    body: BodyType = None
    method: Optional[str] = None
    error: Optional[str] = None
    code: Optional[str] = None
    message: Optional[str] = None
    headers: Dict[str, str] = field(default_factory=dict)
    content_type: Optional[str] = None
    id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.pattern)

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.hits >= self.count

    @property
    def remaining(self) -> Optional[int]:
        return None if self.count is None else max(0, self.count - self.hits)

    def describe(self) -> str:
        parts = []
        if self.drop:
            parts.append("drop")
        if self.status is not None:
            parts.append(str(self.status))
        if self.latency:
            parts.append(f"+{self.latency:g}s")
        if self.retry_after is not None:
            parts.append(f"retry-after={self.retry_after}")
        return " ".join(parts) or "noop"

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "pattern": self.pattern,
            "method": self.method,
            "status": self.status,
            "count": self.count,
            "remaining": self.remaining,
            "hits": self.hits,
            "latency": self.latency,
            "drop": self.drop,
            "retry_after": self.retry_after,
            "error": self.error,
            "code": self.code,
        }

    def render(self, oauth: bool = False) -> Tuple[int, Dict[str, str], bytes]:
        """The status, headers and body of the faulted response (``status`` must be set)."""
        status = self.status if self.status is not None else 500
        headers: Dict[str, str] = {}
        if self.body is not None:
            if isinstance(self.body, (dict, list)):
                data = json.dumps(self.body).encode()
                content_type = "application/json"
            elif isinstance(self.body, str):
                data = self.body.encode()
                content_type = "text/plain; charset=utf-8"
            else:
                data = self.body
                content_type = "application/octet-stream"
        elif status in _REASONS and self.error is None:
            data = _HTML_TEMPLATE.format(code=status, reason=_REASONS[status]).encode()
            content_type = "text/html"
        elif status == 504 and self.error is None:
            data = b"upstream request timeout"
            content_type = "text/plain"
        else:
            payload = error_body(status, self.error, self.message, self.code, oauth)
            if "message" in payload:  # a v1.0 body: the 6.x SDK reads these two from it
                request_id = str(uuid.uuid4())
                payload["statusCode"] = status
                payload["requestId"] = request_id
                headers["sc-request-id"] = request_id
            data = json.dumps(payload).encode()
            content_type = "application/json"
        headers["Content-Type"] = self.content_type or content_type
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        headers.update(self.headers)
        return status, headers, data


def error_body(
    status: int,
    error: Optional[str] = None,
    message: Optional[str] = None,
    code: Optional[str] = None,
    oauth: bool = False,
) -> Dict[str, Any]:
    """A v1.0 (or, for the token endpoint's 400/401, OAuth) error body for ``status``."""
    default_error, default_message = DEFAULT_ERRORS.get(
        status, ("emulated_error", "Emulated error.")
    )
    if oauth and status in (400, 401):
        return {
            "error": error or ("invalid_grant" if status == 400 else "invalid_client"),
            "error_description": message or "Emulated OAuth error.",
        }
    if error == "smartcar_not_capable_error" and message is None:
        message = SMARTCAR_NOT_CAPABLE_MESSAGE
    body: Dict[str, Any] = {"error": error or default_error, "message": message or default_message}
    if code is None and status == 409:
        code = "VS_001"
    if code is not None:
        body["code"] = code
    return body


class FaultSet:
    """The active faults. ``add`` one; the first unexhausted match applies to a request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: List[Fault] = []
        self._ids = itertools.count(1)

    def add(
        self,
        pattern: str = "*",
        status: Optional[int] = None,
        count: Optional[int] = 1,
        latency: float = 0.0,
        drop: bool = False,
        retry_after: Optional[Union[int, float, str]] = None,
        body: BodyType = None,
        method: Optional[str] = None,
        error: Optional[str] = None,
        code: Optional[str] = None,
        message: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
    ) -> Fault:
        """Script the next ``count`` requests matching ``pattern`` (fnmatch on the URL path,
        e.g. ``/v1.0/vehicles/*/odometer``) and ``method``:

        - ``status``: answer with it (default bodies: v1.0 errors, HTML for 502/503, plain
          text for 504; ``error="smartcar_not_capable_error"`` picks the other 501 kind);
        - ``latency``: wait that many seconds first;
        - ``drop``: close the connection without any response;
        - ``retry_after``: add a ``Retry-After`` header;
        - ``body`` (str, bytes, or JSON-able) / ``headers`` / ``content_type``: raw overrides.
        """
        count = bounds.count(count, "count")
        latency = bounds.seconds(latency, "latency")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise ValueError("status must be an HTTP status code")
        fault = Fault(
            pattern=pattern,
            status=None if status is None else int(status),
            count=count,
            latency=float(latency),
            drop=bool(drop),
            retry_after=retry_after,
            body=body,
            method=method.upper() if method else None,
            error=error,
            code=code,
            message=message,
            headers=dict(headers or {}),
            content_type=content_type,
        )
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Optional[Fault]:
        """The fault for this request, counting it as used (or None)."""
        with self._lock:
            for fault in self._faults:
                if not fault.exhausted and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def remove(self, fault: Union[Fault, int]) -> None:
        fault_id = fault.id if isinstance(fault, Fault) else fault
        with self._lock:
            self._faults = [item for item in self._faults if item.id != fault_id]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> List[Fault]:
        """Faults that will still apply to some request."""
        with self._lock:
            return [fault for fault in self._faults if not fault.exhausted]

    def __iter__(self) -> Any:
        return iter(self.active)

    def __len__(self) -> int:
        return len(self.active)


class RateLimiter:
    """Per-vehicle request budgets: at most N requests per rolling second of emulated time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits: Dict[Optional[str], float] = {}
        self._windows: Dict[str, Deque[float]] = {}

    def set(self, vehicle_id: Optional[str], per_second: Optional[float]) -> None:
        with self._lock:
            if per_second is None:
                self._limits.pop(vehicle_id, None)
            else:
                rate = bounds.number(per_second, "per_second", 0.0, bounds.MAX_PER_SECOND)
                if rate <= 0:
                    raise ValueError("per_second must be > 0")
                self._limits[vehicle_id] = rate
            self._windows.clear()

    def clear(self) -> None:
        with self._lock:
            self._limits.clear()
            self._windows.clear()

    @property
    def active(self) -> bool:
        """Whether any limit is set (a plain read: the hot path skips the lock)."""
        return bool(self._limits)

    def limits(self) -> Dict[Optional[str], float]:
        with self._lock:
            return dict(self._limits)

    def check(self, vehicle_id: str, now: float) -> Optional[int]:
        """Count a request; None when allowed, else the ``Retry-After`` seconds."""
        with self._lock:
            limit = self._limits.get(vehicle_id, self._limits.get(None))
            if limit is None:
                return None
            # N per second; below one per second, one per 1/N seconds.
            allowed, span = (int(limit), 1.0) if limit >= 1 else (1, 1.0 / limit)
            window = self._windows.setdefault(vehicle_id, deque())
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= allowed:
                return max(1, math.ceil(window[0] + span - now))
            window.append(now)
            return None


class AppRateLimit:
    """Smartcar's application-wide token bucket (``RATE_LIMIT``/``SMARTCAR_API``): up to
    ``capacity`` API requests at once, refilled at ``refill_per_minute`` on the emulated
    clock. Off until :meth:`set`; the service's default is 120 refilling at 2 a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.capacity: Optional[int] = None
        self.refill_per_minute = 2.0
        self._tokens = 0.0
        self._updated = 0.0

    @property
    def active(self) -> bool:
        return self.capacity is not None

    def set(
        self, capacity: Optional[int], refill_per_minute: float = 2.0, now: float = 0.0
    ) -> None:
        """A full bucket of ``capacity`` (None: no application limit)."""
        if capacity is not None:
            capacity = bounds.integer(capacity, "capacity", 0, 1_000_000)
        rate = bounds.number(refill_per_minute, "refill_per_minute", 0.0, 1_000_000.0)
        with self._lock:
            self.capacity = capacity
            self.refill_per_minute = rate
            self._tokens = float(capacity or 0)
            self._updated = now

    def clear(self) -> None:
        self.set(None)

    def take(self, now: float) -> Optional[int]:
        """Spend one request; None when allowed, else the ``Retry-After`` seconds."""
        with self._lock:
            if self.capacity is None:
                return None
            per_second = self.refill_per_minute / 60.0
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self.capacity), self._tokens + elapsed * per_second)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            if per_second <= 0:
                return 3600
            return max(1, math.ceil((1.0 - self._tokens) / per_second))


class MonthlyAllowance:
    """Billed calls per vehicle and calendar month (UTC, emulated clock), and the plan's
    allowance (``BILLING``/``VEHICLE_REQUEST_LIMIT``, 430, once a vehicle has spent it).
    Calls are counted whether or not an allowance is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits: Dict[Optional[str], int] = {}
        self._used: Dict[Tuple[str, str], int] = {}

    def set(self, calls: Optional[int], vehicle_id: Optional[str] = None) -> None:
        """At most ``calls`` a month for ``vehicle_id`` (None: every vehicle without its
        own); ``calls=None`` lifts it."""
        with self._lock:
            if calls is None:
                self._limits.pop(vehicle_id, None)
            else:
                self._limits[vehicle_id] = bounds.integer(calls, "calls", 0, 10**9)

    def clear(self) -> None:
        with self._lock:
            self._limits.clear()
            self._used.clear()

    def used(self, vehicle_id: str, month: str) -> int:
        """Calls counted for ``vehicle_id`` in ``month`` (``"2026-12"``)."""
        with self._lock:
            return self._used.get((vehicle_id, month), 0)

    def spend(self, vehicle_id: str, month: str, calls: int = 1) -> bool:
        """Count ``calls`` unless the vehicle's allowance is spent; whether they were."""
        with self._lock:
            key = (vehicle_id, month)
            used = self._used.get(key, 0)
            limit = self._limits.get(vehicle_id, self._limits.get(None))
            if limit is not None and used + calls > limit:
                return False
            self._used[key] = used + calls
            return True
