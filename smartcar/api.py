"""The request helper's public face, kept for code written against it (it re-exports).

The work is done by the private modules:

* :mod:`smartcar._transport`: the pooled session and :func:`request` (credentials, headers,
  timeouts, the retry policy, logging, bounded answers);
* :mod:`smartcar._answers`: :class:`ApiResponse` and the checks calls make on an answer;
* :mod:`smartcar._config`: timeouts, retry policy, size limit, API version
  (:func:`set_defaults`);
* :mod:`smartcar._errors`: error answers into exceptions.
"""

from __future__ import annotations

from ._answers import (
    ApiResponse,
    body_field,
    body_object,
    body_with,
    decode_body,
    malformed,
    parse_response,
    unusable,
)
from ._config import (
    DEFAULT_TIMEOUT,
    RetryPolicy,
    Timeout,
    check_retries,
    check_timeout,
    default_retry,
    default_timeout,
    set_defaults,
)
from ._transport import (
    POOL_SIZE,
    USER_AGENT,
    encode_json,
    get_session,
    last_request_id,
    logger,
    request,
)
from .exceptions import SmartcarException

__all__ = [
    "DEFAULT_TIMEOUT",
    "POOL_SIZE",
    "USER_AGENT",
    "ApiResponse",
    "RetryPolicy",
    "SmartcarException",
    "Timeout",
    "body_field",
    "body_object",
    "body_with",
    "check_retries",
    "check_timeout",
    "decode_body",
    "default_retry",
    "default_timeout",
    "encode_json",
    "get_session",
    "last_request_id",
    "logger",
    "malformed",
    "parse_response",
    "request",
    "set_defaults",
    "unusable",
]
