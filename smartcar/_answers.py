"""Answers -> results: the parsed 2xx answer (:class:`ApiResponse`), and the checks the
SDK's calls make on it before building what they return.

An error answer (non-2xx) becomes its exception in :mod:`smartcar._errors`. A 2xx answer
keeps its request's :class:`~smartcar._redact.Redactor`: every exception or log line built from
it later (a malformed answer, a failed command, a signal in error) shows
:meth:`ApiResponse.redacted` text only, and its ``request_id`` is redacted on arrival.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, NamedTuple, Optional, Tuple

from . import _json
from ._redact import Redactor
from .exceptions import SmartcarException

__all__ = [
    "ApiResponse",
    "body_field",
    "body_object",
    "body_with",
    "decode_body",
    "malformed",
    "parse_response",
    "parsed",
    "success",
    "unusable",
]


class ApiResponse(NamedTuple):
    """A successful (2xx) answer: status, headers, parsed JSON body (``None`` if empty), and
    the secrets of its request (``redactor``; ``None``: none known)."""

    status_code: int
    headers: Mapping[str, str]
    body: Any
    request_id: Optional[str]
    redactor: Optional[Redactor] = None

    def redacted(self, value: Any) -> Any:
        """Return ``value`` (text or JSON-like data from this answer) without the request's
        secrets, for an exception or a log line."""
        return value if self.redactor is None else self.redactor.value(value)


def parse_response(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    response: Any = None,
    reason: Optional[str] = None,
    secrets: Iterable[Any] = (),
    *,
    redactor: Optional[Redactor] = None,
    fields: Iterable[str] = (),
) -> ApiResponse:
    """Turn a raw answer into an :class:`ApiResponse`, or raise its exception.

    ``secrets`` (tokens, codes, the client secret), or the request's ``redactor``, are kept
    out of the exception; a 2xx answer's body must hold each of ``fields`` (:func:`body_with`).

    Raises:
        SmartcarException: the matching subclass for a non-2xx status; the base class for a
            2xx answer whose body is not JSON or lacks one of ``fields``.
    """
    # Not ``redactor or ...``: its truth works out every form of every secret, which a
    # successful answer never needs.
    hide = redactor if redactor is not None else Redactor(secrets)
    body, text, parsed = decode_body(content)
    if 200 <= status_code < 300 and parsed:
        answer = success(status_code, headers, body, hide)
        if fields:
            body_with(answer, fields)
        return answer
    request_id = headers.get("sc-request-id") or None
    # Imported here, not at ``import smartcar``: only a failed answer needs it.
    from ._errors import MAX_SHOWN_BODY, decode_error

    if 200 <= status_code < 300:
        raise SmartcarException(
            f"The Smartcar API answered {status_code} with a body that is not JSON",
            status_code=status_code,
            error="invalid_response",
            request_id=request_id and hide.text(request_id),
            body=hide.text(text)[:MAX_SHOWN_BODY] or None,
            response=response,
        )
    raise decode_error(
        status_code,
        headers,
        body,
        text,
        response=response,
        reason=reason,
        redactor=hide,
        content=content,
    )


def success(
    status_code: int, headers: Mapping[str, str], body: Any, redactor: Redactor
) -> ApiResponse:
    """The :class:`ApiResponse` of a 2xx answer with ``body``, its request id redacted.

    ``body`` is the parsed JSON, or the body's bytes for a request's ``raw_body`` (bytes wait
    in memory without the garbage collector walking them, as parsed JSON would be walked;
    :func:`parsed` reads them later)."""
    request_id = headers.get("sc-request-id") or None
    return ApiResponse(
        status_code, headers, body, request_id and redactor.text(request_id), redactor
    )


def parsed(response: ApiResponse, fields: Iterable[str] = ()) -> ApiResponse:
    """Return ``response`` with its body parsed, if it was left as bytes: what
    :func:`parse_response` makes of it (with ``fields``).

    Raises:
        SmartcarException: the body is not JSON, or lacks one of ``fields``.
    """
    if not isinstance(response.body, bytes):
        return response
    return parse_response(
        response.status_code,
        response.headers,
        response.body,
        redactor=response.redactor,
        fields=fields,
    )


def body_object(response: ApiResponse) -> Dict[str, Any]:
    """Return the answer's body if it is a JSON object.

    Raises:
        SmartcarException: the body is not a JSON object.
    """
    if not isinstance(response.body, dict):
        raise malformed(response, "a JSON object")
    return response.body


def body_with(response: ApiResponse, fields: Iterable[str]) -> Dict[str, Any]:
    """Return the answer's body if it is a JSON object holding every one of ``fields``.

    A field may be ``null``; it must be present.

    Raises:
        SmartcarException: the body is not a JSON object or lacks one of ``fields``.
    """
    body = body_object(response)
    missing = [name for name in fields if name not in body]
    if missing:
        raise malformed(response, "the field(s) " + ", ".join(repr(m) for m in missing))
    return body


def body_field(response: ApiResponse, name: str, expected: Any) -> Any:
    """Return ``body[name]`` if the body is a JSON object and the value is of ``expected`` type.

    Raises:
        SmartcarException: the field is missing or of another type.
    """
    value = response.body.get(name) if isinstance(response.body, dict) else None
    if not isinstance(value, expected) or (
        isinstance(value, bool) and bool not in _types(expected)
    ):
        raise malformed(response, f"a valid '{name}'")
    return value


def _types(expected: Any) -> Tuple[Any, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def malformed(response: ApiResponse, what: str) -> SmartcarException:
    """Return the exception for a 2xx answer that lacks what the call returns."""
    return unusable(response, f"without {what}")


def unusable(response: ApiResponse, how: str) -> SmartcarException:
    """Return the exception for a 2xx answer the call cannot use: ``how`` ends the message
    ("without a JSON object", "with a bad resource"). A body that is not an object is kept
    in ``e.body``; both pass through the request's redactor."""
    body = response.body if not isinstance(response.body, dict) else None
    return SmartcarException(
        response.redacted(f"The Smartcar API answered {response.status_code} {how}"),
        status_code=response.status_code,
        error="invalid_response",
        request_id=response.request_id,
        body=response.redacted(body),
    )


def decode_body(content: bytes) -> Tuple[Any, str, bool]:
    """Return (parsed JSON or None, text, whether the body was JSON or empty)."""
    if not content:
        return None, "", True
    try:
        return _json.loads(content), "", True
    except (ValueError, RecursionError):
        return None, content.decode("utf-8", "replace"), False
