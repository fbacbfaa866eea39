"""Error answers -> exceptions: the body decoded per family, then mapped to its class.

Four body families, recognised by their fields:

* v3: ``{"errors": [{"status", "type", "code", "title", "detail", "links": {"about"},
  "resolution": {"type"}, "suggestedUserMessage", "meta"}, ...]}`` (several entries allowed);
* v2.0: ``{"type", "code", "description", "docURL", "statusCode", "requestId",
  "resolution": {"type", "url"}, "detail", "suggestedUserMessage"}``;
* v1.0: ``{"error", "message", "code"}``;
* OAuth (the token endpoint): ``{"error", "error_description"}``.

Anything else (HTML, plain text, ``null``, arrays, truncated JSON) still gives an exception,
with a message taken from the text or the status line. The class comes from
:func:`exception_class_for` (the status table, below). Every string the exception
shows, and its ``body``, pass through the request's :class:`~smartcar._redact.Redactor`.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Mapping, Optional, Type

from ._checks import http_status
from ._redact import Redactor
from .exceptions import (
    AuthenticationException,
    GatewayTimeoutException,
    MonthlyLimitExceeded,
    PermissionException,
    RateLimitingException,
    ResourceNotFoundException,
    ServerException,
    SmartcarException,
    SmartcarNotCapableException,
    StateException,
    UpstreamException,
    ValidationException,
    VehicleNotCapableException,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "MAX_RETRY_AFTER",
    "MAX_SHOWN_BODY",
    "decode_error",
    "exception_class_for",
    "exception_for_response",
    "exception_from_response_object",
    "exception_from_v3_entry",
    "parse_retry_after",
]

MAX_MESSAGE_LENGTH = 500
"""Longest text kept in ``message`` and the other text attributes."""

MAX_SHOWN_BODY = 64 * 1024
"""Characters of an error answer's body kept in ``e.body``; a longer body is kept as its
first characters (as text) with a ``[truncated]`` mark. The attributes are decoded from the
whole body."""

MAX_RETRY_AFTER = 1e9
"""Seconds (about 31 years) that stand for a ``Retry-After`` too large to represent."""

_NO_SECRETS = Redactor()

Fields = Dict[str, Any]


def decode_error(
    status_code: Optional[int],
    headers: Mapping[str, str],
    body: Any,
    text: str,
    *,
    response: Any = None,
    reason: Optional[str] = None,
    redactor: Optional[Redactor] = None,
    as_class: Optional[Type[SmartcarException]] = None,
    content: Optional[bytes] = None,
) -> SmartcarException:
    """Return the exception for an error answer.

    Args:
        status_code: the HTTP status (``None`` when unknown, as for a 4.3-style
            ``SmartcarException(response)`` built from a stand-in object).
        headers: the answer's headers (``sc-request-id``, ``Retry-After``).
        body: the parsed JSON body, or ``None`` when it was not JSON.
        text: the body as text when it was not JSON (else ``""``).
        response: the response object, kept as ``e.response``.
        reason: the HTTP reason phrase, for the fallback message.
        redactor: the request's secrets; every string shown is redacted.
        as_class: build this class instead of the one the status table picks.
        content: the raw body, when known: one longer than :data:`MAX_SHOWN_BODY` is kept
            in ``e.body`` as truncated text.
    """
    hide = redactor or _NO_SECRETS
    fields = _decode_fields(body, hide)
    if not fields.get("message"):
        fields["message"] = _clean(_message_from_text(text), hide) or _fallback_message(
            status_code, reason, fields.get("error")
        )
    header_request_id = _clean(_header(headers, "sc-request-id"), hide)
    if header_request_id:
        fields["request_id"] = header_request_id
    cls = as_class or exception_class_for(status_code, fields.get("error"), fields.get("code"))
    if content is not None and len(content) > MAX_SHOWN_BODY:
        whole = hide.text(content.decode("utf-8", "replace"))
        shown_body: Any = whole[:MAX_SHOWN_BODY] + " [truncated]"
    elif body is not None:
        shown_body = hide.value(body)
    else:
        shown_body = hide.text(text)[:MAX_SHOWN_BODY] if text else None
    return cls(
        fields.pop("message"),
        status_code=status_code,
        retry_after=parse_retry_after(_header(headers, "retry-after")),
        body=shown_body,
        response=response,
        **fields,
    )


def exception_from_v3_entry(
    entry: Any,
    *,
    status_code: Optional[int] = None,
    request_id: Optional[str] = None,
    redactor: Optional[Redactor] = None,
) -> SmartcarException:
    """Return the exception for one v3 error entry.

    The entry may be one element of a v3 ``{"errors": [...]}`` body, a signal's
    ``status.error`` or a failed command execution's error. Its class is chosen by its
    ``status`` (a string in v3 bodies), else by ``status_code`` when that is an error status,
    else by its ``type`` and ``code``.

    Args:
        entry: the error object (any content is accepted; a non-mapping gives a generic
            :class:`~smartcar.exceptions.SmartcarException`).
        status_code: the HTTP status of the answer that carried it, if any.
        request_id: the answer's ``sc-request-id``, if any.
        redactor: secrets to keep out of the exception.
    """
    hide = redactor or _NO_SECRETS
    if not isinstance(entry, Mapping):
        return SmartcarException(
            "Unknown error", status_code=status_code, request_id=request_id, body=None
        )
    fields = _v3_entry_fields(entry, hide)
    entry_status = http_status(entry.get("status"))
    error_status = status_code if status_code is not None and status_code >= 400 else None
    class_status = entry_status if entry_status is not None else error_status
    cls = exception_class_for(class_status, fields.get("error"), fields.get("code"))
    body = hide.value(dict(entry))
    fields["errors"] = [body]
    if request_id is not None:
        fields["request_id"] = _clean(request_id, hide)
    message = fields.pop("message", None) or _fallback_message(
        class_status, None, fields.get("error")
    )
    return cls(
        message,
        status_code=entry_status if entry_status is not None else status_code,
        body=body,
        **fields,
    )


def exception_from_response_object(
    response: Any, as_class: Type[SmartcarException]
) -> SmartcarException:
    """Build ``as_class`` from a response-like object, as smartcar 4.3's constructors did.

    4.3 read ``response.json()``: ``message`` (else ``error_description``, else
    ``"Unknown error"``) and, for ``StateException``, ``code``. Any object is accepted: a
    ``requests`` response, a mock with only ``.json()``, one whose ``.json()`` raises.
    """
    status_code = getattr(response, "status_code", None)
    if isinstance(status_code, bool) or not isinstance(status_code, int):
        status_code = None
    headers: Any = getattr(response, "headers", None)
    if not callable(getattr(headers, "get", None)):
        headers = {}
    body: Any = None
    json_method = getattr(response, "json", None)
    if callable(json_method):
        try:
            body = json_method()
        except Exception:
            body = None
    text = "" if body is not None else _response_text(response)
    reason = getattr(response, "reason", None)
    return decode_error(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason if isinstance(reason, str) else None,
        as_class=as_class,
    )


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Return a ``Retry-After`` header value in seconds (delta or HTTP date), else ``None``.

    A value too large to represent (``"9" * 400``, ``"1e309"``, ``"inf"``, a date after
    year 9999) is :data:`MAX_RETRY_AFTER`: longer than any retry cap, never "absent", and
    still a finite number a caller may sleep on. Negative values and past dates are ``0.0``;
    text that is neither a number nor a date is ``None`` (as if absent).
    """
    if not value:
        return None
    value = value.strip()
    seconds: Optional[float]
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        seconds = _seconds_until_http_date(value)
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


# Families ---------------------------------------------------------------------------------


def _decode_fields(body: Any, hide: Redactor) -> Fields:
    if not isinstance(body, dict):
        return {}
    entries = body.get("errors")
    if isinstance(entries, list) and any(isinstance(entry, dict) for entry in entries):
        return _v3_fields(entries, hide)
    if body.get("type") is not None and "error" not in body:
        return _v2_fields(body, hide)
    return _legacy_fields(body, hide)


def _legacy_fields(body: Mapping[str, Any], hide: Redactor) -> Fields:
    """v1.0 ``{error, message, code}`` and OAuth ``{error, error_description}``."""
    error = _clean(body.get("error"), hide) or _clean(body.get("type"), hide)
    message = (
        _clean(body.get("message"), hide)
        or _clean(body.get("error_description"), hide)
        or _clean(body.get("description"), hide)
    )
    return {
        "error": error,
        "type": error,
        "code": _clean(body.get("code"), hide),
        "message": message,
        "description": message,
        "request_id": _clean(body.get("requestId"), hide),
    }


def _v2_fields(body: Mapping[str, Any], hide: Redactor) -> Fields:
    error_type = _clean(body.get("type"), hide)
    description = _clean(body.get("description"), hide) or _clean(body.get("message"), hide)
    return {
        "error": error_type,
        "type": error_type,
        "code": _clean(body.get("code"), hide),
        "message": description,
        "description": description,
        "doc_url": _clean(body.get("docURL"), hide),
        "resolution": _resolution(body.get("resolution"), hide),
        "detail": hide.value(body.get("detail")),
        "suggested_user_message": _clean(body.get("suggestedUserMessage"), hide),
        "request_id": _clean(body.get("requestId"), hide),
    }


def _v3_fields(entries: List[Any], hide: Redactor) -> Fields:
    usable = [entry for entry in entries if isinstance(entry, dict)]
    fields = _v3_entry_fields(usable[0], hide)
    messages: List[str] = []
    for entry in usable:
        message = _v3_entry_fields(entry, hide).get("message")
        if message and message not in messages:
            messages.append(message)
    if messages:
        fields["message"] = "; ".join(messages)[:MAX_MESSAGE_LENGTH]
    fields["errors"] = [hide.value(entry) for entry in usable]
    return fields


def _v3_entry_fields(entry: Mapping[str, Any], hide: Redactor) -> Fields:
    links = entry.get("links")
    meta = entry.get("meta")
    detail = _clean(entry.get("detail"), hide)
    title = _clean(entry.get("title"), hide)
    error_type = _clean(entry.get("type"), hide)
    request_id = None
    if isinstance(meta, Mapping):
        request_id = _clean(meta.get("requestId"), hide)
    return {
        "error": error_type,
        "type": error_type,
        "code": _clean(entry.get("code"), hide),
        "message": detail or title,
        "description": detail,
        "title": title,
        "detail": detail,
        "doc_url": _clean(links.get("about"), hide) if isinstance(links, Mapping) else None,
        "resolution": _resolution(entry.get("resolution"), hide),
        "suggested_user_message": _clean(entry.get("suggestedUserMessage"), hide),
        "request_id": request_id,
    }


# Field helpers ----------------------------------------------------------------------------


def _clean(value: Any, hide: Redactor) -> Optional[str]:
    """Return a string or number field as redacted, shortened text; else ``None``."""
    if isinstance(value, str) and value:
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    return hide.text(text)[:MAX_MESSAGE_LENGTH]


def _resolution(value: Any, hide: Redactor) -> Optional[Dict[str, Optional[str]]]:
    """``{"type", "url"}`` from a resolution object (or a bare string type); else ``None``."""
    if isinstance(value, Mapping):
        return {"type": _clean(value.get("type"), hide), "url": _clean(value.get("url"), hide)}
    if isinstance(value, str) and value:
        return {"type": _clean(value, hide), "url": None}
    return None


def _header(headers: Any, name: str) -> Optional[str]:
    try:
        value = headers.get(name)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _response_text(response: Any) -> str:
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text
    content = getattr(response, "content", None)
    if isinstance(content, (bytes, bytearray)):
        return bytes(content).decode("utf-8", "replace")
    return ""


def _message_from_text(text: str) -> Optional[str]:
    stripped = text.strip()
    if not stripped or stripped[0] in "<{[" or stripped == "null":
        return None
    return " ".join(stripped.split())


def _fallback_message(status_code: Optional[int], reason: Optional[str], error: Any) -> str:
    if status_code is None:
        return "Unknown error"
    if error:
        return f"HTTP {status_code}: {error}"
    if reason:
        return f"HTTP {status_code} {reason}"
    return f"HTTP {status_code} from the Smartcar API"


def _seconds_until_http_date(value: str) -> Optional[float]:
    """Seconds until an HTTP date; a date past year 9999 is :data:`MAX_RETRY_AFTER`."""
    import email.utils
    from datetime import datetime, timezone

    fields = email.utils.parsedate_tz(value)
    if fields is None:
        return None  # not a date at all: as if absent
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return MAX_RETRY_AFTER if fields[0] > 9999 else None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - datetime.now(timezone.utc)).total_seconds()


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
    """Build the exception for an error answer (see :func:`decode_error`).

    ``body`` is the parsed JSON (or ``None`` when the body was not JSON) and ``text`` the body
    decoded as text. Any body is accepted: v1.0, OAuth, v2.0 and v3 error objects, HTML,
    plain text, empty, ``null``, arrays, truncated JSON. ``secrets`` (any type) are kept out
    of everything the exception shows.
    """
    return decode_error(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason,
        redactor=Redactor(secrets),
    )
