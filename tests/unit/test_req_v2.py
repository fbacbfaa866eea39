"""Exact requests of the seed's calls on API v2.0, as the official Python SDK 6.x sends them
(``shared/spec/api-v2-v3.md`` 7.2), and the version switch itself."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterator, NamedTuple, Optional

import pytest
import responses
from unit_support import (
    ACCESS_TOKEN,
    API_ORIGIN,
    AUTH,
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    USER_AGENT_PATTERN,
    VEHICLE_ID,
    basic_auth_header,
    split_url,
)

import smartcar
from smartcar import const

V2 = API_ORIGIN + "/v2.0"
V2_VEHICLE = f"{V2}/vehicles/{VEHICLE_ID}"
AGE_HEADER = "2019-10-24T00:43:46.000Z"


@pytest.fixture(autouse=True)
def _v2(monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]) -> Iterator[None]:
    """API v2.0 in force, its URL under the unit tests' fake origin."""
    smartcar_defaults(api_version="2.0")
    monkeypatch.delattr(const, "API_URL")
    monkeypatch.setenv("SMARTCAR_API_ORIGIN", API_ORIGIN)
    yield


class Call(NamedTuple):
    invoke: Callable[[smartcar.Vehicle], Any]
    method: str
    url: str
    answer: Any
    unit_header: bool
    sent_json: Any = None
    query: Optional[Dict[str, str]] = None


ACTION = {"status": "success", "message": "Successfully sent request to vehicle"}
CALLS: Dict[str, Call] = {
    "info": Call(lambda v: v.info(), "GET", V2_VEHICLE + "/", {"id": VEHICLE_ID}, True),
    "vin": Call(lambda v: v.vin(), "GET", V2_VEHICLE + "/vin", {"vin": "5YJ3E1EA7HF000337"}, True),
    "permissions": Call(
        lambda v: v.permissions(), "GET", V2_VEHICLE + "/permissions", {"permissions": []}, True
    ),
    "location": Call(
        lambda v: v.location(), "GET", V2_VEHICLE + "/location", {"latitude": 1}, True
    ),
    "odometer": Call(
        lambda v: v.odometer(), "GET", V2_VEHICLE + "/odometer", {"distance": 1}, True
    ),
    "fuel": Call(lambda v: v.fuel(), "GET", V2_VEHICLE + "/fuel", {"range": 1}, True),
    "battery": Call(lambda v: v.battery(), "GET", V2_VEHICLE + "/battery", {"range": 1}, True),
    "battery_capacity": Call(
        lambda v: v.battery_capacity(),
        "GET",
        V2_VEHICLE + "/battery/capacity",
        {"capacity": 1},
        True,
    ),
    "charge": Call(
        lambda v: v.charge(), "GET", V2_VEHICLE + "/charge", {"state": "CHARGING"}, True
    ),
    "oil": Call(lambda v: v.oil(), "GET", V2_VEHICLE + "/engine/oil", {"lifeRemaining": 1}, True),
    "tire_pressure": Call(
        lambda v: v.tire_pressure(), "GET", V2_VEHICLE + "/tires/pressure", {"frontLeft": 1}, True
    ),
    "batch": Call(
        lambda v: v.batch(["/odometer"]),
        "POST",
        V2_VEHICLE + "/batch",
        {"responses": []},
        True,
        sent_json={"requests": [{"path": "/odometer"}]},
    ),
    "lock": Call(
        lambda v: v.lock(), "POST", V2_VEHICLE + "/security", ACTION, False, {"action": "LOCK"}
    ),
    "unlock": Call(
        lambda v: v.unlock(), "POST", V2_VEHICLE + "/security", ACTION, False, {"action": "UNLOCK"}
    ),
    "start_charge": Call(
        lambda v: v.start_charge(),
        "POST",
        V2_VEHICLE + "/charge",
        ACTION,
        False,
        {"action": "START"},
    ),
    "stop_charge": Call(
        lambda v: v.stop_charge(), "POST", V2_VEHICLE + "/charge", ACTION, False, {"action": "STOP"}
    ),
    "disconnect": Call(
        lambda v: v.disconnect(),
        "DELETE",
        V2_VEHICLE + "/application",
        {"status": "success"},
        False,
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_vehicle_call_on_v2(name: str, mocked: responses.RequestsMock) -> None:
    call = CALLS[name]
    mocked.add(
        call.method,
        call.url,
        json=call.answer,
        headers={"sc-data-age": AGE_HEADER, "sc-unit-system": "metric", "sc-request-id": "r-1"},
    )
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, "imperial")
    call.invoke(vehicle)
    sent = mocked.calls[0].request
    assert (sent.method, sent.url) == (call.method, call.url)
    assert sent.headers["Authorization"] == "Bearer " + ACCESS_TOKEN
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert sent.headers.get("sc-unit-system") == ("imperial" if call.unit_header else None)
    if call.sent_json is None:
        assert not sent.body
    else:
        assert sent.body == json.dumps(call.sent_json).encode()
        assert sent.headers["Content-Type"] == "application/json"


def test_seed_shapes_on_v2(mocked: responses.RequestsMock) -> None:
    headers = {"sc-data-age": AGE_HEADER, "sc-unit-system": "metric", "sc-request-id": "r-9"}
    mocked.get(V2_VEHICLE + "/odometer", json={"distance": 12.5}, headers=headers)
    mocked.post(V2_VEHICLE + "/security", json=ACTION, headers=headers)
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)
    odometer = vehicle.odometer()
    assert odometer == {"data": {"distance": 12.5}, "unit_system": "metric", "age": odometer["age"]}
    assert odometer["age"].isoformat() == "2019-10-24T00:43:46+00:00"
    assert odometer.request_id == "r-9"
    assert vehicle.lock() == {"status": "success"}


def test_module_functions_on_v2(mocked: responses.RequestsMock) -> None:
    mocked.get(V2 + "/user", json={"id": "user-1"})
    mocked.get(V2 + "/vehicles", json={"vehicles": ["a"], "paging": {"count": 1, "offset": 0}})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "user-1"
    assert smartcar.get_vehicle_ids(ACCESS_TOKEN)["vehicles"] == ["a"]
    user, vehicles = (call.request for call in mocked.calls)
    assert "sc-unit-system" not in user.headers and "sc-unit-system" not in vehicles.headers
    assert split_url(vehicles.url) == (V2 + "/vehicles", [("limit", "10"), ("offset", "0")])


def test_auth_client_on_v2(mocked: responses.RequestsMock) -> None:
    mocked.get(V2 + "/compatibility", json={"compatible": True})
    mocked.post(AUTH, json={"access_token": "a", "refresh_token": "r", "expires_in": 7200})
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    assert client.is_compatible("5YJ3E1EA7HF000337", ["read_odometer"]) is True
    client.exchange_code(AUTH_CODE)
    compatibility, token = (call.request for call in mocked.calls)
    assert split_url(compatibility.url) == (
        V2 + "/compatibility",
        [("vin", "5YJ3E1EA7HF000337"), ("scope", "read_odometer"), ("country", "US")],
    )
    for sent in (compatibility, token):
        assert sent.headers["Authorization"] == basic_auth_header(CLIENT_ID, CLIENT_SECRET)
    assert token.url == AUTH
    assert token.body == (
        "grant_type=authorization_code&code=" + AUTH_CODE + "&redirect_uri="
        "https%3A%2F%2Fapp.example.test%2Fcallback"
    )


def test_v2_error_body_fills_the_exception(mocked: responses.RequestsMock) -> None:
    body = {
        "type": "VEHICLE_STATE",
        "code": "ASLEEP",
        "description": "The vehicle is asleep.",
        "docURL": "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#asleep",
        "statusCode": 409,
        "requestId": "body-rid",
        "resolution": {"type": "RETRY_LATER"},
        "suggestedUserMessage": "Wake your car.",
    }
    mocked.get(V2_VEHICLE + "/odometer", status=409, json=body)
    with pytest.raises(smartcar.StateException) as caught:
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).odometer()
    error = caught.value
    assert str(error) == "ASLEEP: The vehicle is asleep."
    assert (error.type, error.code, error.request_id, error.status_code) == (
        "VEHICLE_STATE",
        "ASLEEP",
        "body-rid",
        409,
    )
    assert error.resolution == {"type": "RETRY_LATER", "url": None}
    assert error.doc_url == body["docURL"]


# The version switch ------------------------------------------------------------------------


def test_set_and_get_api_version() -> None:
    smartcar.set_api_version("1.0")
    assert smartcar.get_api_version() == "1.0" == const.API_VERSION
    assert const.API_URL == API_ORIGIN + "/v1.0"
    smartcar.set_api_version("2.0")
    assert smartcar.get_api_version() == "2.0" == const.API_VERSION
    assert const.API_URL == API_ORIGIN + "/v2.0"


@pytest.mark.parametrize("bad", ["3", "1.1", "", "two"])
def test_set_api_version_rejects_unknown_versions(bad: str) -> None:
    with pytest.raises(ValueError, match="version"):
        smartcar.set_api_version(bad)
    with pytest.raises(TypeError, match="version"):
        smartcar.set_api_version(2.0)  # type: ignore[arg-type]
    assert smartcar.get_api_version() == "2.0"


def test_environment_variable_applies_without_set_api_version(
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
    mocked: responses.RequestsMock,
) -> None:
    smartcar_defaults(api_version=None)
    monkeypatch.setenv("SMARTCAR_API_VERSION", "1.0")
    assert smartcar.get_api_version() == "1.0"
    mocked.get(API_ORIGIN + "/v1.0/user", json={"id": "u"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "u"
    monkeypatch.setenv("SMARTCAR_API_VERSION", "2.0")
    assert const.API_URL == V2
    monkeypatch.setenv("SMARTCAR_API_VERSION", "9.9")
    with pytest.raises(ValueError, match="SMARTCAR_API_VERSION"):
        smartcar.get_api_version()


def test_vehicle_pinned_to_v1_speaks_4_3_5(mocked: responses.RequestsMock) -> None:
    mocked.get(API_ORIGIN + f"/v1.0/vehicles/{VEHICLE_ID}/permissions", json={"permissions": []})
    mocked.get(V2_VEHICLE + "/permissions", json={"permissions": []})
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, version="1.0").permissions()
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).permissions()
    v1, v2 = (call.request for call in mocked.calls)
    assert v1.url.startswith(API_ORIGIN + "/v1.0/") and "sc-unit-system" not in v1.headers
    assert v2.url.startswith(V2 + "/") and v2.headers["sc-unit-system"] == "metric"


def test_module_functions_take_a_version(mocked: responses.RequestsMock) -> None:
    mocked.get(API_ORIGIN + "/v1.0/user", json={"id": "u1"})
    mocked.get(API_ORIGIN + "/v1.0/vehicles", json={"vehicles": []})
    assert smartcar.get_user_id(ACCESS_TOKEN, version="1.0") == "u1"
    assert smartcar.get_vehicle_ids(ACCESS_TOKEN, version="1.0") == {"vehicles": []}
    with pytest.raises(ValueError, match="version"):
        smartcar.get_user_id(ACCESS_TOKEN, version="0.9")


def test_auth_client_takes_a_version(mocked: responses.RequestsMock) -> None:
    mocked.get(API_ORIGIN + "/v1.0/compatibility", json={"compatible": False})
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, version="1.0")
    assert client.is_compatible("5YJ3E1EA7HF000337", ["read_vin"]) is False


def test_vehicle_version_is_validated() -> None:
    with pytest.raises(ValueError, match="version"):
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, version="3.0")


def test_explicit_api_url_gives_the_origin_and_follows_the_version(
    mocked: responses.RequestsMock,
) -> None:
    """An assigned ``const.API_URL`` (what the emulator and 4.3-era suites do) keeps its origin;
    its ``/vX.Y`` is the version of the call, so ``API_URL`` reflects the version in force."""
    const.API_URL = "https://mock.test/v1.0"
    assert const.API_URL == "https://mock.test/v2.0"
    mocked.get("https://mock.test/v2.0/user", json={"id": "u2"})
    mocked.get(f"https://mock.test/v1.0/vehicles/{VEHICLE_ID}/vin", json={"vin": "V"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "u2"
    assert smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, version="1.0").vin() == "V"
    smartcar.set_api_version("1.0")
    assert const.API_URL == "https://mock.test/v1.0"
    mocked.get("https://mock.test/v1.0/user", json={"id": "u1"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "u1"


def test_explicit_api_url_without_a_version_is_used_as_it_is(
    mocked: responses.RequestsMock,
) -> None:
    const.API_URL = "https://gateway.test/smartcar"
    mocked.get("https://gateway.test/smartcar/user", json={"id": "g"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "g"


def test_default_version_is_2_0(
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
    mocked: responses.RequestsMock,
) -> None:
    smartcar_defaults(api_version=None)
    monkeypatch.delenv("SMARTCAR_API_VERSION", raising=False)
    assert smartcar.get_api_version() == "2.0"
    mocked.get(V2 + "/user", json={"id": "u"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "u"
