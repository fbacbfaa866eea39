"""Error answers -> exceptions: the arguments decoded in :mod:`smartcar._error_fields`, the
class picked by :func:`~smartcar.exceptions.exception_class_for` (the status table)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Type

from ._checks import http_status
from ._error_fields import (
    MAX_MESSAGE_LENGTH,
    MAX_RETRY_AFTER,
    MAX_SHOWN_BODY,
    NO_SECRETS,
    clean,
    error_arguments,
    fallback_message,
    parse_retry_after,
    v3_entry_fields,
)
from ._redact import Redactor
from .exceptions import SmartcarException, exception_class_for, exception_for_response

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "MAX_RETRY_AFTER",
    "MAX_SHOWN_BODY",
    "decode_error",
    "exception_class_for",
    "exception_for_response",
    "exception_from_v3_entry",
    "parse_retry_after",
]


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
    message, fields = error_arguments(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason,
        redactor=redactor,
        content=content,
    )
    cls = as_class or exception_class_for(status_code, fields.get("error"), fields.get("code"))
    return cls(message, **fields)


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
    hide = redactor or NO_SECRETS
    if not isinstance(entry, Mapping):
        return SmartcarException(
            "Unknown error", status_code=status_code, request_id=request_id, body=None
        )
    fields = v3_entry_fields(entry, hide)
    entry_status = http_status(entry.get("status"))
    error_status = status_code if status_code is not None and status_code >= 400 else None
    class_status = entry_status if entry_status is not None else error_status
    cls = exception_class_for(class_status, fields.get("error"), fields.get("code"))
    body = hide.value(dict(entry))
    fields["errors"] = [body]
    if request_id is not None:
        fields["request_id"] = clean(request_id, hide)
    message = fields.pop("message", None) or fallback_message(
        class_status, None, fields.get("error")
    )
    return cls(
        message,
        status_code=entry_status if entry_status is not None else status_code,
        body=body,
        **fields,
    )
