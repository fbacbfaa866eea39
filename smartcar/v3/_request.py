"""``Client.request()`` / ``Vehicle.request()``: any v3 endpoint, for those the SDK does not
name yet, sent the way every other call is.

The request carries the application token (and, for a vehicle, its user's ``sc-user-id``),
goes through the same :class:`~smartcar.v3._http.Transport` (one fresh token and one repeat
after a 401 that refused the token), decodes errors into the same exceptions, and is repeated
after a 429/502/503 only when it is a read (``GET``). The token is sent to the v3 origins only.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

from .._answers import ApiResponse
from .._endpoints import REPLAY, REPLAY_IF_REFUSED, Endpoint
from .._endpoints.v3 import SERVICE
from ._http import USER_ID_HEADER, Transport

__all__ = ["METHODS", "send"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_READS = ("GET",)
_SCALARS = (str, int, float)


def send(
    transport: Transport,
    method: Any,
    url: str,
    *,
    body: Any = None,
    params: Any = None,
    headers: Any = None,
    user_id: Optional[str] = None,
) -> ApiResponse:
    """Send ``method url`` (``url`` already resolved and checked) and return its 2xx answer.

    Raises:
        ValueError: a bad ``method``, a header that cannot be sent, ``Authorization`` among
            ``headers`` (or ``sc-user-id`` when the user is given), or a body that is not
            JSON.
        TypeError: ``params`` or ``headers`` of the wrong shape.
        SmartcarException: the subclass the error answer maps to.
    """
    verb = check_method(method)
    reserved = ("authorization",) + ((USER_ID_HEADER,) if user_id is not None else ())
    read = verb in _READS
    described = Endpoint(
        verb,
        "",
        repeatable=read,
        on_401=REPLAY if read else REPLAY_IF_REFUSED,
        auth="app",
        service=SERVICE,
    )
    return transport.call(
        described,
        url=url,
        user_id=user_id,
        params=_params(params),
        json_body=body,
        headers=_headers(headers, reserved),
    )


def check_method(method: Any) -> str:
    """Return ``method`` upper-cased.

    Raises:
        ValueError: not one of GET, POST, PUT, PATCH, DELETE.
    """
    verb = method.strip().upper() if isinstance(method, str) else None
    if verb not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    return verb


def check_path(path: Any) -> str:
    """Return ``path`` without its leading ``/`` (``""`` for the base itself).

    Raises:
        ValueError: ``path`` is not a string, holds a query or fragment (use ``params``),
            whitespace, non-ASCII or control characters, or a ``.``/``..`` segment.
    """
    if not isinstance(path, str):
        raise ValueError("path must be a string such as 'signals/charge-voltage'")
    if not path.isascii() or not path.isprintable() or any(c in path for c in " ?#\\"):
        raise ValueError(
            "path must hold printable ASCII without spaces, '?' or '#' (put the query in params)"
        )
    segments = path.strip("/").split("/")
    if any(segment in (".", "..") for segment in segments):
        raise ValueError("path must not hold '.' or '..' segments")
    return path.lstrip("/")


def under(base: str, path: Any) -> str:
    """Return the URL of ``path`` below ``base`` (checked as :func:`check_path` says)."""
    relative = check_path(path)
    return f"{base}/{relative}" if relative else base


def _params(params: Any) -> Optional[Dict[str, Any]]:
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping, not {type(params).__name__}")
    query: Dict[str, Any] = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError("params keys must be strings")
        values: Sequence[Any] = value if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(item, _SCALARS) for item in values):
            raise TypeError(f"params[{key!r}] must be a string, number or bool, or a list of them")
        texts = [_text(item) for item in values]
        query[key] = texts if isinstance(value, (list, tuple)) else texts[0]
    return query


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _headers(headers: Any, reserved: Sequence[str]) -> Optional[Dict[str, str]]:
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping, not {type(headers).__name__}")
    checked: Dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers names and values must be strings")
        if name.strip().lower() in reserved:
            raise ValueError(f"headers must not set {name.strip()}: the SDK sends it")
        checked[name] = value
    return checked
