"""The fault table: bad answers and broken transports -> the exact exception and its attributes."""

from __future__ import annotations

import datetime
import email.utils
import json
import pickle
from typing import Any, Callable, Dict, NamedTuple, Optional, Type, Union

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
    REDIRECT_URI,
    REFRESH_TOKEN,
    SECRETS,
    VEHICLE_ID,
    VEHICLE_URL,
    SilentServer,
    assert_no_secret,
)

import smartcar
from smartcar import const
from smartcar.exceptions import (
    AuthenticationException,
    GatewayTimeoutException,
    MonthlyLimitExceeded,
    PermissionException,
    RateLimitingException,
    ResourceNotFoundException,
    ServerException,
    SmartcarConnectionError,
    SmartcarException,
    SmartcarNotCapableException,
    SmartcarTimeout,
    StateException,
    ValidationException,
    VehicleNotCapableException,
)

ATTRIBUTES = ("message", "status_code", "error", "code", "request_id", "retry_after", "body")

HTML_PAGE = (
    b"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
    b"<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class Fault(NamedTuple):
    """One bad answer and the exception it must become."""

    status: int
    body: Union[bytes, Any]
    """Raw bytes, or a value sent as JSON."""
    cls: Type[SmartcarException]
    expect: Dict[str, Any]
    """Expected attribute values (``message`` may be a callable predicate)."""
    headers: Optional[Dict[str, str]] = None
    request_id_header: bool = True
    """Whether the answer carries ``sc-request-id: rid-fault``."""


def _v1(error: str, message: str, code: Optional[str] = None) -> Dict[str, Any]:
    body: Dict[str, Any] = {"error": error, "message": message}
    if code is not None:
        body["code"] = code
    return body


V2_BODY = {
    "type": "RATE_LIMIT",
    "code": "VEHICLE",
    "description": "You have reached the throttling rate limit for this vehicle.",
    "docURL": "https://smartcar.com/docs/errors/api-errors/rate-limit-errors#vehicle",
    "statusCode": 429,
    "requestId": "v2-request-id",
    "resolution": {"type": "RETRY_LATER"},
    "detail": None,
}

V1_TABLE = [
    (400, "validation_error", ValidationException, None),
    (401, "authentication_error", AuthenticationException, None),
    (403, "permission_error", PermissionException, None),
    (404, "resource_not_found_error", ResourceNotFoundException, None),
    (409, "vehicle_state_error", StateException, "VS_001"),
    (429, "rate_limit_error", RateLimitingException, None),
    (430, "monthly_limit_exceeded", MonthlyLimitExceeded, None),
    (500, "server_error", ServerException, None),
    (501, "vehicle_not_capable_error", VehicleNotCapableException, None),
    (501, "smartcar_not_capable_error", SmartcarNotCapableException, None),
    (504, "gateway_timeout_error", GatewayTimeoutException, None),
]

FAULTS: Dict[str, Fault] = {
    f"v1 {status} {error}": Fault(
        status,
        _v1(error, f"Message for {error}.", code),
        cls,
        {"error": error, "code": code, "message": f"Message for {error}."},
    )
    for status, error, cls, code in V1_TABLE
}
FAULTS.update(
    {
        "v2 429 body": Fault(
            429,
            V2_BODY,
            RateLimitingException,
            {
                "error": "RATE_LIMIT",
                "code": "VEHICLE",
                "message": V2_BODY["description"],
                "request_id": "v2-request-id",
                "body": V2_BODY,
            },
            request_id_header=False,
        ),
        "v2 409 body with header request id": Fault(
            409,
            {**V2_BODY, "type": "VEHICLE_STATE", "code": "ASLEEP", "statusCode": 409},
            StateException,
            {"error": "VEHICLE_STATE", "code": "ASLEEP", "request_id": "hdr-rid"},
            headers={"sc-request-id": "hdr-rid"},
        ),
        "html 502": Fault(
            502,
            HTML_PAGE.replace(b"{status}", b"502 Bad Gateway"),
            ServerException,
            {"error": None, "code": None},
        ),
        "html 503": Fault(
            503,
            HTML_PAGE.replace(b"{status}", b"503 Service Unavailable"),
            ServerException,
            {"error": None, "code": None},
        ),
        "html 504": Fault(
            504,
            HTML_PAGE.replace(b"{status}", b"504 Gateway Time-out"),
            GatewayTimeoutException,
            {"error": None, "code": None},
        ),
        "plain-text 504": Fault(
            504,
            b"upstream request timeout",
            GatewayTimeoutException,
            {"message": "upstream request timeout", "body": "upstream request timeout"},
        ),
        "empty 500": Fault(500, b"", ServerException, {"body": None, "error": None}),
        "empty 401": Fault(401, b"", AuthenticationException, {"body": None}),
        "null 404": Fault(404, b"null", ResourceNotFoundException, {"body": None, "error": None}),
        "array 400": Fault(400, [1, "two"], ValidationException, {"body": [1, "two"]}),
        "truncated 409": Fault(
            409,
            b'{"error": "vehicle_state_error", "mess',
            StateException,
            {"body": '{"error": "vehicle_state_error", "mess', "code": None},
        ),
        "409 without code": Fault(
            409,
            _v1("vehicle_state_error", "Charging cable unplugged."),
            StateException,
            {"code": None, "message": "Charging cable unplugged."},
        ),
        "501 without error": Fault(
            501,
            {"message": "Not supported."},
            VehicleNotCapableException,
            {"error": None, "message": "Not supported."},
        ),
        "501 empty": Fault(501, b"", VehicleNotCapableException, {"error": None}),
        "418 teapot": Fault(
            418, _v1("teapot", "I am a teapot."), SmartcarException, {"error": "teapot"}
        ),
        "599 unknown 5xx": Fault(599, b"", ServerException, {}),
        "302 redirect elsewhere is not followed": Fault(
            302,
            b"",
            SmartcarException,
            {"error": None},
            headers={"Location": "https://elsewhere.example.test/steal"},
        ),
        "307 redirect is not followed": Fault(
            307, b"", SmartcarException, {}, headers={"Location": "/v1.0/other"}
        ),
        "429 retry-after seconds": Fault(
            429,
            _v1("rate_limit_error", "Slow down."),
            RateLimitingException,
            {"retry_after": 30.0},
            headers={"Retry-After": "30"},
        ),
        "429 retry-after garbage": Fault(
            429,
            _v1("rate_limit_error", "Slow down."),
            RateLimitingException,
            {"retry_after": None},
            headers={"Retry-After": "soon"},
        ),
        "error fields of wrong types": Fault(
            400,
            {"error": ["x"], "message": {"a": 1}, "code": None},
            ValidationException,
            {"error": None, "code": None},
        ),
        "oauth 400 invalid_grant": Fault(
            400,
            {"error": "invalid_grant", "error_description": "Code expired."},
            ValidationException,
            {"error": "invalid_grant", "message": "Code expired."},
        ),
        "oauth 401 invalid_client": Fault(
            401,
            {"error": "invalid_client", "error_description": "Bad credentials."},
            AuthenticationException,
            {"error": "invalid_client", "message": "Bad credentials."},
        ),
    }
)


def _send(mocked: responses.RequestsMock, method: str, url: str, fault: Fault) -> None:
    body = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body).encode()
    headers = {"sc-request-id": "rid-fault"} if fault.request_id_header else {}
    headers.update(fault.headers or {})
    mocked.add(method, url, body=body, status=fault.status, headers=headers)


CALLS: Dict[str, Callable[[], Any]] = {
    "odometer": lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0).odometer(),
    "lock": lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0).lock(),
    "exchange_refresh_token": lambda: smartcar.AuthClient(
        CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, max_retries=0
    ).exchange_refresh_token(REFRESH_TOKEN),
}
CALL_ROUTES = {
    "odometer": ("GET", f"{VEHICLE_URL}/odometer"),
    "lock": ("POST", f"{VEHICLE_URL}/security"),
    "exchange_refresh_token": ("POST", AUTH),
}


def _check_common(error: SmartcarException) -> None:
    for name in (*ATTRIBUTES, "response"):
        assert hasattr(error, name), name
    assert isinstance(error.message, str) and error.message
    assert_no_secret(str(error), repr(error), error.args)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error)
    for name in ATTRIBUTES:
        assert getattr(clone, name) == getattr(error, name), name
    assert str(clone) == str(error)


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_fault_table(mocked: responses.RequestsMock, fault_name: str, call: str) -> None:
    fault = FAULTS[fault_name]
    _send(mocked, *CALL_ROUTES[call], fault)
    with pytest.raises(SmartcarException) as caught:
        CALLS[call]()
    error = caught.value
    assert type(error) is fault.cls
    assert error.status_code == fault.status
    expected = {"request_id": "rid-fault", "retry_after": None, **fault.expect}
    for name, value in expected.items():
        assert getattr(error, name) == value, name
    assert error.response is not None
    assert len(mocked.calls) == 1
    if isinstance(fault.body, bytes) and fault.body.startswith(b"<html"):
        assert "<" not in error.message, "an HTML page was dumped into the message"
        assert str(fault.status) in error.message
    _check_common(error)


@pytest.mark.parametrize("seconds_ahead", [120, 3600])
def test_retry_after_http_date(mocked: responses.RequestsMock, seconds_ahead: int) -> None:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    fault = Fault(
        429,
        _v1("rate_limit_error", "Later."),
        RateLimitingException,
        {},
        headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)},
    )
    _send(mocked, *CALL_ROUTES["odometer"], fault)
    with pytest.raises(RateLimitingException) as caught:
        CALLS["odometer"]()
    assert caught.value.retry_after is not None
    assert seconds_ahead - 5 <= caught.value.retry_after <= seconds_ahead + 1


def test_retry_after_http_date_in_the_past_is_zero(mocked: responses.RequestsMock) -> None:
    fault = Fault(
        429,
        b"",
        RateLimitingException,
        {},
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    _send(mocked, "POST", f"{VEHICLE_URL}/security", fault)
    with pytest.raises(RateLimitingException) as caught:
        CALLS["lock"]()
    assert caught.value.retry_after == 0.0


def test_state_exception_str_is_code_and_message(mocked: responses.RequestsMock) -> None:
    _send(
        mocked,
        *CALL_ROUTES["lock"],
        FAULTS["v1 409 vehicle_state_error"]._replace(
            body=_v1("vehicle_state_error", "Asleep.", "VS_001")
        ),
    )
    with pytest.raises(StateException) as caught:
        CALLS["lock"]()
    assert str(caught.value) == "VS_001: Asleep."
    assert caught.value.message == "Asleep."


def test_state_exception_without_code_str_is_message() -> None:
    error = StateException("Door open.", status_code=409, error="vehicle_state_error")
    assert str(error) == "Door open."


# --- secrets echoed by the server are redacted ---------------------------------------------

ECHO_CASES = [
    pytest.param(
        lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0).odometer(),
        "GET",
        f"{VEHICLE_URL}/odometer",
        401,
        {"error": "authentication_error", "message": f"Token {ACCESS_TOKEN} is invalid."},
        id="access token in v1 message",
    ),
    pytest.param(
        lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0).lock(),
        "POST",
        f"{VEHICLE_URL}/security",
        403,
        {"type": "PERMISSION", "description": f"Bearer {ACCESS_TOKEN} lacks control_security"},
        id="access token in v2 description",
    ),
    pytest.param(
        lambda: smartcar.get_user_id(ACCESS_TOKEN),
        "GET",
        f"{API}/user",
        504,
        f"gateway gave up on token={ACCESS_TOKEN}".encode(),
        id="access token in plain text",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).exchange_refresh_token(
            REFRESH_TOKEN
        ),
        "POST",
        AUTH,
        400,
        {"error": "invalid_grant", "error_description": f"refresh token {REFRESH_TOKEN} revoked"},
        id="refresh token in oauth description",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).exchange_code(
            AUTH_CODE
        ),
        "POST",
        AUTH,
        400,
        {"error": "invalid_grant", "error_description": f"code {AUTH_CODE} already used"},
        id="code in oauth description",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).exchange_code(
            AUTH_CODE
        ),
        "POST",
        AUTH,
        401,
        {"error": "invalid_client", "error_description": f"secret {CLIENT_SECRET} is wrong"},
        id="client secret in oauth description",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).is_compatible(
            "VIN", ["read_vin"]
        ),
        "GET",
        f"{API}/compatibility",
        409,
        {"error": "vehicle_state_error", "code": "X", "message": f"{CLIENT_SECRET}!"},
        id="client secret in StateException message",
    ),
]


@pytest.mark.parametrize(("call", "method", "url", "status", "body"), ECHO_CASES)
def test_secret_echoed_by_server_is_redacted(
    mocked: responses.RequestsMock,
    call: Callable[[], Any],
    method: str,
    url: str,
    status: int,
    body: Any,
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    mocked.add(method, url, body=raw, status=status)
    with pytest.raises(SmartcarException) as caught:
        call()
    error = caught.value
    assert_no_secret(str(error), repr(error), error.args, error.message)
    assert "[REDACTED]" in error.message
    pickled = pickle.dumps(error)
    clone = pickle.loads(pickled)
    assert_no_secret(str(clone), repr(clone))


def test_exception_repr_never_holds_body_or_response() -> None:
    error = AuthenticationException(
        "rejected",
        status_code=401,
        error="authentication_error",
        body={"token": ACCESS_TOKEN},
        response=object(),
    )
    assert_no_secret(repr(error), str(error))
    assert all(secret not in repr(error) for secret in SECRETS)


# --- transport failures --------------------------------------------------------------------


def test_connection_refused(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    monkeypatch.setattr(const, "API_URL", f"http://127.0.0.1:{closed_port}/v1.0")
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0)
    with pytest.raises(SmartcarConnectionError) as caught:
        vehicle.odometer()
    error = caught.value
    assert isinstance(error.__cause__, requests.ConnectionError)
    assert error.status_code is None and error.response is None and error.body is None
    assert f"127.0.0.1:{closed_port}" in error.message
    _check_common(error)


def test_connection_refused_on_token_exchange(
    monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setattr(const, "AUTH_URL", f"http://127.0.0.1:{closed_port}/oauth/token")
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, max_retries=0)
    with pytest.raises(SmartcarConnectionError) as caught:
        client.exchange_code(AUTH_CODE)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    _check_common(caught.value)


TIMEOUT_CALLS = [
    pytest.param(
        lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=(2.0, 0.2)).odometer(),
        id="vehicle read",
    ),
    pytest.param(
        lambda: smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=0.2).lock(), id="vehicle lock"
    ),
    pytest.param(lambda: smartcar.get_user_id(ACCESS_TOKEN, timeout=0.2), id="get_user_id"),
    pytest.param(
        lambda: smartcar.AuthClient(
            CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, timeout=0.2
        ).exchange_refresh_token(REFRESH_TOKEN),
        id="refresh exchange",
    ),
]


@pytest.mark.parametrize("call", TIMEOUT_CALLS)
def test_read_timeout(
    monkeypatch: pytest.MonkeyPatch, silent_server: SilentServer, call: Callable[[], Any]
) -> None:
    origin = f"http://127.0.0.1:{silent_server.port}"
    monkeypatch.setattr(const, "API_URL", f"{origin}/v1.0")
    monkeypatch.setattr(const, "AUTH_URL", f"{origin}/oauth/token")
    with pytest.raises(SmartcarTimeout) as caught:
        call()
    error = caught.value
    assert isinstance(error.__cause__, requests.ReadTimeout)
    assert error.status_code is None
    _check_common(error)
    assert len(silent_server.accepted) == 1


def test_legacy_constructor_from_a_response() -> None:
    """smartcar 4.3 code builds ``SmartcarException(response)``; it must still work."""
    response = requests.Response()
    response.status_code = 409
    response._content = json.dumps(_v1("vehicle_state_error", "Asleep.", "VS_002")).encode()
    response.headers["sc-request-id"] = "legacy-rid"
    error = SmartcarException(response)
    assert error.status_code == 409
    assert error.code == "VS_002"
    assert error.message == "Asleep."
    assert error.request_id == "legacy-rid"


@pytest.mark.parametrize("cut", [8, 20, len(ACCESS_TOKEN) - 1])
def test_secret_cut_by_message_truncation_is_still_redacted(
    mocked: responses.RequestsMock, cut: int
) -> None:
    """A long server message is shortened; a token straddling the cut must not survive as a
    prefix (the distinctive middle of the token is what a reader could reuse)."""
    long_message = "x" * 2000
    mocked.get(
        f"{VEHICLE_URL}/odometer",
        status=401,
        json={"error": "authentication_error", "message": long_message},
    )
    with pytest.raises(AuthenticationException) as caught:
        CALLS["odometer"]()
    limit = len(caught.value.message)
    assert limit < len(long_message)

    mocked.replace(
        responses.GET,
        f"{VEHICLE_URL}/odometer",
        status=401,
        json={"error": "authentication_error", "message": "y" * (limit - cut) + ACCESS_TOKEN},
    )
    with pytest.raises(AuthenticationException) as caught:
        CALLS["odometer"]()
    error = caught.value
    leaked = ACCESS_TOKEN[:cut]
    assert leaked not in str(error), f"token prefix {leaked!r} left in the message"
    assert leaked not in repr(error), f"token prefix {leaked!r} left in the repr"
