"""Error answers -> the arguments of their exception: the body decoded per family (no
exception class is named here; :mod:`smartcar._errors` picks the class).

Four body families, recognised by their fields:

* v3: ``{"errors": [{"status", "type", "code", "title", "detail", "links": {"about"},
  "resolution": {"type"}, "suggestedUserMessage", "meta"}, ...]}`` (several entries allowed);
* v2.0: ``{"type", "code", "description", "docURL", "statusCode", "requestId",
  "resolution": {"type", "url"}, "detail", "suggestedUserMessage"}``;
* v1.0: ``{"error", "message", "code"}``;
* OAuth (the token endpoint): ``{"error", "error_description"}``.

Anything else (HTML, plain text, ``null``, arrays, truncated JSON) still gives an exception,
with a message taken from the text or the status line. Every string the exception
shows, and its ``body``, pass through the request's :class:`~smartcar._redact.Redactor`.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._redact import Redactor

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "MAX_RETRY_AFTER",
    "MAX_SHOWN_BODY",
    "NO_SECRETS",
    "Fields",
    "clean",
    "error_arguments",
    "fallback_message",
    "parse_retry_after",
    "response_object_arguments",
    "v3_entry_fields",
]

MAX_MESSAGE_LENGTH = 500
"""Longest text kept in ``message`` and the other text attributes."""

MAX_SHOWN_BODY = 64 * 1024
"""Characters of an error answer's body kept in ``e.body``; a longer body is kept as its
first characters (as text) with a ``[truncated]`` mark. The attributes are decoded from the
whole body."""

MAX_RETRY_AFTER = 1e9
"""Seconds (about 31 years) that stand for a ``Retry-After`` too large to represent."""

NO_SECRETS = Redactor()

Fields = Dict[str, Any]


def error_arguments(
    status_code: Optional[int],
    headers: Mapping[str, str],
    body: Any,
    text: str,
    *,
    response: Any = None,
    reason: Optional[str] = None,
    redactor: Optional[Redactor] = None,
    content: Optional[bytes] = None,
) -> Tuple[str, Fields]:
    """Return the message and the other constructor arguments of an error answer's exception
    (the arguments as for :func:`smartcar._errors.decode_error`)."""
    hide = redactor or NO_SECRETS
    fields = decode_fields(body, hide)
    if not fields.get("message"):
        fields["message"] = clean(message_from_text(text), hide) or fallback_message(
            status_code, reason, fields.get("error")
        )
    header_request_id = clean(_header(headers, "sc-request-id"), hide)
    if header_request_id:
        fields["request_id"] = header_request_id
    if content is not None and len(content) > MAX_SHOWN_BODY:
        whole = hide.text(content.decode("utf-8", "replace"))
        shown_body: Any = whole[:MAX_SHOWN_BODY] + " [truncated]"
    elif body is not None:
        shown_body = hide.value(body)
    else:
        shown_body = hide.text(text)[:MAX_SHOWN_BODY] if text else None
    fields.update(
        status_code=status_code,
        retry_after=parse_retry_after(_header(headers, "retry-after")),
        body=shown_body,
        response=response,
    )
    return fields.pop("message"), fields


def response_object_arguments(response: Any) -> Tuple[str, Fields]:
    """The arguments of an exception read from a response-like object, as smartcar 4.3's
    constructors read it.

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
    return error_arguments(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason if isinstance(reason, str) else None,
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


def decode_fields(body: Any, hide: Redactor) -> Fields:
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
    error = clean(body.get("error"), hide) or clean(body.get("type"), hide)
    message = (
        clean(body.get("message"), hide)
        or clean(body.get("error_description"), hide)
        or clean(body.get("description"), hide)
    )
    return {
        "error": error,
        "type": error,
        "code": clean(body.get("code"), hide),
        "message": message,
        "description": message,
        "request_id": clean(body.get("requestId"), hide),
    }


def _v2_fields(body: Mapping[str, Any], hide: Redactor) -> Fields:
    error_type = clean(body.get("type"), hide)
    description = clean(body.get("description"), hide) or clean(body.get("message"), hide)
    return {
        "error": error_type,
        "type": error_type,
        "code": clean(body.get("code"), hide),
        "message": description,
        "description": description,
        "doc_url": clean(body.get("docURL"), hide),
        "resolution": _resolution(body.get("resolution"), hide),
        "detail": hide.value(body.get("detail")),
        "suggested_user_message": clean(body.get("suggestedUserMessage"), hide),
        "request_id": clean(body.get("requestId"), hide),
    }


def _v3_fields(entries: List[Any], hide: Redactor) -> Fields:
    usable = [entry for entry in entries if isinstance(entry, dict)]
    fields = v3_entry_fields(usable[0], hide)
    messages: List[str] = []
    for entry in usable:
        message = v3_entry_fields(entry, hide).get("message")
        if message and message not in messages:
            messages.append(message)
    if messages:
        fields["message"] = "; ".join(messages)[:MAX_MESSAGE_LENGTH]
    fields["errors"] = [hide.value(entry) for entry in usable]
    return fields


def v3_entry_fields(entry: Mapping[str, Any], hide: Redactor) -> Fields:
    links = entry.get("links")
    meta = entry.get("meta")
    detail = clean(entry.get("detail"), hide)
    title = clean(entry.get("title"), hide)
    error_type = clean(entry.get("type"), hide)
    request_id = None
    if isinstance(meta, Mapping):
        request_id = clean(meta.get("requestId"), hide)
    return {
        "error": error_type,
        "type": error_type,
        "code": clean(entry.get("code"), hide),
        "message": detail or title,
        "description": detail,
        "title": title,
        "detail": detail,
        "doc_url": clean(links.get("about"), hide) if isinstance(links, Mapping) else None,
        "resolution": _resolution(entry.get("resolution"), hide),
        "suggested_user_message": clean(entry.get("suggestedUserMessage"), hide),
        "request_id": request_id,
    }


# Field helpers ----------------------------------------------------------------------------


def clean(value: Any, hide: Redactor) -> Optional[str]:
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
        return {"type": clean(value.get("type"), hide), "url": clean(value.get("url"), hide)}
    if isinstance(value, str) and value:
        return {"type": clean(value, hide), "url": None}
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


def message_from_text(text: str) -> Optional[str]:
    stripped = text.strip()
    if not stripped or stripped[0] in "<{[" or stripped == "null":
        return None
    return " ".join(stripped.split())


def fallback_message(status_code: Optional[int], reason: Optional[str], error: Any) -> str:
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
