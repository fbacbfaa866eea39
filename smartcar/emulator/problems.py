"""Errors as the emulated service means them, before any surface words them.

Every handler of every surface (Connect, OAuth, v1.0, v2.0, v2 management, v3, v3
management, admin) raises :class:`Problem`: one of Smartcar's error types (the v2/v3
``type`` names), a message and, where the service distinguishes cases, a code (for the
token endpoints: the OAuth ``error`` name). The surface's route table picks the renderer
(:mod:`smartcar.emulator.renderers`) that words it: v1.0 ``{error, message, code}``, v2.0
``{type, code, ...}``, v3 ``{"errors": [...]}``, OAuth ``{error, error_description}``,
admin ``{error, message}`` or a Connect error page.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

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
    (``"CHARGING_PLUG_NOT_CONNECTED"``, ``"invalid_grant"``...), a message (empty: the
    renderer's default text), and ``status`` when it differs from the type's (405 for a
    wrong method).

    ``title`` heads a page (Connect); ``source`` says where in the request the fault lies
    (``{"pointer": "/data/attributes/percent"}`` or ``{"parameter": "page[size]"}``);
    ``more`` holds further problems of the same request (a renderer that lists errors
    lists them all, the others word the first).
    """

    def __init__(
        self,
        type: str,
        message: str = "",
        code: Optional[str] = None,
        status: Optional[int] = None,
        headers: Optional[Dict[str, str]] = None,
        *,
        title: Optional[str] = None,
        source: Optional[Mapping[str, str]] = None,
        more: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        if type not in STATUSES:
            raise ValueError(f"unknown error type {type!r}")
        self.type = type
        self.message = message
        self.code = code
        self.status = status if status is not None else STATUSES[type]
        self.headers = dict(headers or {})
        self.title = title
        self.source = dict(source) if source is not None else None
        self.more = tuple(more)

    @classmethod
    def all(cls, problems: Sequence[Problem]) -> Problem:
        """One problem standing for ``problems`` (at least one): the first, with the rest
        as :attr:`more`."""
        first = problems[0]
        return cls(
            first.type,
            first.message,
            first.code,
            first.status,
            first.headers,
            title=first.title,
            source=first.source,
            more=[*first.more, *problems[1:]],
        )

    def each(self) -> Sequence[Problem]:
        """This problem and :attr:`more`, in order."""
        return (self, *self.more)


def unexpected(exc: BaseException) -> Problem:
    """The 500 SERVER problem an emulator bug answers with (never a raw traceback)."""
    return Problem("SERVER", f"Emulator bug: {exc!r}", "INTERNAL")


def method_not_allowed(method: str, allowed: str = "") -> Problem:
    where = f" on {allowed}" if allowed else " here"
    return Problem("VALIDATION", f"Method {method} is not allowed{where}.", status=405)


def require_method(method: str, *allowed: str) -> None:
    """Raise a 405 Problem unless ``method`` is one of ``allowed`` (HEAD passes for GET)."""
    if method not in allowed and not (method == "HEAD" and "GET" in allowed):
        raise method_not_allowed(method)
