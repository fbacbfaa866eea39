"""The transport: every HTTP request the SDK makes goes through :func:`request`.

It owns a process-wide pooled ``requests.Session`` (connections are reused across every
``Vehicle`` and ``AuthClient``; safe to share between threads; never stores cookies; recreated
in a forked child), attaches credentials and the SDK's headers, applies timeouts and the retry
policy, logs each attempt under the ``smartcar`` logger and turns every answer into an
:class:`ApiResponse` or a :class:`~smartcar.exceptions.SmartcarException`.

Retry policy (see README, "Reliability"): an attempt is repeated only when it certainly did not
take effect:

* the connection could not be established (refused, DNS failure, connect timeout): any method,
  token exchanges included, since nothing was sent;
* a repeatable request (a read, as its endpoint description says; by default a GET) answered
  429 with a ``Retry-After`` of at most ``retry_after_cap`` seconds;
* a repeatable request answered 502 or 503 (a gateway that did not reach the service),
  unless its ``Retry-After`` is longer than the cap;
* a repeatable request answered with an app-wide rate limit (429 with the code
  ``SMARTCAR_API``, in v2.0 and v3 bodies alike) without ``Retry-After``: after the policy's
  backoff without jitter, the pause every request of the application takes (:func:`app_pause`).

Never repeated: read timeouts, dropped connections, 500, 504, and any answer to a request
that is not repeatable (commands, batch, token exchanges, DELETE). Waits use exponential
backoff with full jitter; a ``Retry-After`` longer than the cap raises
:class:`~smartcar.exceptions.RateLimitingException` at once. No retry starts once
``max_elapsed`` seconds have passed since the first attempt, so a call lasts at most
``max_elapsed`` plus one attempt's connect and read timeouts.

A caller may put an :class:`AttemptGate` around each attempt (the v3 client's call meter does:
it counts calls, refuses calls for spent vehicles, and makes every request wait out an
app-wide pause).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import zlib
from http.cookiejar import Cookie
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Protocol, Tuple, Union
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar

from . import __version__
from ._answers import ApiResponse, parse_response
from ._checks import sendable
from ._config import Config, RetryPolicy, Timeout
from ._config import default as default_config
from .exceptions import (
    SmartcarConnectionError,
    SmartcarException,
    SmartcarTimeout,
)

if TYPE_CHECKING:
    from ._redact import Redactor

__all__ = [
    "POOL_SIZE",
    "USER_AGENT",
    "AttemptGate",
    "app_pause",
    "encode_json",
    "get_session",
    "last_request_id",
    "request",
    "retry_delay",
    "was_sent",
]

logger = logging.getLogger("smartcar")
logger.addHandler(logging.NullHandler())

POOL_SIZE = 32


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


class _BearerAuth(AuthBase):
    """Sets ``Authorization: Bearer``; passing it as ``auth=`` also keeps ``~/.netrc`` out."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        prepared.headers["Authorization"] = "Bearer " + self._token
        return prepared

    def __repr__(self) -> str:
        return "_BearerAuth(<hidden>)"


class _NoCookies(RequestsCookieJar):
    """A jar that never keeps a cookie, so one user's cookies cannot reach another's calls."""

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class AttemptGate(Protocol):
    """What a caller puts around each attempt of one request (see :func:`request`)."""

    def admit(self, policy: RetryPolicy) -> None:
        """Called before each attempt: may wait (a pause), or raise so that nothing is sent.

        Raises:
            SmartcarException: the attempt must not be sent.
        """
        ...

    def record(
        self, outcome: Union[ApiResponse, SmartcarException], pause: Optional[float]
    ) -> None:
        """Called after each attempt with its outcome, and the app-wide pause in seconds it
        calls for (:func:`app_pause`; ``None`` for any other outcome)."""
        ...


_session: Optional[requests.Session] = None
_session_lock = threading.Lock()
_local = threading.local()


def get_session() -> requests.Session:
    """Return the process-wide pooled session, creating it on first use."""
    global _session
    session = _session
    if session is None:
        with _session_lock:
            if _session is None:
                _session = _new_session()
            session = _session
    return session


class _Adapter(HTTPAdapter):
    """Pools whose connections bound the wait for an answer's head (:mod:`._watchdog`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        from ._watchdog import POOL_CLASSES

        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)


def _new_session() -> requests.Session:
    session = requests.Session()
    session.cookies = _NoCookies()
    adapter = _Adapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    # Only encodings the SDK decodes itself, with a bound on the decoded size.
    from ._body import ACCEPT_ENCODING

    session.headers["Accept-Encoding"] = ACCEPT_ENCODING
    return session


def _forget_session_after_fork() -> None:
    global _session, _session_lock
    _session = None
    _session_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_session_after_fork)


def last_request_id() -> Optional[str]:
    """Return the ``sc-request-id`` of the last answer received by this thread."""
    value: Optional[str] = getattr(_local, "request_id", None)
    return value


def request(
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
    gate: Optional[AttemptGate] = None,
) -> ApiResponse:
    """Send one logical request (one or more attempts) and return its 2xx answer.

    Args:
        method: HTTP method.
        url: absolute URL.
        token: access token, sent as ``Authorization: Bearer``.
        basic_auth: ``(client_id, client_secret)`` for HTTP Basic auth.
        unit_system: value of the ``sc-unit-system`` header, if any.
        params: query parameters.
        json_body: a JSON-serialisable body, sent exactly as ``requests``' ``json=`` sends it
            (UTF-8 bytes of ``json.dumps(body)`` with its default separators,
            ``Content-Type: application/json``).
        form: form fields, sent in the given order.
        timeout: seconds, or ``(connect, read)``; defaults to the configuration's.
        max_retries: overrides the configuration's retry policy ``max_retries``.
        secrets: extra values (codes, refresh tokens) to keep out of exception messages.
        headers: extra request headers (e.g. ``sc-user-id``), added after the SDK's own; an
            ``Authorization`` header here replaces ``token``/``basic_auth`` and is kept out of
            exception messages like them.
        repeatable: whether the request is a read that may be sent again after an answer
            that shows it had no effect (429, 502, 503); it comes from the endpoint
            description. ``None``: only a GET is.
        config: the settings (timeout, retry policy, answer size limit); defaults to the
            process-wide default configuration.
        gate: admits each attempt and is told its outcome (see :class:`AttemptGate`).

    Returns:
        The answer as an :class:`ApiResponse`.

    Raises:
        SmartcarException: the matching subclass for any error answer, a malformed answer,
            a failed connection (:class:`SmartcarConnectionError`) or a timeout
            (:class:`SmartcarTimeout`), or what ``gate`` raised.
        ValueError: a token or app credential that cannot be sent in a header, a header
            name or value that cannot be sent, or a ``json_body`` that is not JSON
            (``NaN``, a non-serialisable object).
    """
    _check_credentials(token, basic_auth)
    settings = config if config is not None else default_config()
    policy = settings.retry
    if max_retries is not None:
        policy = policy._replace(max_retries=max_retries)
    may_repeat = method == "GET" if repeatable is None else repeatable
    send_headers: Dict[str, str] = {}
    auth: Any = basic_auth
    if token is not None:
        auth = _BearerAuth(token)
    if unit_system is not None:
        send_headers["sc-unit-system"] = unit_system
    body_data: Optional[Union[str, bytes]] = None
    if json_body is not None:
        send_headers["Content-Type"] = "application/json"
        body_data = encode_json(json_body)
    elif form is not None:
        send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        body_data = urlencode(list(form))
    extra_secrets: Tuple[str, ...] = ()
    if headers is not None:
        extra = _checked_headers(headers)
        for name, value in extra.items():
            if name.lower() == "authorization":
                auth = None
                extra_secrets += (value, value.partition(" ")[2])
        send_headers.update(extra)
    send_timeout = timeout if timeout is not None else settings.timeout
    read_timeout = send_timeout[1] if isinstance(send_timeout, tuple) else send_timeout
    body_limit = settings.max_body_size
    from ._redact import Redactor  # here, not at ``import smartcar``
    from ._watchdog import deadline as head_deadline

    redactor = Redactor((token, *secrets, *extra_secrets), basic_auth=basic_auth)
    split_url = urlsplit(url)
    path = split_url.path or "/"
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        if gate is not None:
            gate.admit(policy)
        attempt_started = time.monotonic()
        attempt_deadline = attempt_started + read_timeout
        head_cut_after = _real_monotonic() + read_timeout
        try:
            with head_deadline(read_timeout):
                response = get_session().request(
                    method,
                    url,
                    params=params,
                    data=body_data,
                    headers=send_headers,
                    auth=auth,
                    timeout=send_timeout,
                    allow_redirects=False,
                    stream=True,
                )
        except requests.RequestException as error:
            if _cut_at_deadline(error, head_cut_after):
                failure: SmartcarException = _late_head(split_url.netloc, read_timeout)
            else:
                failure = _network_exception(error, split_url.netloc, redactor)
            failure.__cause__ = error
            outcome: Union[ApiResponse, SmartcarException] = failure
        else:
            outcome = _receive(
                response,
                redactor,
                deadline=attempt_deadline,
                read_timeout=read_timeout,
                limit=body_limit,
                host=split_url.netloc,
            )
        duration = time.monotonic() - attempt_started
        _log_attempt(method, path, outcome, duration, attempt)
        _local.request_id = outcome.request_id
        if gate is not None:
            gate.record(outcome, app_pause(outcome, policy, attempt))
        if isinstance(outcome, ApiResponse):
            return outcome
        delay = retry_delay(may_repeat, outcome, policy, attempt)
        if delay is None or time.monotonic() - started + delay > policy.max_elapsed:
            raise outcome
        logger.warning(
            "retrying %s %s in %.2fs after %s (attempt %d of %d)",
            method,
            path,
            delay,
            _describe(outcome),
            attempt + 1,
            policy.max_retries + 1,
        )
        time.sleep(delay)


def encode_json(body: Any) -> bytes:
    """Return ``body`` as ``requests``' ``json=`` sends it: UTF-8 bytes of ``json.dumps``.

    Raises:
        ValueError: ``body`` holds ``NaN``/infinity or a value JSON cannot represent.
    """
    try:
        return json.dumps(body, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"the request body cannot be sent as JSON ({error})") from None


def _checked_headers(headers: Mapping[str, str]) -> Dict[str, str]:
    """Return ``headers`` as a dict after checking each name and value can be sent."""
    if not isinstance(headers, Mapping):
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


def _receive(
    response: requests.Response,
    redactor: Redactor,
    *,
    deadline: float,
    read_timeout: float,
    limit: int,
    host: str,
) -> Union[ApiResponse, SmartcarException]:
    """Read the answer's body within the deadline and the size limit, then parse it."""
    from ._body import BodyTooLarge, DeadlinePassed, read_body

    try:
        try:
            content = read_body(
                response.raw,
                response.headers.get("Content-Encoding"),
                deadline=deadline,
                read_timeout=read_timeout,
                limit=limit,
                clock=time.monotonic,
            )
        finally:
            response.close()  # back to the pool when read to the end, else closed
    except DeadlinePassed:
        return _late_answer(host, read_timeout, response)
    except BodyTooLarge:
        return SmartcarException(
            f"The answer from {host} is larger than the {limit}-byte limit "
            "(smartcar.set_defaults(max_body_size=...))",
            status_code=response.status_code,
            error="response_too_large",
            request_id=response.headers.get("sc-request-id") or None,
        )
    except zlib.error:
        return SmartcarException(
            f"The answer from {host} does not decode as its Content-Encoding says",
            status_code=response.status_code,
            error="invalid_response",
            request_id=response.headers.get("sc-request-id") or None,
        )
    except Exception as error:  # urllib3/socket errors of a body cut short
        outcome = _broken_body(error, host, read_timeout, response)
        outcome.__cause__ = error
        return outcome
    # Keep ``e.response.content``/``.json()`` usable, as with a response read by requests.
    response._content = content
    setattr(response, "_content_consumed", True)  # noqa: B010 (private, untyped attribute)
    try:
        return parse_response(
            response.status_code,
            response.headers,
            content,
            response,
            response.reason,
            redactor=redactor,
        )
    except SmartcarException as error:
        return error


def _cut_at_deadline(error: requests.RequestException, deadline: float) -> bool:
    """Whether the answer's head stopped because its deadline passed (the watchdog cut it)."""
    return (
        isinstance(error, requests.ConnectionError)
        and not isinstance(error, requests.ConnectTimeout)
        and not _connect_failed(error)
        and _real_monotonic() >= deadline
    )


def _real_monotonic() -> float:
    import time as real_time  # the module's ``time`` may be a test's fake clock

    return real_time.monotonic()


def _late_head(host: str, read_timeout: float) -> SmartcarTimeout:
    return SmartcarTimeout(
        f"Timed out waiting for {host}: the answer did not arrive within the "
        f"{read_timeout:g} s read timeout",
        error="timeout",
    )


def _late_answer(host: str, read_timeout: float, response: requests.Response) -> SmartcarTimeout:
    return SmartcarTimeout(
        f"Timed out waiting for {host}: the whole answer did not arrive within the "
        f"{read_timeout:g} s read timeout",
        error="timeout",
        status_code=response.status_code,
        request_id=response.headers.get("sc-request-id") or None,
    )


def _broken_body(
    error: Exception, host: str, read_timeout: float, response: requests.Response
) -> SmartcarException:
    """The exception for a body that stopped arriving (read timeout or dropped connection)."""
    from urllib3.exceptions import ReadTimeoutError

    if isinstance(error, (ReadTimeoutError, TimeoutError)):
        return _late_answer(host, read_timeout, response)
    return SmartcarConnectionError(
        f"The connection to {host} broke before the whole answer arrived",
        error="connection_dropped",
        status_code=response.status_code,
    )


_RESPONSES_MISMATCH = "Connection refused by Responses"


def _network_exception(
    error: requests.RequestException, host: str, redactor: Redactor
) -> SmartcarException:
    text = str(error)
    if text.startswith(_RESPONSES_MISMATCH):
        # A test's ``responses`` mock has no match for the call: say so, not "connection broke".
        first_paragraph = redactor.text(" ".join(text.split("\n\n")[:2]).replace("\n", " "))
        return SmartcarConnectionError(
            f"The request was not sent: {first_paragraph[:1000]}", error="no_matching_mock"
        )
    if isinstance(error, requests.Timeout):
        phase = "connecting to" if isinstance(error, requests.ConnectTimeout) else "waiting for"
        return SmartcarTimeout(f"Timed out {phase} {host}", error="timeout")
    if isinstance(error, requests.exceptions.SSLError):
        return SmartcarConnectionError(
            f"TLS verification with {host} failed (untrusted certificate? see REQUESTS_CA_BUNDLE)",
            error="tls_failed",
        )
    if isinstance(error, requests.ConnectionError):
        if _connect_failed(error):
            return SmartcarConnectionError(
                f"Could not connect to {host}", error="connection_failed"
            )
        return SmartcarConnectionError(
            f"The connection to {host} broke before an answer arrived",
            error="connection_dropped",
        )
    return SmartcarConnectionError(
        f"The request to the Smartcar API failed ({type(error).__name__})",
        error="request_failed",
    )


def _connect_failed(error: BaseException) -> bool:
    """Whether the request certainly never left this machine (no connection was made)."""
    from urllib3.exceptions import NewConnectionError

    seen = 0
    current: Optional[BaseException] = error
    while current is not None and seen < 10:
        if isinstance(current, NewConnectionError):
            return True
        reason = getattr(current, "reason", None)
        nested = current.args[0] if current.args else None
        current = (
            reason
            if isinstance(reason, BaseException)
            else (nested if isinstance(nested, BaseException) else None)
        )
        seen += 1
    return False


def retry_delay(
    repeatable: bool, error: SmartcarException, policy: RetryPolicy, attempt: int
) -> Optional[float]:
    """Return the wait before attempt ``attempt + 1``, or ``None`` when it must not be retried.

    The one retry rule: the request helper sleeps for it, the fleet sweep schedules it.
    """
    if attempt > policy.max_retries:
        return None
    if not was_sent(error):
        return policy.backoff(attempt)
    if isinstance(error, SmartcarTimeout) and error.__cause__ is not None:
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


def was_sent(outcome: Union[ApiResponse, SmartcarException]) -> bool:
    """Whether an attempt may have reached the service (``False``: the connection, or its
    connect timeout, failed, so nothing was sent)."""
    if isinstance(outcome, SmartcarConnectionError):
        return outcome.error != "connection_failed"
    if isinstance(outcome, SmartcarTimeout):
        return not isinstance(outcome.__cause__, requests.ConnectTimeout)
    return True


APP_RATE_LIMIT_CODE = "SMARTCAR_API"
"""The code of a 429 that limits the whole application (v2.0 and v3: ``RATE_LIMIT``)."""


def app_pause(
    outcome: Union[ApiResponse, SmartcarException], policy: RetryPolicy, attempt: int
) -> Optional[float]:
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


def _describe(outcome: SmartcarException) -> str:
    if outcome.status_code is not None:
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__


def _log_attempt(
    method: str,
    path: str,
    outcome: Union[ApiResponse, SmartcarException],
    duration: float,
    attempt: int,
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    status = outcome.status_code
    logger.debug(
        "%s %s -> %s (request_id=%s, %.1f ms, attempt %d)",
        method,
        path,
        type(outcome).__name__ if status is None else status,
        outcome.request_id,
        duration * 1000,
        attempt,
    )


def _configure_logging_from_env() -> None:
    level = os.environ.get("SMARTCAR_LOG", "").strip().upper()
    if not level:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(getattr(logging, level, logging.DEBUG))


_configure_logging_from_env()
