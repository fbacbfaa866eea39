"""The driver: every HTTP request the SDK makes goes through :func:`send` (:func:`request`
builds one from loose arguments first).

Building a request, decoding its answer and deciding on a retry are the sans-I/O core's
(:mod:`smartcar._core`); this module does the I/O. :func:`send` runs the attempts (the gate,
the log line, the sleep before a retry) and hands each one to a :class:`Transport`: by default
:class:`RequestsTransport`, which owns a process-wide pooled ``requests.Session`` (connections
are reused across every ``Vehicle`` and ``AuthClient``; safe to share between threads; never
stores cookies; recreated in a forked child), bounds the wait for the answer's head
(:mod:`._watchdog`) and reads the body within its deadline and size limit (:mod:`._body`).

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

import logging
import os
import sys
import threading
import time
import zlib
from http.cookiejar import Cookie
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Protocol, Tuple, Union

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar

from . import _core
from ._answers import ApiResponse
from ._core import USER_AGENT, Outcome, Request
from ._settings import RetryPolicy, Timeout
from ._wire import Clock, Transport
from .exceptions import SmartcarException

if TYPE_CHECKING:
    from ._config import Config

__all__ = [
    "POOL_SIZE",
    "USER_AGENT",
    "AttemptGate",
    "Clock",
    "RequestsTransport",
    "Transport",
    "app_pause",
    "default_transport",
    "encode_json",
    "get_session",
    "last_request_id",
    "request",
    "retry_delay",
    "send",
    "set_default_transport",
    "was_sent",
]

logger = logging.getLogger("smartcar")
logger.addHandler(logging.NullHandler())

POOL_SIZE = 32


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
    # The same values as every request's own (``_core.build``), so the order stays requests'.
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = _core.ACCEPT_ENCODING
    return session


def reserve_connections(count: int) -> None:
    """Let the pooled session keep up to ``count`` connections per host (never fewer than
    :data:`POOL_SIZE`): a fleet sweep with more reads in flight than the pool keeps would
    otherwise open a connection for a read and drop it after."""
    session = get_session()
    with _session_lock:
        adapters = {id(adapter): adapter for adapter in session.adapters.values()}
        for adapter in adapters.values():
            manager = getattr(adapter, "poolmanager", None)
            if manager is None or manager.connection_pool_kw.get("maxsize", 0) >= count:
                continue
            adapter._pool_maxsize = count  # type: ignore[attr-defined]
            manager.connection_pool_kw["maxsize"] = count  # the pools made from now on
            for key in list(manager.pools.keys()):  # and those open: kept, under their new key
                pool = manager.pools.get(key)
                if pool is not None and pool.pool is not None:
                    pool.pool.maxsize = count
                    with manager.pools.lock:  # moved, not disposed of (that would close it)
                        manager.pools._container.pop(key, None)
                    manager.pools[key._replace(key_maxsize=count)] = pool


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
    built = _core.build(
        method,
        url,
        token=token,
        basic_auth=basic_auth,
        unit_system=unit_system,
        params=params,
        json_body=json_body,
        form=form,
        timeout=timeout,
        max_retries=max_retries,
        secrets=secrets,
        headers=headers,
        repeatable=repeatable,
        config=config,
    )
    return send(built, gate=gate)


def send(
    request: Request,
    *,
    gate: Optional[AttemptGate] = None,
    transport: Optional[Transport] = None,
) -> ApiResponse:
    """Send ``request`` (one or more attempts, as :func:`smartcar._core.next_attempt` says)
    through ``transport`` (default: the process default, see :func:`set_default_transport`)
    and return its 2xx answer.

    Raises:
        SmartcarException: the outcome of the last attempt, or what ``gate`` raised.
    """
    driver = transport if transport is not None else default_transport()
    clock = driver.clock
    started = clock.monotonic()
    attempt = 0
    while True:
        attempt += 1
        if gate is not None:
            gate.admit(request.retry)
        attempt_started = clock.monotonic()
        outcome = driver.attempt(request)
        now = clock.monotonic()
        _log_attempt(request, outcome, now - attempt_started, attempt)
        _local.request_id = outcome.request_id
        if gate is not None:
            gate.record(outcome, _core.app_pause(outcome, request.retry, attempt))
        if isinstance(outcome, ApiResponse):
            return outcome
        delay = _core.next_attempt(request, attempt, outcome, now - started)
        if delay is None:
            raise outcome
        logger.warning(
            "retrying %s %s in %.2fs after %s (attempt %d of %d)",
            request.method,
            request.path,
            delay,
            _describe(outcome),
            attempt + 1,
            request.retry.max_retries + 1,
        )
        clock.sleep(delay)


class _KeepHeaders(AuthBase):
    """Leaves the request's own ``Authorization`` (or none) as it is; passing it as ``auth=``
    keeps ``~/.netrc`` credentials out of every request."""

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        return prepared


_KEEP_HEADERS = _KeepHeaders()


class RequestsTransport:
    """The network driver: the process-wide pooled ``requests`` session, the watchdog that
    bounds the wait for an answer's head, and the bounded reading of its body.

    Args:
        clock: the clock of the waits between attempts (default: the ``time`` module); the
            deadlines of one attempt always run on real time.
    """

    def __init__(self, clock: Optional[Clock] = None) -> None:
        self._clock: Clock = clock if clock is not None else time

    @property
    def clock(self) -> Clock:
        """The clock of the waits between attempts."""
        return self._clock

    def attempt(self, request: Request) -> Outcome:
        """Send ``request`` once over the network and decode its answer."""
        read_timeout = request.read_timeout
        from ._watchdog import deadline as head_deadline

        attempt_deadline = time.monotonic() + read_timeout
        head_cut_after = attempt_deadline
        try:
            with head_deadline(read_timeout):
                response = get_session().request(
                    request.method,
                    request.url,
                    data=_data(request),
                    headers=request.headers,
                    auth=_KEEP_HEADERS,
                    timeout=request.timeout,
                    allow_redirects=False,
                    stream=True,
                )
        except requests.RequestException as error:
            if _cut_at_deadline(error, head_cut_after):
                failure: SmartcarException = _core.timed_out(request, deadline=True)
            else:
                failure = _network_exception(error, request)
            failure.__cause__ = error
            return failure
        return _receive(request, response, deadline=attempt_deadline)


def _data(request: Request) -> Union[bytes, str, None]:
    # A form goes to requests as text, as 4.3.5 gave it (same bytes on the wire): a user's
    # ``responses`` mock keeps seeing ``request.body`` as the str it saw with 4.3.
    if request.body is not None and request.headers.get("Content-Type", "").endswith("urlencoded"):
        return request.body.decode("ascii")
    return request.body


_default: Transport = RequestsTransport()


def default_transport() -> Transport:
    """The transport of every call that does not name one."""
    return _default


def set_default_transport(transport: Optional[Transport]) -> None:
    """Make ``transport`` the process default (``None``: the network again)."""
    global _default
    _default = transport if transport is not None else RequestsTransport()


encode_json = _core.encode_json


def _receive(request: Request, response: requests.Response, *, deadline: float) -> Outcome:
    """Read the answer's body within the deadline and the size limit, then decode it."""
    from ._body import BodyTooLarge, DeadlinePassed, read_body

    status, headers = response.status_code, response.headers
    try:
        try:
            content = read_body(
                response.raw,
                headers.get("Content-Encoding"),
                deadline=deadline,
                read_timeout=request.read_timeout,
                limit=request.max_body_size,
                clock=time.monotonic,
            )
        finally:
            response.close()  # back to the pool when read to the end, else closed
    except DeadlinePassed:
        return _core.timed_out(request, status=status, headers=headers, whole_answer=True)
    except BodyTooLarge:
        return _core.too_large(request, status, headers)
    except zlib.error:
        return _core.invalid_encoding(request, status, headers)
    except Exception as error:  # urllib3/socket errors of a body cut short
        outcome = _broken_body(error, request, response)
        outcome.__cause__ = error
        return outcome
    # Keep ``e.response.content``/``.json()`` usable, as with a response read by requests.
    response._content = content
    setattr(response, "_content_consumed", True)  # noqa: B010 (private, untyped attribute)
    return _core.decode(
        request, status, headers, content, reason=response.reason, response=response
    )


def _cut_at_deadline(error: requests.RequestException, deadline: float) -> bool:
    """Whether the answer's head stopped because its deadline passed (the watchdog cut it)."""
    return (
        isinstance(error, requests.ConnectionError)
        and not isinstance(error, requests.ConnectTimeout)
        and not _connect_failed(error)
        and time.monotonic() >= deadline
    )


def _broken_body(
    error: Exception, request: Request, response: requests.Response
) -> SmartcarException:
    """The exception for a body that stopped arriving (read timeout or dropped connection)."""
    from urllib3.exceptions import ReadTimeoutError

    if isinstance(error, (ReadTimeoutError, TimeoutError)):
        return _core.timed_out(
            request, status=response.status_code, headers=response.headers, whole_answer=True
        )
    return _core.connection_dropped(request, response.status_code)


def _network_exception(error: requests.RequestException, request: Request) -> SmartcarException:
    if isinstance(error, requests.Timeout):
        return _core.timed_out(request, connecting=isinstance(error, requests.ConnectTimeout))
    if isinstance(error, requests.exceptions.SSLError):
        return _core.tls_failed(request)
    if isinstance(error, requests.ConnectionError):
        if _connect_failed(error):
            return _core.connection_failed(request)
        return _core.connection_dropped(request)
    return _core.request_failed(type(error).__name__)


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


retry_delay = _core.retry_delay
was_sent = _core.was_sent
app_pause = _core.app_pause
APP_RATE_LIMIT_CODE = _core.APP_RATE_LIMIT_CODE


def _describe(outcome: SmartcarException) -> str:
    if outcome.status_code is not None:
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__


def _log_attempt(request: Request, outcome: Outcome, duration: float, attempt: int) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    status = outcome.status_code
    logger.debug(
        "%s %s -> %s (request_id=%s, %.1f ms, attempt %d)",
        request.method,
        request.path,
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
