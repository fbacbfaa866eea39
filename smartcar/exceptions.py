"""Exceptions raised by the SDK, and the status table that picks the class of an error answer
(``exception_class_for``).

Hierarchy::

    SmartcarException                     every error the public API raises
    ├── ValidationException               400 (v1 validation_error; v2/v3 VALIDATION,
    │                                         CONNECTED_SERVICES_ACCOUNT)
    ├── AuthenticationException           401 (authentication_error, AUTHENTICATION,
    │   │                                     OAuth invalid_client)
    │   └── ReauthorizationRequired       refresh token rejected: the user must reconnect
    ├── PermissionException               403 (permission_error, PERMISSION)
    ├── ResourceNotFoundException         404 (resource_not_found_error, RESOURCE_NOT_FOUND)
    ├── StateException                    409 (vehicle_state_error, VEHICLE_STATE; ``str()`` is
    │                                         "CODE: message", e.g. "ASLEEP: ...")
    ├── RateLimitingException             429 (``retry_after`` in seconds); also raised
    │                                         without a request while the v3 client is paused
    ├── MonthlyLimitExceeded              430 (monthly_limit_exceeded, BILLING); also raised
    │                                         without a request by the v3 call meter
    ├── ServerException                   500, and any other 5xx without its own class
    │   └── UpstreamException             502 UPSTREAM (the automaker's side failed)
    ├── VehicleNotCapableException        501 (vehicle_not_capable_error, any COMPATIBILITY
    │                                         code but SMARTCAR_NOT_CAPABLE)
    ├── SmartcarNotCapableException       501 (smartcar_not_capable_error, SMARTCAR_NOT_CAPABLE)
    ├── GatewayTimeoutException           504 (often a plain-text body from a gateway)
    ├── NetworkException                  no HTTP answer (``__cause__``: the requests error)
    │   ├── SmartcarConnectionError       could not connect, or the connection dropped
    │   └── SmartcarTimeout               connect or read timeout, or the call's deadline
    ├── TokenStoreException               a token store is unreachable or holds a corrupt record
    ├── ConnectException                  Connect redirected back with an error
    ├── WebhookSignatureError             a webhook's signature does not match its body
    └── WebhookPayloadError               a webhook body that cannot be read

Every instance has the attributes ``message``, ``status_code``, ``error``, ``code``,
``request_id``, ``retry_after``, ``body``, ``response``, and (filled from v2.0 and v3 error
bodies) ``type``, ``description``, ``doc_url``, ``resolution`` (``{"type", "url"}``),
``detail``, ``suggested_user_message``, ``title``; absent values are ``None``. ``errors`` is
the list of every entry of a v3 ``{"errors": [...]}`` body (empty for other bodies).
The bodies are decoded in :mod:`smartcar._error_fields`.

No secret (token, client secret, authorization code, ``Authorization`` header, or their
echoes) is ever part of ``str()``, ``repr()``, ``body`` or a pickle.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type

__all__ = [
    "AuthenticationException",
    "ConnectException",
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
    "UpstreamException",
    "ValidationException",
    "VehicleNotCapableException",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "exception_class_for",
    "exception_for_response",
]

# The scalar attributes besides ``message``, in the order ``repr`` shows them.
_DETAILS = ("status_code", "error", "type", "code", "request_id", "retry_after")
# Attributes that hold text or JSON-like values from a v2/v3 body (not shown by ``repr``).
_BODY_FIELDS = (
    "description",
    "doc_url",
    "resolution",
    "detail",
    "suggested_user_message",
    "title",
)


class SmartcarException(Exception):
    """Base class of every exception raised by the SDK.

    For compatibility with smartcar 4.3, ``SmartcarException(response)`` (a ``requests``
    response, or any object whose ``.json()`` gives an error body) is accepted too and is
    read like any error answer: ``message`` from the body's ``message`` or
    ``error_description`` (else ``"Unknown error"``), ``code`` from its ``code``.
    """

    message: str
    status_code: Optional[int]
    error: Optional[str]
    type: Optional[str]
    code: Optional[str]
    request_id: Optional[str]
    retry_after: Optional[float]
    description: Optional[str]
    doc_url: Optional[str]
    resolution: Optional[Dict[str, Optional[str]]]
    detail: Any
    suggested_user_message: Optional[str]
    title: Optional[str]
    errors: List[Dict[str, Any]]
    body: Any
    response: Any

    # Extra constructor keywords of a subclass, kept by pickling.
    _extra_fields: Tuple[str, ...] = ()

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
        type: Optional[str] = None,  # the name the official 6.x SDK uses
        description: Optional[str] = None,
        doc_url: Optional[str] = None,
        resolution: Optional[Dict[str, Optional[str]]] = None,
        detail: Any = None,
        suggested_user_message: Optional[str] = None,
        title: Optional[str] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        if _looks_like_response(message):
            from ._error_fields import response_object_arguments

            text, fields = response_object_arguments(message)
            built = _class_of(self)(text, **fields)
            self.__dict__.update(built.__dict__)
            super().__init__(self.message)
            return
        self.message = str(message)
        self.status_code = status_code
        self.error = error
        self.type = type
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.description = description
        self.doc_url = doc_url
        self.resolution = resolution
        self.detail = detail
        self.suggested_user_message = suggested_user_message
        self.title = title
        self.errors = list(errors) if errors else []
        self.body = body
        self.response = response
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        fields = [f"message={self.message!r}"]
        for name in _DETAILS:
            value = getattr(self, name, None)
            if value is not None:
                fields.append(f"{name}={value!r}")
        return f"{_class_of(self).__name__}({', '.join(fields)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        # JSON-like values go as JSON text: pickle recurses deeper than json for nested bodies.
        # The response object is not picklable in general and stays behind.
        import json

        scalars = {name: getattr(self, name, None) for name in _DETAILS + self._extra_fields}
        values = {name: getattr(self, name, None) for name in _BODY_FIELDS}
        values["body"] = getattr(self, "body", None)
        values["errors"] = getattr(self, "errors", [])
        return (
            _rebuild,
            (_class_of(self), self.message, scalars, json.dumps(values, default=str)),
        )


def _class_of(instance: object) -> Type[Any]:
    # ``type`` is an attribute name here; the builtin is reached through the instance.
    return instance.__class__


def _rebuild(
    cls: Type[SmartcarException], message: str, scalars: Dict[str, Any], values_json: str
) -> Any:
    import json

    return cls(message, **scalars, **json.loads(values_json))


class ValidationException(SmartcarException):
    """400: the request was malformed, or the user's connected-services account has a
    problem (v2/v3 ``CONNECTED_SERVICES_ACCOUNT``)."""


class AuthenticationException(SmartcarException):
    """401: the access token or the app credentials were rejected."""


class ReauthorizationRequired(AuthenticationException):
    """The refresh token was rejected (``invalid_grant``): the user must connect again."""


class PermissionException(SmartcarException):
    """403: the token lacks the permission this call needs."""


class ResourceNotFoundException(SmartcarException):
    """404: unknown vehicle, path or API version."""


class StateException(SmartcarException):
    """409: the vehicle is in a state that prevents the request (``code``: ``ASLEEP``, ...).

    ``str()`` is ``"CODE: message"`` when the service sent a code, as in smartcar 4.3.
    """

    def __str__(self) -> str:
        if self.code:
            return f"{self.code}: {self.message}"
        return self.message


class RateLimitingException(SmartcarException):
    """429: too many requests; ``retry_after`` tells how many seconds to wait, if known.

    The v3 client also raises it without a request (``status_code`` ``None``, ``error``
    ``"app_paused"``, ``code`` ``"SMARTCAR_API"``) when an app-wide rate limit pauses every
    request for longer than the retry policy's ``retry_after_cap``.
    """


class MonthlyLimitExceeded(SmartcarException):
    """430: the vehicle's monthly request limit, or the plan, is used up (v2/v3 BILLING).

    The v3 client's call meter raises it without a request (``status_code`` ``None``,
    ``type`` ``"BILLING"``, ``code`` ``"VEHICLE_REQUEST_LIMIT"``) for a vehicle the service
    refused with a 430 earlier this month (``error`` ``"vehicle_spent"``) or one that reached
    the client's ``monthly_limit`` (``error`` ``"monthly_limit_reached"``).
    """


class ServerException(SmartcarException):
    """500 and any other 5xx without a class of its own (503, and 502 from a gateway)."""


class UpstreamException(ServerException):
    """502 ``UPSTREAM``: the automaker's service failed or sent invalid data."""


class VehicleNotCapableException(SmartcarException):
    """501: the vehicle cannot do this (``vehicle_not_capable_error``, ``COMPATIBILITY``)."""


class SmartcarNotCapableException(SmartcarException):
    """501: Smartcar does not support this for the vehicle (``SMARTCAR_NOT_CAPABLE``)."""


class GatewayTimeoutException(SmartcarException):
    """504: the vehicle did not answer in time."""


class NetworkException(SmartcarException):
    """No HTTP answer was received; ``__cause__`` holds the underlying ``requests`` error.

    ``sent`` is ``False`` when the request certainly never left this machine (the connection,
    or its connect timeout, failed), so sending it again cannot repeat an effect.
    """

    sent: bool = True


class SmartcarConnectionError(NetworkException):
    """The connection could not be established, or it broke before an answer arrived."""


class SmartcarTimeout(NetworkException):
    """A timeout passed before the whole answer arrived (connect, read, or the call's deadline)."""


class TokenStoreException(SmartcarException):
    """A token store could not be reached, or holds a record that cannot be read."""


class ConnectException(SmartcarException):
    """Smartcar Connect redirected back with an error (``access_denied``, ...).

    Attributes (besides the base class's): ``error`` and ``description`` from the redirect's
    ``error``/``error_description``, ``state``, and for ``vehicle_incompatible`` the
    vehicle's ``vin``, ``make``, ``model`` and ``year``.
    """

    _extra_fields = ("state", "vin", "make", "model", "year")

    def __init__(
        self,
        message: Any = "Unknown error",
        *,
        state: Optional[str] = None,
        vin: Optional[str] = None,
        make: Optional[str] = None,
        model: Optional[str] = None,
        year: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.state = state
        self.vin = vin
        self.make = make
        self.model = model
        self.year = year


class WebhookSignatureError(SmartcarException):
    """A webhook's signature header is missing or does not match its body."""


class WebhookPayloadError(SmartcarException):
    """A webhook body that is not the JSON the webhook type promises."""


# The status table ---------------------------------------------------------------------------

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
    502: ServerException,
    504: GatewayTimeoutException,
}

_BY_TYPE: Dict[str, Type[SmartcarException]] = {
    "VALIDATION": ValidationException,
    "CONNECTED_SERVICES_ACCOUNT": ValidationException,
    "AUTHENTICATION": AuthenticationException,
    "PERMISSION": PermissionException,
    "RESOURCE_NOT_FOUND": ResourceNotFoundException,
    "VEHICLE_STATE": StateException,
    "RATE_LIMIT": RateLimitingException,
    "BILLING": MonthlyLimitExceeded,
    "SERVER": ServerException,
    "COMPATIBILITY": VehicleNotCapableException,
    "UPSTREAM": UpstreamException,
}
"""v2.0/v3 error types, for answers whose status has no class of its own."""

_SMARTCAR_NOT_CAPABLE = ("smartcar_not_capable_error", "SMARTCAR_NOT_CAPABLE")


def exception_class_for(
    status_code: Optional[int], error: Optional[str], code: Optional[str] = None
) -> Type[SmartcarException]:
    """Return the exception class for an error answer.

    Args:
        status_code: the HTTP status (or a v3 entry's ``status``), if known.
        error: the body's error type: v1 ``error`` (``vehicle_state_error``), OAuth ``error``
            or v2/v3 ``type`` (``VEHICLE_STATE``).
        code: the body's ``code`` (``ASLEEP``, ``SMARTCAR_NOT_CAPABLE``), if any.

    The status decides; ``error``/``code`` refine 501 (Smartcar vs vehicle not capable) and
    502 (``UPSTREAM``), and pick the class when the status has none of its own.
    """
    if status_code == 501 or (status_code is None and error == "COMPATIBILITY"):
        if error in _SMARTCAR_NOT_CAPABLE or code in _SMARTCAR_NOT_CAPABLE:
            return SmartcarNotCapableException
        return VehicleNotCapableException
    if status_code in (None, 502) and error == "UPSTREAM":
        return UpstreamException
    if status_code is not None and status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if error == "AUTHENTICATION" and code == "ACCESS_DENIED":
        return PermissionException
    if error is not None and error in _BY_TYPE:
        return _BY_TYPE[error]
    if status_code is not None and 500 <= status_code <= 599:
        return ServerException
    return SmartcarException


def exception_for_response(
    status_code: int,
    headers: Mapping[str, str],
    body: Any,
    text: str,
    response: Any = None,
    reason: Optional[str] = None,
    secrets: Iterable[Any] = (),
) -> SmartcarException:
    """Build the exception for an error answer (see :func:`smartcar._errors.decode_error`).

    ``body`` is the parsed JSON (or ``None`` when the body was not JSON) and ``text`` the body
    decoded as text. Any body is accepted: v1.0, OAuth, v2.0 and v3 error objects, HTML,
    plain text, empty, ``null``, arrays, truncated JSON. ``secrets`` (any type) are kept out
    of everything the exception shows.
    """
    from ._error_fields import error_arguments
    from ._redact import Redactor

    message, fields = error_arguments(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason,
        redactor=Redactor(secrets),
    )
    return exception_class_for(status_code, fields.get("error"), fields.get("code"))(
        message, **fields
    )


def _looks_like_response(value: Any) -> bool:
    """Whether ``value`` is a response object (4.3's constructors took one), not a message."""
    if isinstance(value, (str, bytes, bytearray, int, float)) or value is None:
        return False
    return callable(getattr(value, "json", None)) or (
        hasattr(value, "status_code") and hasattr(value, "content")
    )
