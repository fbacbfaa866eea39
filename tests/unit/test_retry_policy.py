"""The retry policy of ``smartcar.api``: retried exactly when the attempt certainly did not
take effect. The clock is faked (``clock`` fixture): waits are recorded, never slept."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests
import responses
from unit_support import (
    ACCESS_TOKEN,
    API,
    AUTH,
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    FAST_POLICY,
    REDIRECT_URI,
    REFRESH_TOKEN,
    VEHICLE_ID,
    VEHICLE_URL,
    DroppingServer,
    FakeTime,
    FullBacklogServer,
    SilentServer,
)

import smartcar
from smartcar import api, const
from smartcar.exceptions import (
    GatewayTimeoutException,
    RateLimitingException,
    ServerException,
    SmartcarConnectionError,
    SmartcarException,
    SmartcarTimeout,
)

ODOMETER_URL = f"{VEHICLE_URL}/odometer"
OK_BODY = {"distance": 1.5}


def _vehicle(**kwargs: Any) -> smartcar.Vehicle:
    return smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, **kwargs)


def _client(**kwargs: Any) -> smartcar.AuthClient:
    return smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, **kwargs)


def _fail(status: int, retry_after: Optional[str] = None) -> Dict[str, Any]:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return {"status": status, "json": {"error": "x", "message": "m"}, "headers": headers}


def _backoff_ceiling(retry_number: int) -> float:
    ceiling: float = FAST_POLICY.backoff_base * 2.0 ** (retry_number - 1)
    return min(FAST_POLICY.backoff_max, ceiling)


@pytest.mark.parametrize("retry_after", ["0", "3", "9.5", "10"])
def test_get_429_with_short_retry_after_is_retried_after_that_wait(
    mocked: responses.RequestsMock, clock: FakeTime, retry_after: str
) -> None:
    mocked.get(ODOMETER_URL, **_fail(429, retry_after))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    assert _vehicle().odometer()["data"] == OK_BODY
    assert len(mocked.calls) == 2
    assert clock.sleeps == [float(retry_after)]


@pytest.mark.parametrize("retry_after", ["10.5", "11", "3600"])
def test_get_429_with_long_retry_after_raises_at_once(
    mocked: responses.RequestsMock, clock: FakeTime, retry_after: str
) -> None:
    mocked.get(ODOMETER_URL, **_fail(429, retry_after))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    with pytest.raises(RateLimitingException) as caught:
        _vehicle().odometer()
    assert caught.value.retry_after == float(retry_after)
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("retry_after", [None, "", "soon"])
def test_get_429_without_usable_retry_after_is_not_retried(
    mocked: responses.RequestsMock, clock: FakeTime, retry_after: Optional[str]
) -> None:
    mocked.get(ODOMETER_URL, **_fail(429, retry_after))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    with pytest.raises(RateLimitingException):
        _vehicle().odometer()
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


def _v2_rate_limit(code: str, retry_after: Optional[str] = None) -> Dict[str, Any]:
    body = {"type": "RATE_LIMIT", "code": code, "description": "d", "statusCode": 429}
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return {"status": 429, "json": body, "headers": headers}


def test_get_app_wide_429_without_retry_after_is_retried_after_the_unjittered_backoff(
    mocked: responses.RequestsMock, clock: FakeTime
) -> None:
    mocked.get(ODOMETER_URL, **_v2_rate_limit("SMARTCAR_API"))
    mocked.get(ODOMETER_URL, **_v2_rate_limit("SMARTCAR_API"))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    assert _vehicle().odometer()["data"] == OK_BODY
    assert len(mocked.calls) == 3
    assert clock.sleeps == [_backoff_ceiling(1), _backoff_ceiling(2)]


def test_get_vehicle_429_without_retry_after_is_still_not_retried(
    mocked: responses.RequestsMock, clock: FakeTime
) -> None:
    mocked.get(ODOMETER_URL, **_v2_rate_limit("VEHICLE"))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    with pytest.raises(RateLimitingException) as caught:
        _vehicle().odometer()
    assert caught.value.code == "VEHICLE"
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


def test_app_pause_is_retry_after_else_the_backoff_ceiling_and_only_for_smartcar_api() -> None:
    from smartcar._transport import app_pause

    def rate_limit(code: Optional[str], retry_after: Optional[float] = None) -> Any:
        return RateLimitingException("m", status_code=429, code=code, retry_after=retry_after)

    assert app_pause(rate_limit("SMARTCAR_API", 42.0), FAST_POLICY, 1) == 42.0
    assert app_pause(rate_limit("smartcar_api"), FAST_POLICY, 3) == _backoff_ceiling(3)
    assert app_pause(rate_limit("VEHICLE", 2.0), FAST_POLICY, 1) is None
    assert app_pause(rate_limit(None), FAST_POLICY, 1) is None
    not_429 = ServerException("m", status_code=503, code="SMARTCAR_API")
    assert app_pause(not_429, FAST_POLICY, 1) is None


@pytest.mark.parametrize("status", [502, 503])
def test_get_gateway_error_is_retried_with_bounded_backoff(
    mocked: responses.RequestsMock, clock: FakeTime, status: int
) -> None:
    mocked.get(ODOMETER_URL, **_fail(status))
    with pytest.raises(ServerException) as caught:
        _vehicle().odometer()
    assert caught.value.status_code == status
    assert len(mocked.calls) == FAST_POLICY.max_retries + 1
    assert len(clock.sleeps) == FAST_POLICY.max_retries
    for number, wait in enumerate(clock.sleeps, start=1):
        assert 0 <= wait <= _backoff_ceiling(number)


@pytest.mark.parametrize("status", [502, 503])
def test_get_gateway_error_then_success(
    mocked: responses.RequestsMock, clock: FakeTime, status: int
) -> None:
    mocked.get(ODOMETER_URL, **_fail(status))
    mocked.get(ODOMETER_URL, json=OK_BODY, headers={"sc-request-id": "second"})
    result = _vehicle().odometer()
    assert result["data"] == OK_BODY
    assert result.request_id == "second"
    assert len(mocked.calls) == 2


def test_get_503_honours_short_retry_after(mocked: responses.RequestsMock, clock: FakeTime) -> None:
    mocked.get(ODOMETER_URL, **_fail(503, "4"))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    _vehicle().odometer()
    assert clock.sleeps == [4.0]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (500, ServerException),
        (504, GatewayTimeoutException),
        (401, SmartcarException),
        (404, SmartcarException),
        (409, SmartcarException),
    ],
)
def test_get_other_errors_are_never_retried(
    mocked: responses.RequestsMock, clock: FakeTime, status: int, cls: type
) -> None:
    mocked.get(ODOMETER_URL, **_fail(status, "1"))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    with pytest.raises(cls):
        _vehicle().odometer()
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


NOT_GET_CALLS = [
    pytest.param("POST", f"{VEHICLE_URL}/security", lambda: _vehicle().lock(), id="lock"),
    pytest.param("POST", f"{VEHICLE_URL}/security", lambda: _vehicle().unlock(), id="unlock"),
    pytest.param("POST", f"{VEHICLE_URL}/charge", lambda: _vehicle().start_charge(), id="start"),
    pytest.param(
        "POST", f"{VEHICLE_URL}/batch", lambda: _vehicle().batch(["/odometer"]), id="batch"
    ),
    pytest.param(
        "DELETE", f"{VEHICLE_URL}/application", lambda: _vehicle().disconnect(), id="disconnect"
    ),
    pytest.param("POST", AUTH, lambda: _client().exchange_code(AUTH_CODE), id="exchange_code"),
    pytest.param(
        "POST",
        AUTH,
        lambda: _client().exchange_refresh_token(REFRESH_TOKEN),
        id="exchange_refresh_token",
    ),
]


@pytest.mark.parametrize(
    ("status", "retry_after"), [(429, "1"), (502, None), (503, None), (503, "1")]
)
@pytest.mark.parametrize(("method", "url", "call"), NOT_GET_CALLS)
def test_answers_to_post_and_delete_are_never_retried(
    mocked: responses.RequestsMock,
    clock: FakeTime,
    method: str,
    url: str,
    call: Callable[[], Any],
    status: int,
    retry_after: Optional[str],
) -> None:
    mocked.add(method, url, **_fail(status, retry_after))
    with pytest.raises(SmartcarException) as caught:
        call()
    assert caught.value.status_code == status
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


# --- connection failures: counted on the real session against a closed loopback port ------


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[str]]:
    """Record the method of every request the pooled session really sends."""
    session = api.get_session()
    original = session.send
    seen: List[str] = []

    def counting_send(prepared: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen.append(str(prepared.method))
        return original(prepared, **kwargs)

    monkeypatch.setattr(session, "send", counting_send)
    yield seen


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    origin = f"http://127.0.0.1:{closed_port}"
    monkeypatch.setattr(const, "API_URL", f"{origin}/v1.0")
    monkeypatch.setattr(const, "AUTH_URL", f"{origin}/oauth/token")


REFUSED_CALLS = [
    pytest.param(lambda **kw: _vehicle(**kw).odometer(), "GET", id="odometer"),
    pytest.param(lambda **kw: _vehicle(**kw).lock(), "POST", id="lock"),
    pytest.param(lambda **kw: _vehicle(**kw).disconnect(), "DELETE", id="disconnect"),
    pytest.param(lambda **kw: _client(**kw).exchange_code(AUTH_CODE), "POST", id="exchange"),
    pytest.param(
        lambda **kw: _client(**kw).is_compatible("V", ["read_vin"]), "GET", id="is_compatible"
    ),
]


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize(("call", "method"), REFUSED_CALLS)
def test_connection_refused_is_retried_for_every_method(
    clock: FakeTime, attempts: List[str], call: Callable[..., Any], method: str
) -> None:
    with pytest.raises(SmartcarConnectionError) as caught:
        call()
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert attempts == [method] * (FAST_POLICY.max_retries + 1)
    assert len(clock.sleeps) == FAST_POLICY.max_retries
    for number, wait in enumerate(clock.sleeps, start=1):
        assert 0 <= wait <= _backoff_ceiling(number)


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize(("call", "method"), REFUSED_CALLS)
@pytest.mark.parametrize("max_retries", [0, 4])
def test_max_retries_per_object(
    clock: FakeTime,
    attempts: List[str],
    call: Callable[..., Any],
    method: str,
    max_retries: int,
) -> None:
    with pytest.raises(SmartcarConnectionError):
        call(max_retries=max_retries)
    assert attempts == [method] * (max_retries + 1)


@pytest.mark.usefixtures("refused")
def test_module_call_connection_refused_is_retried(clock: FakeTime, attempts: List[str]) -> None:
    with pytest.raises(SmartcarConnectionError):
        smartcar.get_user_id(ACCESS_TOKEN)
    assert attempts == ["GET"] * (FAST_POLICY.max_retries + 1)


def test_read_timeout_is_never_retried(
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeTime,
    attempts: List[str],
    silent_server: SilentServer,
) -> None:
    monkeypatch.setattr(const, "API_URL", f"http://127.0.0.1:{silent_server.port}/v1.0")
    with pytest.raises(SmartcarTimeout) as caught:
        _vehicle(timeout=(2.0, 0.2), max_retries=3).odometer()
    assert isinstance(caught.value.__cause__, requests.ReadTimeout)
    assert attempts == ["GET"]
    assert len(silent_server.accepted) == 1
    assert clock.sleeps == []


def test_max_retries_zero_disables_gateway_retries(
    mocked: responses.RequestsMock, clock: FakeTime
) -> None:
    mocked.get(ODOMETER_URL, **_fail(503))
    mocked.get(f"{API}/compatibility", **_fail(503))
    with pytest.raises(ServerException):
        _vehicle(max_retries=0).odometer()
    with pytest.raises(ServerException):
        _client(max_retries=0).is_compatible("V", ["read_vin"])
    assert len(mocked.calls) == 2
    assert clock.sleeps == []


@pytest.mark.parametrize("max_retries", [0, 1, 4])
def test_set_defaults_max_retries_is_process_wide(
    mocked: responses.RequestsMock, clock: FakeTime, max_retries: int
) -> None:
    smartcar.set_defaults(max_retries=max_retries)
    mocked.get(ODOMETER_URL, **_fail(503))
    mocked.get(f"{API}/user", **_fail(502))
    mocked.get(f"{API}/compatibility", **_fail(503))
    with pytest.raises(ServerException):
        _vehicle().odometer()
    with pytest.raises(ServerException):
        smartcar.get_user_id(ACCESS_TOKEN)
    with pytest.raises(ServerException):
        _client().is_compatible("V", ["read_vin"])
    assert len(mocked.calls) == 3 * (max_retries + 1)


def test_object_max_retries_wins_over_process_default(
    mocked: responses.RequestsMock, clock: FakeTime
) -> None:
    smartcar.set_defaults(max_retries=3)
    mocked.get(ODOMETER_URL, **_fail(503))
    with pytest.raises(ServerException):
        _vehicle(max_retries=1).odometer()
    assert len(mocked.calls) == 2


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_defaults_rejects_bad_max_retries(bad: Any) -> None:
    with pytest.raises(ValueError):
        smartcar.set_defaults(max_retries=bad)
    assert api.default_retry() == FAST_POLICY


@pytest.mark.parametrize(
    ("max_elapsed", "expected_sleeps"),
    [(0.0, []), (1.9, []), (2.0, [2.0]), (5.0, [2.0, 2.0]), (6.0, [2.0, 2.0, 2.0])],
)
def test_max_elapsed_bounds_the_retries(
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
    mocked: responses.RequestsMock,
    clock: FakeTime,
    max_elapsed: float,
    expected_sleeps: List[float],
) -> None:
    policy = FAST_POLICY._replace(max_retries=10, max_elapsed=max_elapsed)
    smartcar_defaults(retry=policy)
    mocked.get(ODOMETER_URL, **_fail(503, "2"))
    with pytest.raises(ServerException):
        _vehicle().odometer()
    assert clock.sleeps == expected_sleeps
    assert len(mocked.calls) == len(expected_sleeps) + 1


def test_backoff_grows_and_is_capped() -> None:
    policy = api.RetryPolicy(backoff_base=0.5, backoff_max=2.0)
    for number, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 2.0), (10, 2.0)]:
        waits = [policy.backoff(number) for _ in range(200)]
        assert all(0 <= wait <= ceiling for wait in waits)
        assert max(waits) > ceiling / 2  # jittered over the whole range, not a constant


def _dropped() -> requests.ConnectionError:
    from urllib3.exceptions import ProtocolError

    return requests.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
    )


TRANSPORT_ERRORS = [
    pytest.param(
        lambda: requests.ConnectTimeout("connect timed out"),
        SmartcarTimeout,
        True,
        id="connect timeout",
    ),
    pytest.param(
        lambda: requests.ReadTimeout("read timed out"), SmartcarTimeout, False, id="read timeout"
    ),
    pytest.param(_dropped, SmartcarConnectionError, False, id="dropped connection"),
]


@pytest.mark.parametrize(("make_error", "cls", "retried"), TRANSPORT_ERRORS)
@pytest.mark.parametrize(
    ("method", "url", "call"),
    [
        pytest.param("GET", ODOMETER_URL, lambda: _vehicle().odometer(), id="odometer"),
        *NOT_GET_CALLS[:1],
        NOT_GET_CALLS[-1],
    ],
)
def test_transport_errors(
    mocked: responses.RequestsMock,
    clock: FakeTime,
    make_error: Callable[[], Exception],
    cls: type,
    retried: bool,
    method: str,
    url: str,
    call: Callable[[], Any],
) -> None:
    mocked.add(method, url, body=make_error())
    with pytest.raises(cls) as caught:
        call()
    assert isinstance(caught.value.__cause__, requests.RequestException)
    expected_attempts = FAST_POLICY.max_retries + 1 if retried else 1
    assert len(mocked.calls) == expected_attempts
    assert len(clock.sleeps) == expected_attempts - 1


@pytest.mark.parametrize("status", [502, 503])
@pytest.mark.parametrize("retry_after", ["60", "3600"])
def test_get_gateway_error_with_long_retry_after_is_not_retried_early(
    mocked: responses.RequestsMock, clock: FakeTime, status: int, retry_after: str
) -> None:
    """The service asked for more than the cap: retrying after a short backoff would ignore
    it (the policy honours ``Retry-After`` up to the cap, never retries sooner than asked)."""
    mocked.get(ODOMETER_URL, **_fail(status, retry_after))
    mocked.get(ODOMETER_URL, json=OK_BODY)
    with pytest.raises(ServerException) as caught:
        _vehicle().odometer()
    assert caught.value.retry_after == float(retry_after)
    assert len(mocked.calls) == 1
    assert clock.sleeps == []


# --- the same decisions over real loopback sockets ----------------------------------------

REAL_CALLS = [
    pytest.param(lambda **kw: _vehicle(**kw).odometer(), "GET", id="odometer"),
    pytest.param(lambda **kw: _vehicle(**kw).lock(), "POST", id="lock"),
    pytest.param(lambda **kw: _vehicle(**kw).batch(["/odometer"]), "POST", id="batch"),
    pytest.param(
        lambda **kw: _client(**kw).exchange_refresh_token(REFRESH_TOKEN), "POST", id="refresh"
    ),
]


def _point_at(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    origin = f"http://127.0.0.1:{port}"
    monkeypatch.setattr(const, "API_URL", f"{origin}/v1.0")
    monkeypatch.setattr(const, "AUTH_URL", f"{origin}/oauth/token")


@pytest.mark.parametrize(("call", "method"), REAL_CALLS)
def test_real_connect_timeout_is_retried(
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeTime,
    attempts: List[str],
    full_backlog_server: FullBacklogServer,
    call: Callable[..., Any],
    method: str,
) -> None:
    _point_at(monkeypatch, full_backlog_server.port)
    with pytest.raises(SmartcarTimeout) as caught:
        call(timeout=(0.2, 5.0))
    assert isinstance(caught.value.__cause__, requests.ConnectTimeout)
    assert attempts == [method] * (FAST_POLICY.max_retries + 1)
    assert len(clock.sleeps) == FAST_POLICY.max_retries


@pytest.mark.parametrize(("call", "method"), REAL_CALLS)
def test_real_dropped_connection_is_never_retried(
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeTime,
    attempts: List[str],
    dropping_server: DroppingServer,
    call: Callable[..., Any],
    method: str,
) -> None:
    """The request reached the server and the connection closed without an answer: it may
    have taken effect (a LOCK, a token rotation), so it is sent exactly once."""
    _point_at(monkeypatch, dropping_server.port)
    with pytest.raises(SmartcarConnectionError) as caught:
        call(max_retries=3)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert caught.value.error == "connection_dropped"
    assert attempts == [method]
    assert len(dropping_server.request_lines) == 1
    assert dropping_server.request_lines[0].startswith(f"{method} /")
    assert clock.sleeps == []
