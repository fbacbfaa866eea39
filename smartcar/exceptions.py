"""Exceptions raised by the SDK, and the one place where HTTP statuses become exceptions.

Hierarchy::

    SmartcarException                     every error the public API raises
    ├── ValidationException               400 validation_error
    ├── AuthenticationException           401 authentication_error (and OAuth invalid_client)
    │   └── ReauthorizationRequired       refresh token rejected: the user must reconnect
    ├── PermissionException               403 permission_error
    ├── ResourceNotFoundException         404 resource_not_found_error
    ├── StateException                    409 vehicle_state_error (``str()`` is "CODE: message")
    ├── RateLimitingException             429 rate_limit_error (``retry_after`` in seconds)
    ├── MonthlyLimitExceeded              430 monthly_limit_exceeded
    ├── ServerException                   500, and any other 5xx without its own class
    ├── VehicleNotCapableException        501 vehicle_not_capable_error (or no error type)
    ├── SmartcarNotCapableException       501 smartcar_not_capable_error
    ├── GatewayTimeoutException           504 (often a plain-text body from a gateway)
    ├── NetworkException                  no HTTP answer (``__cause__``: the requests error)
    │   ├── SmartcarConnectionError       could not connect, or the connection dropped
    │   └── SmartcarTimeout               connect or read timeout
    └── TokenStoreException               a token store is unreachable or holds a corrupt record

Every instance has the attributes ``message``, ``status_code``, ``error``, ``code``,
``request_id``, ``retry_after``, ``body`` and ``response``; absent values are ``None``.
No secret (token, client secret, authorization code, ``Authorization`` header) is ever part of
``str()`` or ``repr()``.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type

__all__ = [
    "AuthenticationException",
    "GatewayTimeoutException",
    "MonthlyLimitExceeded",
    "NetworkException",
    "PermissionException",
    "RateLimitingException",
    "ReauthorizationRequired",
    "ResourceNotFoundException",
    "ServerException",
    "SmartcarConnectionError",
    "SmartcarException",
    "SmartcarNotCapableException",
    "SmartcarTimeout",
    "StateException",
    "TokenStoreException",
    "ValidationException",
    "VehicleNotCapableException",
    "exception_for_response",
]

_MAX_MESSAGE_LENGTH = 500
# The attributes besides ``message``, ``body`` and ``response``, in the order ``repr`` shows them.
_DETAILS = ("status_code", "error", "code", "request_id", "retry_after")


class SmartcarException(Exception):
    """Base class of every exception raised by the SDK.

    For compatibility with smartcar 4.3, ``SmartcarException(response)`` (a ``requests``
    response) is accepted too and is read like any error response.
    """

    message: str
    status_code: Optional[int]
    error: Optional[str]
    code: Optional[str]
    request_id: Optional[str]
    retry_after: Optional[float]
    body: Any
    response: Any

    def __init__(
        self,
        message: Any = "Unknown error",
        *,
        status_code: Optional[int] = None,
        error: Optional[str] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        body: Any = None,
        response: Any = None,
    ) -> None:
        if _looks_like_response(message):
            built = _exception_from_response(message)
            message, body, response = built.message, built.body, built.response
            status_code, error, code, request_id, retry_after = (
                getattr(built, name) for name in _DETAILS
            )
        self.message = str(message)
        self.status_code = status_code
        self.error = error
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body
        self.response = response
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        fields = [f"message={self.message!r}"]
        for name in _DETAILS:
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        # The body goes as JSON text: pickle recurses deeper than json for nested bodies.
        # The response object is not picklable in general and stays behind.
        import json

        state = {name: getattr(self, name) for name in _DETAILS}
        return (_rebuild, (type(self), self.message, state, json.dumps(self.body)))


def _rebuild(
    cls: Type[SmartcarException], message: str, state: Dict[str, Any], body_json: str
) -> Any:
    import json

    return cls(message, body=json.loads(body_json), **state)


class ValidationException(SmartcarException):
    """400: the request was malformed (``validation_error``)."""


class AuthenticationException(SmartcarException):
    """401: the access token or the app credentials were rejected."""


class ReauthorizationRequired(AuthenticationException):
    """The refresh token was rejected (``invalid_grant``): the user must connect again."""


class PermissionException(SmartcarException):
    """403: the token lacks the permission this call needs (``permission_error``)."""


class ResourceNotFoundException(SmartcarException):
    """404: unknown vehicle or path (``resource_not_found_error``)."""


class StateException(SmartcarException):
    """409: the vehicle is in a state that prevents the request (``vehicle_state_error``).

    ``str()`` is ``"CODE: message"`` when the service sent a code, as in smartcar 4.3.
    """

    def __str__(self) -> str:
        if self.code:
            return f"{self.code}: {self.message}"
        return self.message


class RateLimitingException(SmartcarException):
    """429: too many requests; ``retry_after`` tells how many seconds to wait, if known."""


class MonthlyLimitExceeded(SmartcarException):
    """430: the vehicle's monthly request limit is used up."""


class ServerException(SmartcarException):
    """500 and any other 5xx without a class of its own (502 and 503 included)."""


class VehicleNotCapableException(SmartcarException):
    """501: the vehicle cannot do this (``vehicle_not_capable_error``)."""


class SmartcarNotCapableException(SmartcarException):
    """501: Smartcar does not support this for the vehicle (``smartcar_not_capable_error``)."""


class GatewayTimeoutException(SmartcarException):
    """504: the vehicle did not answer in time."""


class NetworkException(SmartcarException):
    """No HTTP answer was received; ``__cause__`` holds the underlying ``requests`` error."""


class SmartcarConnectionError(NetworkException):
    """The connection could not be established, or it broke before an answer arrived."""


class SmartcarTimeout(NetworkException):
    """The connect or read timeout passed before an answer arrived."""


class TokenStoreException(SmartcarException):
    """A token store could not be reached, or holds a record that cannot be read."""


_BY_STATUS: Dict[int, Type[SmartcarException]] = {
    400: ValidationException,
    401: AuthenticationException,
    403: PermissionException,
    404: ResourceNotFoundException,
    409: StateException,
    429: RateLimitingException,
    430: MonthlyLimitExceeded,
    500: ServerException,
    501: VehicleNotCapableException,
    504: GatewayTimeoutException,
}


def exception_class_for(status_code: int, error: Optional[str]) -> Type[SmartcarException]:
    """Return the exception class for a non-2xx status and the body's error type."""
    if status_code == 501 and error == "smartcar_not_capable_error":
        return SmartcarNotCapableException
    cls = _BY_STATUS.get(status_code)
    if cls is not None:
        return cls
    if 500 <= status_code <= 599:
        return ServerException
    return SmartcarException


def exception_for_response(
    status_code: int,
    headers: Mapping[str, str],
    body: Any,
    text: str,
    response: Any = None,
    reason: Optional[str] = None,
    secrets: Iterable[Optional[str]] = (),
) -> SmartcarException:
    """Build the exception for an error answer.

    ``body`` is the parsed JSON (or ``None`` when the body was not JSON) and ``text`` the body
    decoded as text. Any body is accepted: v1.0, OAuth and v2.0 error objects, HTML, plain
    text, empty, ``null``, arrays, truncated JSON. Each of ``secrets`` found in a string
    the exception shows is replaced by ``[REDACTED]`` before any shortening.
    """
    hidden = [secret for secret in secrets if secret and len(secret) >= 4]

    def clean(value: Any) -> Optional[str]:
        return _shown(_raw_string(value), hidden)

    error = code = message = request_id = None
    if isinstance(body, dict):
        error = clean(body.get("error")) or clean(body.get("type"))
        code = clean(body.get("code"))
        message = (
            clean(body.get("message"))
            or clean(body.get("error_description"))
            or clean(body.get("description"))
        )
        request_id = clean(body.get("requestId"))
    if not message:
        message = _shown(_message_from_text(text), hidden) or _fallback_message(
            status_code, reason, error
        )
    request_id = clean(_header(headers, "sc-request-id")) or request_id
    retry_after = parse_retry_after(_header(headers, "retry-after"))
    cls = exception_class_for(status_code, error)
    return cls(
        message,
        status_code=status_code,
        error=error,
        code=code,
        request_id=request_id,
        retry_after=retry_after,
        body=body if body is not None else (text or None),
        response=response,
    )


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Return a ``Retry-After`` header value in seconds (delta or HTTP date), else ``None``."""
    if not value:
        return None
    value = value.strip()
    seconds: Optional[float]
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until_http_date(value)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until_http_date(value: str) -> Optional[float]:
    import email.utils
    from datetime import datetime, timezone

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - datetime.now(timezone.utc)).total_seconds()


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    try:
        value = headers.get(name)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _raw_string(value: Any) -> Optional[str]:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _shown(value: Optional[str], secrets: List[str]) -> Optional[str]:
    """Return ``value`` with every secret replaced, then shortened for display."""
    if value is None:
        return None
    for secret in secrets:
        if secret in value:
            value = value.replace(secret, "[REDACTED]")
    return value[:_MAX_MESSAGE_LENGTH]


def _message_from_text(text: str) -> Optional[str]:
    stripped = text.strip()
    if not stripped or stripped[0] in "<{[" or stripped == "null":
        return None
    return " ".join(stripped.split())


def _fallback_message(status_code: int, reason: Optional[str], error: Optional[str]) -> str:
    if error:
        return f"HTTP {status_code}: {error}"
    if reason:
        return f"HTTP {status_code} {reason}"
    return f"HTTP {status_code} from the Smartcar API"


def _looks_like_response(value: Any) -> bool:
    return hasattr(value, "status_code") and hasattr(value, "headers") and hasattr(value, "content")


def _exception_from_response(response: Any) -> SmartcarException:
    from .api import decode_body

    content = response.content or b""
    if not isinstance(content, bytes):
        content = str(content).encode("utf-8")
    body, text, _ = decode_body(content)
    return exception_for_response(
        int(response.status_code), response.headers, body, text, response, response.reason
    )
