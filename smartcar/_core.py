"""The sans-I/O core: what one request is, what its answer means, whether to try again.

Nothing here touches a socket, a clock or a session. A driver (the ``requests`` one in
:mod:`smartcar._transport`, an async one, :class:`smartcar.testing.MockTransport`) does the
I/O and asks this module everything else:

1. :func:`build` (any URL) or :func:`build_call` (an :class:`~smartcar._endpoints.Endpoint`)
   turns arguments, settings and credentials into a :class:`Request`: method, the whole URL
   with its query, every header the SDK sets (``Authorization`` included), the body as
   bytes, the timeout, the answer size limit, whether it may be repeated, and the redactor
   of its secrets;
2. the driver sends it and reads the answer (within ``request.read_timeout`` and
   ``request.max_body_size``);
3. :func:`decode` turns ``(status, headers, body bytes)`` into an
   :class:`~smartcar._answers.ApiResponse` or the matching exception (returned, not raised);
   a failure without an answer becomes an exception through the constructors below
   (:func:`connection_failed`, :func:`timed_out`, ...), so every driver says the same thing;
4. :func:`next_attempt` says whether, and after how many seconds, to send it again;
5. after a 401, :func:`replays` says whether a fresh token from the call's
   :class:`TokenSource` may be tried once (the rule its endpoint states).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import sys
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Mapping,
    Optional,
    Protocol,
    Tuple,
)
from urllib.parse import urlencode, urlsplit

from . import __version__
from ._answers import ApiResponse, parse_response, success
from ._body import ACCEPT_ENCODING
from ._checks import path_segment, sendable
from ._config import Config, RetryPolicy, Timeout
from ._config import default as default_config
from ._endpoints import REPLAY, REPLAY_IF_REFUSED, REPLAY_NEVER
from ._redact import redactor_for
from ._wire import Outcome, Request
from .exceptions import (
    AuthenticationException,
    SmartcarConnectionError,
    SmartcarException,
    SmartcarTimeout,
)

if TYPE_CHECKING:
    from ._endpoints import Endpoint

__all__ = [
    "ACCEPT_ENCODING",
    "APP_RATE_LIMIT_CODE",
    "REPLAY",
    "REPLAY_IF_REFUSED",
    "REPLAY_NEVER",
    "USER_AGENT",
    "Outcome",
    "Request",
    "TokenSource",
    "app_pause",
    "build",
    "build_call",
    "connection_dropped",
    "connection_failed",
    "decode",
    "encode_json",
    "encode_query",
    "invalid_encoding",
    "next_attempt",
    "replays",
    "request_failed",
    "retry_delay",
    "timed_out",
    "tls_failed",
    "token_refused",
    "too_large",
    "url_for",
    "was_sent",
]


def _user_agent() -> str:
    """``Smartcar/VERSION (SYSTEM; MACHINE) Python vX.Y.Z``, without importing ``platform``."""
    if hasattr(os, "uname"):
        uname = os.uname()
        system, machine = uname.sysname, uname.machine
    else:  # Windows has no os.uname
        import platform

        system, machine = platform.system(), platform.machine()
    version = ".".join(str(part) for part in sys.version_info[:3])
    return f"Smartcar/{__version__} ({system}; {machine}) Python v{version}"


USER_AGENT = _user_agent()


# Building ----------------------------------------------------------------------------------


def build(
    method: str,
    url: str,
    *,
    token: Optional[str] = None,
    basic_auth: Optional[Tuple[str, str]] = None,
    unit_system: Optional[str] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    timeout: Optional[Timeout] = None,
    max_retries: Optional[int] = None,
    secrets: Iterable[Any] = (),
    headers: Optional[Mapping[str, str]] = None,
    repeatable: Optional[bool] = None,
    config: Optional[Config] = None,
    fields: Tuple[str, ...] = (),
) -> Request:
    """Return the :class:`Request` these arguments describe (see
    :func:`smartcar._transport.request` for each argument).

    Raises:
        ValueError: a token or app credential that cannot be sent in a header, a header
            name or value that cannot be sent, or a ``json_body`` that is not JSON.
        TypeError: ``headers`` is not a mapping.
    """
    _check_credentials(token, basic_auth)
    settings = config if config is not None else default_config()
    policy = settings.retry
    if max_retries is not None:
        policy = policy._replace(max_retries=max_retries)
    send_headers: Dict[str, str] = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}
    authorization: Optional[str] = None
    if token is not None:
        authorization = "Bearer " + token
    elif basic_auth is not None:
        pair = f"{basic_auth[0]}:{basic_auth[1]}".encode("latin1")
        authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    if unit_system is not None:
        send_headers["sc-unit-system"] = unit_system
    body: Optional[bytes] = None
    if json_body is not None:
        send_headers["Content-Type"] = "application/json"
        body = encode_json(json_body)
    elif form is not None:
        send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(list(form)).encode("ascii")
    extra_secrets: Tuple[str, ...] = ()
    if headers is not None:
        for name, value in _checked_headers(headers).items():
            if name.lower() == "authorization":
                authorization = None
                extra_secrets += (value, value.partition(" ")[2])
            send_headers[name] = value
    if authorization is not None:
        send_headers["Authorization"] = authorization
    query = encode_query(params) if params else ""
    return Request(
        method,
        (url + ("&" if urlsplit(url).query else "?") + query) if query else url,
        send_headers,
        body,
        timeout=timeout if timeout is not None else settings.timeout,
        may_repeat=method == "GET" if repeatable is None else repeatable,
        retry=policy,
        max_body_size=settings.max_body_size,
        redactor=redactor_for((token, *secrets, *extra_secrets), basic_auth),
        fields=fields,
    )


def build_call(
    described: Endpoint,
    *,
    config: Config,
    token: Optional[str] = None,
    basic_auth: Optional[Tuple[str, str]] = None,
    management_token: Optional[str] = None,
    unit_system: Optional[str] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    headers: Optional[Mapping[str, str]] = None,
    secrets: Iterable[Any] = (),
    url: Optional[str] = None,
    **path_params: str,
) -> Request:
    """Return the :class:`Request` of one call of an endpoint: its URL for ``config`` (or
    ``url``, a page link or a checked URL the caller resolved), the
    credentials it takes (``auth``), ``sc-unit-system`` where it sends it, its fixed body
    unless ``json_body`` is given, and the fields its answer must hold.

    Raises:
        TypeError, ValueError: a path value that cannot be one segment, or what
            :func:`build` raises.
    """
    credentials: Optional[Tuple[str, str]] = None
    if described.auth == "basic":
        credentials = basic_auth
    elif described.auth == "management":
        credentials = ("default", management_token) if management_token is not None else None
    if json_body is None and described.body is not None:
        json_body = dict(described.body)
    return build(
        described.method,
        url if url is not None else url_for(described, config, **path_params),
        token=token if described.auth in ("bearer", "app") else None,
        basic_auth=credentials,
        unit_system=unit_system if described.unit_system else None,
        params=params,
        json_body=json_body,
        form=form,
        secrets=secrets,
        headers=headers,
        repeatable=described.repeatable,
        config=config,
        fields=described.fields,
    )


def url_for(described: Endpoint, config: Config, **path_params: str) -> str:
    """Return the absolute URL of ``described`` for ``config``'s API version.

    Each ``{name}`` in the path is replaced by ``path_params[name]``, escaped as one path
    segment.

    Raises:
        TypeError, ValueError: a value that cannot be one path segment (see
            :func:`smartcar._checks.path_segment`).
    """
    base = config.url(described.service)
    if not described.path:
        return base
    escaped = {name: path_segment(value, name) for name, value in path_params.items()}
    return f"{base}/{described.path.format(**escaped)}"


def encode_json(body: Any) -> bytes:
    """Return ``body`` as ``requests``' ``json=`` sends it: UTF-8 bytes of ``json.dumps``.

    Raises:
        ValueError: ``body`` holds ``NaN``/infinity or a value JSON cannot represent.
    """
    try:
        return json.dumps(body, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"the request body cannot be sent as JSON ({error})") from None


def encode_query(params: Mapping[str, Any]) -> str:
    """Return ``params`` as a query string, as ``requests``' ``params=`` encodes it: a list or
    tuple value repeats its key, ``None`` leaves the key out."""
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if item is not None:
                pairs.append((key, item))
    return urlencode(pairs)


def _checked_headers(headers: Mapping[str, str]) -> Dict[str, str]:
    """Return ``headers`` as a dict after checking each name and value can be sent."""
    if type(headers) is not dict and not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping of strings, not {type(headers).__name__}")
    checked: Dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _is_token(name):
            raise ValueError(f"headers: {name!r} is not a valid header name")
        if not isinstance(value, str) or not (value == "" or sendable(value)):
            raise ValueError(f"headers: the value of {name!r} must be printable ASCII text")
        checked[name] = value
    return checked


_TOKEN_CHARACTERS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@functools.lru_cache(maxsize=256)
def _is_token(name: str) -> bool:
    return bool(name) and all(character in _TOKEN_CHARACTERS for character in name)


def _check_credentials(token: Optional[str], basic_auth: Optional[Tuple[str, str]]) -> None:
    """Reject credentials that cannot travel in an HTTP header, without echoing them."""
    named = [("access token", token)]
    if basic_auth is not None:
        named += [("client id", basic_auth[0]), ("client secret", basic_auth[1])]
    for name, value in named:
        if value is None:
            continue
        if not (value == "" or sendable(value)):
            raise ValueError(
                f"The {name} must be a string of printable ASCII characters "
                "(it is sent in an HTTP header)"
            )


# Decoding ----------------------------------------------------------------------------------


def decode(
    request: Request,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    reason: Optional[str] = None,
    response: Any = None,
) -> Outcome:
    """Return what an answer to ``request`` means: an :class:`ApiResponse` for a 2xx answer
    with a JSON body holding the request's ``fields`` (with ``request.raw_body``, any 2xx
    answer, its body's bytes undecoded: :func:`smartcar._answers.parsed`), else the matching
    exception.

    ``headers`` should look names up case-insensitively; ``response`` (the driver's answer
    object) is kept as ``e.response``.
    """
    if request.raw_body and 200 <= status < 300:
        return success(status, headers, content, request.redactor)
    try:
        return parse_response(
            status,
            headers,
            content,
            response,
            reason,
            redactor=request.redactor,
            fields=request.fields,
        )
    except SmartcarException as error:
        return error


def _request_id(request: Request, headers: Mapping[str, str]) -> Optional[str]:
    value = headers.get("sc-request-id")
    return request.redactor.text(value) if value else None


def too_large(request: Request, status: int, headers: Mapping[str, str]) -> SmartcarException:
    """The answer's body is larger than ``request.max_body_size``."""
    return SmartcarException(
        f"The answer from {request.host} is larger than the {request.max_body_size}-byte "
        "limit (smartcar.set_defaults(max_body_size=...))",
        status_code=status,
        error="response_too_large",
        request_id=_request_id(request, headers),
    )


def invalid_encoding(
    request: Request, status: int, headers: Mapping[str, str]
) -> SmartcarException:
    """The body does not decode as its ``Content-Encoding`` says."""
    return SmartcarException(
        f"The answer from {request.host} does not decode as its Content-Encoding says",
        status_code=status,
        error="invalid_response",
        request_id=_request_id(request, headers),
    )


def timed_out(
    request: Request,
    *,
    status: Optional[int] = None,
    headers: Optional[Mapping[str, str]] = None,
    whole_answer: bool = False,
    connecting: bool = False,
    deadline: bool = False,
) -> SmartcarTimeout:
    """A timeout: while ``connecting`` (nothing was sent), while waiting for the answer, or at
    the ``deadline`` the read timeout sets for the answer (``whole_answer``: its head had
    arrived, ``status`` and ``headers`` are known)."""
    host = request.host
    if connecting:
        failure = SmartcarTimeout(f"Timed out connecting to {host}", error="timeout")
        failure.sent = False
        return failure
    if not (deadline or whole_answer):
        return SmartcarTimeout(f"Timed out waiting for {host}", error="timeout")
    what = "the whole answer" if whole_answer else "the answer"
    return SmartcarTimeout(
        f"Timed out waiting for {host}: {what} did not arrive within the "
        f"{request.read_timeout:g} s read timeout",
        error="timeout",
        status_code=status,
        request_id=_request_id(request, headers) if headers is not None else None,
    )


def connection_failed(request: Request) -> SmartcarConnectionError:
    """No connection could be made: nothing was sent."""
    failure = SmartcarConnectionError(
        f"Could not connect to {request.host}", error="connection_failed"
    )
    failure.sent = False
    return failure


def connection_dropped(request: Request, status: Optional[int] = None) -> SmartcarConnectionError:
    """The connection broke before the answer (``status``: its head) arrived."""
    what = "the whole answer" if status is not None else "an answer"
    return SmartcarConnectionError(
        f"The connection to {request.host} broke before {what} arrived",
        error="connection_dropped",
        status_code=status,
    )


def tls_failed(request: Request) -> SmartcarConnectionError:
    """TLS verification failed."""
    return SmartcarConnectionError(
        f"TLS verification with {request.host} failed (untrusted certificate? see "
        "REQUESTS_CA_BUNDLE)",
        error="tls_failed",
    )


def request_failed(kind: str) -> SmartcarConnectionError:
    """Any other failure of the HTTP library (``kind``: its exception's name)."""
    return SmartcarConnectionError(
        f"The request to the Smartcar API failed ({kind})", error="request_failed"
    )


# Retrying ----------------------------------------------------------------------------------


def was_sent(outcome: Outcome) -> bool:
    """Whether an attempt may have reached the service (``False``: the connection, or its
    connect timeout, failed, so nothing was sent)."""
    return getattr(outcome, "sent", True) is not False


def next_attempt(
    request: Request, attempt: int, outcome: Outcome, elapsed: float
) -> Optional[float]:
    """Return the seconds to wait before sending ``request`` again after attempt number
    ``attempt`` gave ``outcome``, ``elapsed`` seconds after the first attempt started; ``None``:
    do not (a 2xx answer, a failure that may have had an effect, the policy's count or
    ``max_elapsed`` used up)."""
    if isinstance(outcome, ApiResponse):
        return None
    delay = retry_delay(request.may_repeat, outcome, request.retry, attempt)
    if delay is None or elapsed + delay > request.retry.max_elapsed:
        return None
    return delay


def retry_delay(
    repeatable: bool, error: SmartcarException, policy: RetryPolicy, attempt: int
) -> Optional[float]:
    """Return the wait before attempt ``attempt + 1``, or ``None`` when it must not be retried.

    The one retry rule: every driver asks it (through :func:`next_attempt`), the fleet sweep
    schedules it.
    """
    if attempt > policy.max_retries:
        return None
    if not was_sent(error):
        return policy.backoff(attempt)
    if isinstance(error, SmartcarTimeout):
        return None
    if not repeatable or error.status_code not in (429, 502, 503):
        return None
    if error.retry_after is not None:
        return error.retry_after if error.retry_after <= policy.retry_after_cap else None
    if error.status_code == 429:
        # A vehicle's rate limit without Retry-After is not worth a retry; the application's
        # is the pause every request takes, this one included.
        return app_pause(error, policy, attempt)
    return policy.backoff(attempt)  # a gateway error without Retry-After


APP_RATE_LIMIT_CODE = "SMARTCAR_API"
"""The code of a 429 that limits the whole application (v2.0 and v3: ``RATE_LIMIT``)."""


def app_pause(outcome: Outcome, policy: RetryPolicy, attempt: int) -> Optional[float]:
    """Return how many seconds every request of the application waits after ``outcome``, or
    ``None`` when it is not an app-wide rate limit (a 429 whose code is ``SMARTCAR_API``).

    The pause is the answer's ``Retry-After``, else the backoff of ``attempt`` without jitter
    (the service's bucket refills slowly: every worker waits, not a random share of them).
    """
    if (
        not isinstance(outcome, SmartcarException)
        or outcome.status_code != 429
        or (outcome.code or "").upper() != APP_RATE_LIMIT_CODE
    ):
        return None
    if outcome.retry_after is not None:
        return outcome.retry_after
    return policy.backoff_ceiling(attempt)


# A 401 and a fresh token -------------------------------------------------------------------


class TokenSource(Protocol):
    """Where a call's bearer token comes from: the per-user token manager's provider
    (``TokenManager.provider``), the v3 application token, any object a user passes as
    ``Vehicle(vehicle_id, provider)``. An async driver's source has the same two methods as
    coroutines."""

    def access_token(self) -> str:
        """Return the token to send now (fetched or refreshed only when none is fresh)."""
        ...

    def refresh_access_token(self, rejected: str) -> str:
        """Return a fresh token after the service answered 401 to ``rejected`` (when another
        caller already replaced it, the newer token without a new request)."""
        ...


_TOKEN_REFUSED_TYPES = ("AUTHENTICATION", "AUTHENTICATION_ERROR", "INVALID_TOKEN")


def token_refused(error: SmartcarException) -> bool:
    """Whether a 401 is the service refusing the token itself, so nothing went further: an
    ``AUTHENTICATION`` error (v2, v3), or one without a type (v1's ``authentication_error``,
    an empty body)."""
    if error.status_code != 401 or not isinstance(error, AuthenticationException):
        return False
    kind = error.type
    return kind is None or kind.upper() in _TOKEN_REFUSED_TYPES


def replays(rule: str, outcome: Outcome) -> bool:
    """Whether ``outcome`` of a call whose endpoint states ``rule`` (:data:`REPLAY`,
    :data:`REPLAY_IF_REFUSED`, :data:`REPLAY_NEVER`) may be repaired by one fresh token and
    one more attempt."""
    if not isinstance(outcome, AuthenticationException) or outcome.status_code != 401:
        return False
    if rule == REPLAY:
        return True
    return rule == REPLAY_IF_REFUSED and token_refused(outcome)
