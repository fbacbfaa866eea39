"""Errors as the emulated service means them, before any API version words them.

Routes and the state raise :class:`Problem` with one of Smartcar's error types (the v2/v3
``type`` names) and, where the service distinguishes cases, a code; each surface renders
it in its own body shape (v1.0 ``{error, message, code}``, v2.0 ``{type, code, ...}``).
"""

from __future__ import annotations

from typing import Dict, Optional

# type -> HTTP status (spec 7.3)
STATUSES: Dict[str, int] = {
    "CONNECTED_SERVICES_ACCOUNT": 400,
    "VALIDATION": 400,
    "AUTHENTICATION": 401,
    "PERMISSION": 403,
    "RESOURCE_NOT_FOUND": 404,
    "VEHICLE_STATE": 409,
    "RATE_LIMIT": 429,
    "BILLING": 430,
    "SERVER": 500,
    "COMPATIBILITY": 501,
    "UPSTREAM": 502,
}


class Problem(Exception):
    """A failed request: ``type`` (a key of :data:`STATUSES`), an optional ``code``
    (``"CHARGING_PLUG_NOT_CONNECTED"``, ``"SMARTCAR_NOT_CAPABLE"``...), a message, and
    ``status`` when it differs from the type's (405 for a wrong method)."""

    def __init__(
        self,
        type: str,
        message: str,
        code: Optional[str] = None,
        status: Optional[int] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(message)
        if type not in STATUSES:
            raise ValueError(f"unknown error type {type!r}")
        self.type = type
        self.message = message
        self.code = code
        self.status = status if status is not None else STATUSES[type]
        self.headers = dict(headers or {})


def method_not_allowed(method: str, allowed: str = "") -> Problem:
    where = f" on {allowed}" if allowed else " here"
    return Problem("VALIDATION", f"Method {method} is not allowed{where}.", status=405)


def require_method(method: str, *allowed: str) -> None:
    """Raise a 405 Problem unless ``method`` is one of ``allowed`` (HEAD passes for GET)."""
    if method not in allowed and not (method == "HEAD" and "GET" in allowed):
        raise method_not_allowed(method)
