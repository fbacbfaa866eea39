"""Exact-request tests of every ``Vehicle`` method, driven by one table."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable, Dict, List, NamedTuple, Optional

import pytest
import responses
from unit_support import (
    ACCESS_TOKEN,
    USER_AGENT_PATTERN,
    VEHICLE_ID,
    VEHICLE_URL,
    assert_no_secret,
    split_url,
)

import smartcar

AGE_HEADER = "2019-10-24T00:43:46.000Z"
AGE = datetime.datetime(2019, 10, 24, 0, 43, 46, tzinfo=datetime.timezone.utc)
REQUEST_ID = "5f0e2a8c-request-id"


class Endpoint(NamedTuple):
    """One Vehicle call: how to invoke it, what must go over the wire, what it answers."""

    call: Callable[[smartcar.Vehicle], Any]
    method: str
    path: str
    answer: Any
    unit_header: bool
    expected: Callable[[str], Any]
    """Builds the expected return value from the unit system the answer declared."""
    query: Optional[Dict[str, str]] = None
    sent_json: Any = None


def _read(body: Dict[str, Any], *, units: bool, nest: Optional[str] = None) -> Callable[[str], Any]:
    def expected(unit_system: str) -> Dict[str, Any]:
        result: Dict[str, Any] = {"data": {nest: body} if nest else body}
        if units:
            result["unit_system"] = unit_system
        result["age"] = AGE  # 4.3's key order: data, unit_system, age
        return result

    return expected


def _const(value: Any) -> Callable[[str], Any]:
    return lambda _unit_system: value


ODOMETER = {"distance": 37829.5}
FUEL = {"range": 400.2, "percentRemaining": 0.6, "amountRemaining": 30.1}
BATTERY = {"range": 300.0, "percentRemaining": 0.8}
TIRES = {"frontLeft": 230.1, "frontRight": 231.0, "backLeft": 229.9, "backRight": 228.4}
INFO = {"id": VEHICLE_ID, "make": "TESLA", "model": "Model S", "year": 2019}
PERMISSIONS = {"permissions": ["read_vin", "read_odometer"], "paging": {"count": 2, "offset": 0}}
BATCH_ANSWER = {
    "responses": [
        {
            "path": "/odometer",
            "code": 200,
            "headers": {"sc-data-age": AGE_HEADER, "sc-unit-system": "metric"},
            "body": ODOMETER,
        },
        {"path": "/vin", "code": 403, "body": {"error": "permission_error", "message": "no"}},
    ]
}
BATCH_RESULT = {
    "/odometer": {
        "code": 200,
        "headers": {"sc-data-age": AGE_HEADER, "sc-unit-system": "metric"},
        "body": ODOMETER,
    },
    "/vin": {"code": 403, "headers": {}, "body": {"error": "permission_error", "message": "no"}},
}
SUCCESS = {"status": "success"}

ENDPOINTS: Dict[str, Endpoint] = {
    # 4.3.5 asks info() at .../vehicles/{id}/ (its URL template with an empty endpoint).
    "info": Endpoint(lambda v: v.info(), "GET", "/", INFO, True, _const(INFO)),
    "vin": Endpoint(
        lambda v: v.vin(),
        "GET",
        "/vin",
        {"vin": "5YJSA1CN5DFP00101"},
        True,
        _const("5YJSA1CN5DFP00101"),
    ),
    "permissions": Endpoint(
        lambda v: v.permissions(),
        "GET",
        "/permissions",
        PERMISSIONS,
        False,
        _const(["read_vin", "read_odometer"]),
    ),
    "permissions paged": Endpoint(
        lambda v: v.permissions(limit=5, offset=10),
        "GET",
        "/permissions",
        PERMISSIONS,
        False,
        _const(["read_vin", "read_odometer"]),
        query={"limit": "5", "offset": "10"},
    ),
    "permissions limit only": Endpoint(
        lambda v: v.permissions(limit=1),
        "GET",
        "/permissions",
        PERMISSIONS,
        False,
        _const(["read_vin", "read_odometer"]),
        query={"limit": "1"},
    ),
    "location": Endpoint(
        lambda v: v.location(),
        "GET",
        "/location",
        {"latitude": 37.4, "longitude": -122.1},
        True,
        _read({"latitude": 37.4, "longitude": -122.1}, units=False),
    ),
    "odometer": Endpoint(
        lambda v: v.odometer(), "GET", "/odometer", ODOMETER, True, _read(ODOMETER, units=True)
    ),
    "fuel": Endpoint(lambda v: v.fuel(), "GET", "/fuel", FUEL, True, _read(FUEL, units=True)),
    "battery": Endpoint(
        lambda v: v.battery(), "GET", "/battery", BATTERY, True, _read(BATTERY, units=True)
    ),
    "battery_capacity": Endpoint(
        lambda v: v.battery_capacity(),
        "GET",
        "/battery/capacity",
        {"capacity": 75.0},
        True,
        _read({"capacity": 75.0}, units=False),
    ),
    "charge": Endpoint(
        lambda v: v.charge(),
        "GET",
        "/charge",
        {"isPluggedIn": True, "state": "CHARGING"},
        True,
        _read({"isPluggedIn": True, "state": "CHARGING"}, units=False),
    ),
    "oil": Endpoint(
        lambda v: v.oil(),
        "GET",
        "/engine/oil",
        {"lifeRemaining": 0.35},
        True,
        _read({"lifeRemaining": 0.35}, units=False),
    ),
    "tire_pressure": Endpoint(
        lambda v: v.tire_pressure(),
        "GET",
        "/tires/pressure",
        TIRES,
        True,
        _read(TIRES, units=True, nest="tires"),
    ),
    "lock": Endpoint(
        lambda v: v.lock(),
        "POST",
        "/security",
        SUCCESS,
        False,
        _const({"status": "success"}),
        sent_json={"action": "LOCK"},
    ),
    "unlock": Endpoint(
        lambda v: v.unlock(),
        "POST",
        "/security",
        SUCCESS,
        False,
        _const({"status": "success"}),
        sent_json={"action": "UNLOCK"},
    ),
    "start_charge": Endpoint(
        lambda v: v.start_charge(),
        "POST",
        "/charge",
        SUCCESS,
        False,
        _const({"status": "success"}),
        sent_json={"action": "START"},
    ),
    "stop_charge": Endpoint(
        lambda v: v.stop_charge(),
        "POST",
        "/charge",
        SUCCESS,
        False,
        _const({"status": "success"}),
        sent_json={"action": "STOP"},
    ),
    "batch": Endpoint(
        lambda v: v.batch(["/odometer", "/vin"]),
        "POST",
        "/batch",
        BATCH_ANSWER,
        True,
        _const(BATCH_RESULT),
        sent_json={"requests": [{"path": "/odometer"}, {"path": "/vin"}]},
    ),
    "disconnect": Endpoint(
        lambda v: v.disconnect(), "DELETE", "/application", SUCCESS, False, _const(None)
    ),
    "disconnect empty body": Endpoint(
        lambda v: v.disconnect(), "DELETE", "/application", None, False, _const(None)
    ),
}


def _register(mocked: responses.RequestsMock, endpoint: Endpoint, headers: Dict[str, str]) -> None:
    body = b"" if endpoint.answer is None else json.dumps(endpoint.answer).encode()
    mocked.add(
        endpoint.method,
        VEHICLE_URL + endpoint.path,
        body=body,
        status=200,
        headers=headers,
        content_type="application/json",
    )


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_vehicle_call_exact_request_and_result(
    mocked: responses.RequestsMock, name: str, unit_system: str
) -> None:
    endpoint = ENDPOINTS[name]
    _register(
        mocked,
        endpoint,
        {"sc-data-age": AGE_HEADER, "sc-unit-system": unit_system, "sc-request-id": REQUEST_ID},
    )
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, unit_system)

    result = endpoint.call(vehicle)

    assert result == endpoint.expected(unit_system)
    if isinstance(result, dict):  # equal to 4.3's dict; the request id is an attribute
        assert "request_id" not in result
        assert result.request_id == REQUEST_ID
        assert json.dumps(result, default=str) == json.dumps(
            endpoint.expected(unit_system), default=str
        )
    assert smartcar.last_request_id() == REQUEST_ID
    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    base, query = split_url(sent.url)
    assert sent.method == endpoint.method
    assert base == VEHICLE_URL + endpoint.path
    assert dict(query) == (endpoint.query or {})
    assert sent.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert "Cookie" not in sent.headers
    if endpoint.unit_header:
        assert sent.headers["sc-unit-system"] == unit_system
    else:
        assert "sc-unit-system" not in sent.headers
    if endpoint.sent_json is None:
        assert not sent.body
    else:  # byte-for-byte what 4.3.5 sent through requests' json=
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.body == json.dumps(endpoint.sent_json).encode("utf-8")


def test_user_agent_names_this_sdk_and_platform(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle
) -> None:
    import platform

    _register(mocked, ENDPOINTS["odometer"], {})
    vehicle.odometer()
    match = re.fullmatch(USER_AGENT_PATTERN, mocked.calls[0].request.headers["User-Agent"])
    assert match is not None
    assert match["version"] == smartcar.__version__
    assert match["system"] == platform.system()
    assert match["machine"] == platform.machine()
    assert match["python"] == platform.python_version()


READS_WITH_UNITS = ["odometer", "fuel", "battery", "tire_pressure"]
READS = [*READS_WITH_UNITS, "location", "battery_capacity", "charge", "oil"]


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
@pytest.mark.parametrize("name", READS_WITH_UNITS)
def test_missing_unit_header_falls_back_to_requested(
    mocked: responses.RequestsMock, name: str, unit_system: str
) -> None:
    _register(mocked, ENDPOINTS[name], {"sc-data-age": AGE_HEADER})
    result = ENDPOINTS[name].call(smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, unit_system))
    assert result["unit_system"] == unit_system
    assert result.request_id is None


@pytest.mark.parametrize(
    "age_header",
    [
        None,
        "",
        "yesterday",
        "2019-13-45T99:99:99Z",
        "1571877826",
        "null",
        "2019-10-24T00:43:46+25:00",
    ],
)
@pytest.mark.parametrize("name", READS)
def test_missing_or_malformed_age_is_none(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle, name: str, age_header: Optional[str]
) -> None:
    headers = {} if age_header is None else {"sc-data-age": age_header}
    _register(mocked, ENDPOINTS[name], headers)
    result = ENDPOINTS[name].call(vehicle)
    assert result["age"] is None
    assert result["data"] == ENDPOINTS[name].expected("metric")["data"]


@pytest.mark.parametrize(
    ("age_header", "expected"),
    [
        (
            "2018-05-02T18:04:25+00:00",
            datetime.datetime(2018, 5, 2, 18, 4, 25, tzinfo=datetime.timezone.utc),
        ),
        (
            "2018-05-02T20:04:25+02:00",
            datetime.datetime(2018, 5, 2, 18, 4, 25, tzinfo=datetime.timezone.utc),
        ),
        (
            "2018-05-02T18:04:25",
            datetime.datetime(2018, 5, 2, 18, 4, 25, tzinfo=datetime.timezone.utc),
        ),
        (AGE_HEADER, AGE),
    ],
)
def test_age_parsed_as_aware_datetime(
    mocked: responses.RequestsMock,
    vehicle: smartcar.Vehicle,
    age_header: str,
    expected: datetime.datetime,
) -> None:
    _register(mocked, ENDPOINTS["odometer"], {"sc-data-age": age_header})
    age = vehicle.odometer()["age"]
    assert age == expected
    assert age is not None and age.tzinfo is not None


@pytest.mark.parametrize(
    ("granted", "asked", "expected"),
    [
        (["read_vin", "read_odometer"], "read_vin", True),
        (["read_vin", "read_odometer"], "required:read_vin", True),
        (["read_vin", "read_odometer"], ["read_vin", "required:read_odometer"], True),
        (["read_vin", "read_odometer"], ["read_vin", "read_fuel"], False),
        (["read_vin"], "read_odometer", False),
        (["read_vin"], "required:read_odometer", False),
        ([], [], True),
        (["required:read_vin"], "read_vin", False),
    ],
)
def test_has_permissions(
    mocked: responses.RequestsMock,
    vehicle: smartcar.Vehicle,
    granted: List[str],
    asked: Any,
    expected: bool,
) -> None:
    mocked.get(f"{VEHICLE_URL}/permissions", json={"permissions": granted})
    assert vehicle.has_permissions(asked) is expected
    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert split_url(sent.url)[1] == []


@pytest.mark.parametrize("bad", ["METRIC", "Imperial", "foo", "", None, 1])
def test_constructor_rejects_bad_unit_system(bad: Any) -> None:
    with pytest.raises(ValueError):
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, bad)


@pytest.mark.parametrize("bad", ["METRIC", "Imperial", "foo", "", None, 1])
def test_set_unit_system_rejects_bad_value_and_keeps_old(
    vehicle: smartcar.Vehicle, bad: Any
) -> None:
    vehicle.set_unit_system("imperial")
    with pytest.raises(ValueError):
        vehicle.set_unit_system(bad)
    assert vehicle.unit_system == "imperial"


def test_set_unit_system_changes_the_header(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle
) -> None:
    _register(mocked, ENDPOINTS["odometer"], {})
    vehicle.odometer()
    vehicle.set_unit_system("imperial")
    result = vehicle.odometer()
    assert [c.request.headers["sc-unit-system"] for c in mocked.calls] == ["metric", "imperial"]
    assert result["unit_system"] == "imperial"


@pytest.mark.parametrize(
    ("name", "equivalent"),
    [
        ("get_signals", ".signals()"),
        ("get_signal", ".signal(code)"),
        ("engine_oil", "vehicle.oil()"),
    ],
)
def test_the_official_6x_vehicle_methods_say_what_to_use_instead(
    vehicle: smartcar.Vehicle, name: str, equivalent: str
) -> None:
    with pytest.raises(AttributeError) as raised:
        getattr(vehicle, name)
    message = str(raised.value)
    assert message.startswith(f"'Vehicle' object has no attribute {name!r}: ")
    assert equivalent in message and "docs/migrating-from-6x.md" in message


def test_other_missing_vehicle_attributes_are_a_plain_attribute_error(
    vehicle: smartcar.Vehicle,
) -> None:
    with pytest.raises(AttributeError, match=r"^'Vehicle' object has no attribute 'odometr'$"):
        vehicle.odometr  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(vehicle, "odometr")


def test_vehicle_repr_hides_the_token(vehicle: smartcar.Vehicle) -> None:
    assert VEHICLE_ID in repr(vehicle)
    assert_no_secret(repr(vehicle), str(vehicle))


@pytest.mark.parametrize("bad", ["", None, 42])
def test_vehicle_rejects_empty_or_non_string_token(bad: Any) -> None:
    with pytest.raises(ValueError):
        smartcar.Vehicle(VEHICLE_ID, bad)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("vin", {}),
        ("vin", {"vin": None}),
        ("vin", {"vin": 123}),
        ("vin", ["5YJSA1CN5DFP00101"]),
        ("info", []),
        ("info", None),
        ("permissions", {}),
        ("permissions", {"permissions": "read_vin"}),
        ("odometer", []),
        ("odometer", "37829"),
        ("location", None),
        ("lock", {}),
        ("lock", {"status": None}),
        ("start_charge", []),
        ("batch", {}),
        ("batch", {"responses": "none"}),
        ("batch", {"responses": [{"code": 200}]}),
        ("batch", {"responses": [None]}),
    ],
)
def test_2xx_answer_without_the_returned_field_raises_base_exception(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle, name: str, answer: Any
) -> None:
    endpoint = ENDPOINTS[name]
    _register(mocked, endpoint._replace(answer=answer), {"sc-request-id": REQUEST_ID})
    with pytest.raises(smartcar.SmartcarException) as caught:
        endpoint.call(vehicle)
    assert type(caught.value) is smartcar.SmartcarException
    assert caught.value.status_code == 200
    assert caught.value.request_id == REQUEST_ID
    assert_no_secret(str(caught.value), repr(caught.value))


@pytest.mark.parametrize("name", ["vin", "odometer", "lock", "batch", "disconnect"])
@pytest.mark.parametrize("body", [b"<html>ok</html>", b"{trunc", b"\xff\xfe"])
def test_2xx_non_json_raises_base_exception(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle, name: str, body: bytes
) -> None:
    endpoint = ENDPOINTS[name]
    mocked.add(endpoint.method, VEHICLE_URL + endpoint.path, body=body, status=200)
    with pytest.raises(smartcar.SmartcarException) as caught:
        endpoint.call(vehicle)
    assert type(caught.value) is smartcar.SmartcarException
    assert caught.value.status_code == 200


class FakeProvider:
    """A token provider (``smartcar.types.TokenProvider``) that hands out numbered tokens."""

    def __init__(self) -> None:
        self.current = "provided-token-1"
        self.refreshed: List[str] = []

    def access_token(self) -> str:
        return self.current

    def refresh_access_token(self, rejected: str) -> str:
        self.refreshed.append(rejected)
        self.current = f"provided-token-{len(self.refreshed) + 1}"
        return self.current


UNAUTHORIZED = {"status": 401, "json": {"error": "authentication_error", "message": "expired"}}


def test_provider_read_refreshes_once_on_401(mocked: responses.RequestsMock) -> None:
    provider = FakeProvider()
    mocked.get(f"{VEHICLE_URL}/odometer", **UNAUTHORIZED)
    mocked.get(f"{VEHICLE_URL}/odometer", json=ODOMETER)
    result = smartcar.Vehicle(VEHICLE_ID, provider).odometer()
    assert result["data"] == ODOMETER
    assert provider.refreshed == ["provided-token-1"]
    assert [c.request.headers["Authorization"] for c in mocked.calls] == [
        "Bearer provided-token-1",
        "Bearer provided-token-2",
    ]


def test_provider_read_gives_up_after_second_401(mocked: responses.RequestsMock) -> None:
    provider = FakeProvider()
    mocked.get(f"{VEHICLE_URL}/odometer", **UNAUTHORIZED)
    with pytest.raises(smartcar.AuthenticationException):
        smartcar.Vehicle(VEHICLE_ID, provider).odometer()
    assert len(mocked.calls) == 2
    assert provider.refreshed == ["provided-token-1"]


def test_provider_command_refused_for_its_token_is_repeated_once(
    mocked: responses.RequestsMock,
) -> None:
    provider = FakeProvider()
    mocked.post(f"{VEHICLE_URL}/security", **UNAUTHORIZED)
    mocked.post(f"{VEHICLE_URL}/security", json={"status": "success"})
    assert smartcar.Vehicle(VEHICLE_ID, provider).lock() == {"status": "success"}
    assert provider.refreshed == ["provided-token-1"]
    assert len(mocked.calls) == 2


def test_provider_command_is_not_repeated_on_another_401(mocked: responses.RequestsMock) -> None:
    provider = FakeProvider()
    other = {"error": "vehicle_error", "message": "the car refused"}
    mocked.post(f"{VEHICLE_URL}/security", status=401, json=other)
    with pytest.raises(smartcar.AuthenticationException):
        smartcar.Vehicle(VEHICLE_ID, provider).lock()
    assert len(mocked.calls) == 1
    assert provider.refreshed == []


@pytest.fixture
def sent_timeouts(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """The ``timeout`` the pooled session was given for each request."""
    from smartcar import api

    session = api.get_session()
    original = session.send
    seen: List[Any] = []

    def recording_send(prepared: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("timeout"))
        return original(prepared, **kwargs)

    monkeypatch.setattr(session, "send", recording_send)
    return seen


def test_timeouts_reach_the_transport(
    mocked: responses.RequestsMock, sent_timeouts: List[Any]
) -> None:
    from smartcar import api

    _register(mocked, ENDPOINTS["odometer"], {})
    mocked.get(f"{smartcar.const.API_URL}/user", json={"id": "u"})
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).odometer()
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=3).odometer()
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=(1, 20)).odometer()
    smartcar.get_user_id(ACCESS_TOKEN, timeout=7.5)
    smartcar.set_defaults(timeout=(2.0, 30.0))
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).odometer()
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=4).odometer()
    assert sent_timeouts == [api.DEFAULT_TIMEOUT, 3.0, (1.0, 20.0), 7.5, (2.0, 30.0), 4.0]
    connect, read = api.DEFAULT_TIMEOUT
    assert connect <= 10 < 60 <= read, "reads need a long read timeout, a short connect one"


@pytest.mark.parametrize("bad", [0, -1, "5", (1, 2, 3), (0, 5), True, None])
def test_bad_timeouts_are_rejected(bad: Any) -> None:
    from smartcar import api

    if bad is not None:
        with pytest.raises(ValueError):
            smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, timeout=bad)
    with pytest.raises(ValueError):
        api.check_timeout(bad)


@pytest.mark.parametrize(
    ("name", "answer", "expected"),
    [
        ("info", {}, {}),
        ("info", {"make": "TESLA", "vin": "X"}, {"make": "TESLA", "vin": "X"}),
        ("odometer", {}, {"data": {}, "unit_system": "metric", "age": None}),
        (
            "odometer",
            {"odometer": 1234},
            {"data": {"odometer": 1234}, "unit_system": "metric", "age": None},
        ),
        ("battery_capacity", {"capacity": None}, {"data": {"capacity": None}, "age": None}),
        ("oil", {}, {"data": {}, "age": None}),
        (
            "tire_pressure",
            {"frontLeft": 1},
            {"data": {"tires": {"frontLeft": 1}}, "unit_system": "metric", "age": None},
        ),
    ],
)
def test_2xx_answer_with_missing_or_unexpected_fields_comes_back_as_it_came(
    mocked: responses.RequestsMock,
    vehicle: smartcar.Vehicle,
    name: str,
    answer: Any,
    expected: Dict[str, Any],
) -> None:
    """4.3 returned the body as it came; users' own test suites mock partial bodies such as
    ``{"odometer": 1234}``, so those come back unchanged instead of raising."""
    _register(mocked, ENDPOINTS[name]._replace(answer=answer), {})
    result = ENDPOINTS[name].call(vehicle)
    assert result == expected
    assert list(result) == list(expected)  # 4.3's key order, so the same JSON


@pytest.mark.parametrize(
    ("age_header", "hour"),
    [("2019-10-24T05:43:46+05:00", 0), ("2019-10-23T19:43:46-05:00", 0), (AGE_HEADER, 0)],
)
def test_age_with_an_offset_comes_back_as_aware_utc(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle, age_header: str, hour: int
) -> None:
    _register(mocked, ENDPOINTS["odometer"], {"sc-data-age": age_header})
    age = vehicle.odometer()["age"]
    assert age == AGE
    assert age is not None and age.tzinfo is datetime.timezone.utc
    assert (age.hour, age.utcoffset()) == (hour, datetime.timedelta(0))
