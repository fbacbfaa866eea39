"""``smartcar.v3.Vehicle``: exact requests, signals, the seed's reads in both unit systems,
signal errors, and commands (bodies, 202, failed executions, never repeated)."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List

import pytest
import responses

import smartcar
from smartcar.v3 import Client, Signal, Vehicle

from .support import (
    SEED_SIGNALS,
    USER_ID,
    VEHICLE_ID,
    VEHICLES,
    calls_to,
    command_body,
    json_of,
    serve_signals,
    signal,
    signal_list,
    v3_error,
)

UTC = datetime.timezone.utc
BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"
SIGNALS = f"{BASE}/signals"

AGE = datetime.datetime(2023, 10, 1, 10, 39, 59, tzinfo=UTC)


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


@pytest.fixture
def seeded(mocked: responses.RequestsMock) -> responses.RequestsMock:
    serve_signals(mocked, SEED_SIGNALS)
    return mocked


def assert_user_call(call: Any) -> None:
    assert call.request.headers["sc-user-id"] == USER_ID
    assert call.request.headers["Authorization"] == "Bearer app-token-1"


@pytest.mark.parametrize("wrapped", [True, False])
def test_info_wrapped_or_not(
    vehicle: Vehicle, mocked: responses.RequestsMock, wrapped: bool
) -> None:
    resource = {
        "id": VEHICLE_ID,
        "type": "vehicle",
        "attributes": {
            "make": "Toyota",
            "model": "Camry",
            "year": 2020,
            "powertrainType": "ICE",
            "mode": "live",
        },
        "links": {"self": f"/vehicles/{VEHICLE_ID}"},
    }
    mocked.add(responses.GET, BASE, json={"data": resource} if wrapped else resource)
    assert vehicle.info() == {
        "id": VEHICLE_ID,
        "make": "Toyota",
        "model": "Camry",
        "year": 2020,
        "powertrain_type": "ICE",
        "mode": "live",
    }
    (call,) = calls_to(mocked, BASE)
    assert call.request.method == "GET" and call.request.url == BASE
    assert call.request.headers["Authorization"] == "Bearer app-token-1"


def test_signals_exact_request_and_mapping(
    vehicle: Vehicle, seeded: responses.RequestsMock
) -> None:
    signals = vehicle.signals()
    assert set(signals) == {s["id"] for s in SEED_SIGNALS}
    soc = signals["tractionbattery-stateofcharge"]
    assert isinstance(soc, Signal)
    assert (soc.value, soc.unit, soc.status, soc.group) == (
        45,
        "percent",
        "SUCCESS",
        "Tractionbattery",
    )
    (call,) = calls_to(seeded, SIGNALS)
    assert call.request.method == "GET" and call.request.url == SIGNALS
    assert_user_call(call)
    assert "sc-unit-system" not in call.request.headers


def test_empty_signal_store(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    mocked.add(responses.GET, SIGNALS, json={"data": [], "meta": {"totalCount": 0}})
    assert vehicle.signals() == {}
    with pytest.raises(smartcar.VehicleNotCapableException, match="battery"):
        vehicle.battery()


def test_signals_follow_next_links_on_the_same_origin(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    first = signal_list([SEED_SIGNALS[0]], pageSize=1, totalCount=3)
    first["links"] = {"next": f"/vehicles/{VEHICLE_ID}/signals?page=2&pageSize=1"}
    second = signal_list([SEED_SIGNALS[1]], pageNumber=2, pageSize=1, totalCount=3)
    second["links"] = {"next": f"{SIGNALS}?page=3&pageSize=1"}
    third = signal_list([SEED_SIGNALS[2]], page=3, pageSize=1, totalCount=3)
    third["links"] = {"next": None}
    mocked.add(
        responses.GET, SIGNALS, json=first, match=[responses.matchers.query_string_matcher("")]
    )
    mocked.add(
        responses.GET,
        f"{SIGNALS}?page=2&pageSize=1",
        json=second,
        match=[responses.matchers.query_string_matcher("page=2&pageSize=1")],
    )
    mocked.add(
        responses.GET,
        f"{SIGNALS}?page=3&pageSize=1",
        json=third,
        match=[responses.matchers.query_string_matcher("page=3&pageSize=1")],
    )
    assert len(vehicle.signals()) == 3
    assert len(calls_to(mocked, SIGNALS)) == 3


def test_signals_never_follow_a_link_to_another_host(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    body = signal_list([SEED_SIGNALS[0]], pageSize=1, totalCount=2)
    body["links"] = {"next": "https://elsewhere.test/v3/vehicles/x/signals?page=2"}
    mocked.add(responses.GET, SIGNALS, json=body)
    assert len(vehicle.signals()) == 1
    assert len(mocked.calls) == 2  # the token and one page


@pytest.mark.parametrize("wrapped", [True, False])
def test_one_signal(vehicle: Vehicle, mocked: responses.RequestsMock, wrapped: bool) -> None:
    resource = signal("tractionbattery-stateofcharge", {"value": 78, "unit": "percent"})
    mocked.add(
        responses.GET,
        f"{SIGNALS}/tractionbattery-stateofcharge",
        json={"data": resource} if wrapped else resource,
    )
    result = vehicle.signal("tractionbattery-stateofcharge")
    assert (result.code, result.value) == ("tractionbattery-stateofcharge", 78)
    (call,) = calls_to(mocked, SIGNALS)
    assert_user_call(call)


def test_unknown_signal_code_is_resource_not_found(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.GET,
        f"{SIGNALS}/vin",
        status=404,
        json=v3_error(
            404, "RESOURCE_NOT_FOUND", "SIGNAL_NOT_FOUND", "Signal with code vin not found"
        ),
    )
    with pytest.raises(smartcar.ResourceNotFoundException) as caught:
        vehicle.signal("vin")
    assert caught.value.code == "SIGNAL_NOT_FOUND"


def test_seed_reads_carry_the_request_id_as_an_attribute_only(
    vehicle: Vehicle, seeded: responses.RequestsMock
) -> None:
    odometer = vehicle.odometer()
    assert isinstance(odometer, smartcar.Result)
    assert odometer.request_id == "r1"
    assert set(odometer) == {"data", "unit_system", "age"}
    assert set(vehicle.charge()) == {"data", "age"}


def test_seed_reads_metric(vehicle: Vehicle, seeded: responses.RequestsMock) -> None:
    assert vehicle.vin() == "5YJSA1E26FF101307"
    assert vehicle.location() == {
        "data": {"latitude": 37.4292, "longitude": -122.1381},
        "age": datetime.datetime(2026, 9, 22, 10, 0, tzinfo=UTC),
    }
    assert vehicle.odometer() == {
        "data": {"distance": 1609.344},
        "unit_system": "metric",
        "age": AGE,
    }
    battery = vehicle.battery()
    assert battery["data"] == {"percentRemaining": 0.45, "range": 160.9344}
    assert battery["age"] == datetime.datetime(2023, 10, 1, 10, 26, 40, tzinfo=UTC)  # the oldest
    assert vehicle.battery_capacity()["data"] == {"capacity": 86}
    assert vehicle.fuel()["data"] == {
        "range": 321.8688,
        "percentRemaining": 0.3,
        "amountRemaining": 37.85411784,
    }
    assert vehicle.oil() == {"data": {"lifeRemaining": 0.8}, "age": AGE}
    assert vehicle.charge() == {
        "data": {"isPluggedIn": True, "state": "CHARGING"},
        "age": AGE,
    }
    assert vehicle.tire_pressure() == {
        "data": {
            "tires": {
                "frontLeft": 241.3165,
                "frontRight": 248.2113,
                "backLeft": 234.4217,
                "backRight": 227.5270,
            }
        },
        "unit_system": "metric",
        "age": AGE,
    }
    for call in calls_to(seeded, SIGNALS):
        assert_user_call(call)


def test_seed_reads_imperial(
    client: Client, seeded: responses.RequestsMock, token_requests: List[str]
) -> None:
    vehicle = client.vehicle(VEHICLE_ID, USER_ID, unit_system="imperial")
    odometer = vehicle.odometer()
    assert odometer["unit_system"] == "imperial"
    assert odometer["data"]["distance"] == pytest.approx(1000.0)
    battery = vehicle.battery()
    assert battery["data"]["range"] == pytest.approx(100.0)
    assert battery["data"]["percentRemaining"] == 0.45
    fuel = vehicle.fuel()["data"]
    assert fuel["range"] == pytest.approx(200.0)
    assert fuel["amountRemaining"] == pytest.approx(10.0)
    tires = vehicle.tire_pressure()
    assert tires["unit_system"] == "imperial"
    assert tires["data"]["tires"] == pytest.approx(
        {"frontLeft": 35.0, "frontRight": 36.0, "backLeft": 34.0, "backRight": 33.0}, abs=1e-3
    )
    assert vehicle.location()["data"] == {"latitude": 37.4292, "longitude": -122.1381}
    vehicle.set_unit_system("metric")
    assert vehicle.odometer()["data"]["distance"] == 1609.344


def test_units_already_imperial_are_not_converted_twice(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    serve_signals(
        mocked,
        [
            signal("odometer-traveleddistance", {"value": 1000, "unit": "miles"}),
            signal(
                "wheel-tires",
                {"values": [{"row": 0, "column": 0, "tirePressure": 2.4}], "unit": "bar"},
            ),
        ],
    )
    assert vehicle.odometer()["data"]["distance"] == pytest.approx(1609.344)
    tires = vehicle.tire_pressure()["data"]["tires"]
    assert tires["frontLeft"] == pytest.approx(240.0)
    assert tires["backRight"] is None
    vehicle.set_unit_system("imperial")
    assert vehicle.odometer()["data"]["distance"] == 1000


@pytest.mark.parametrize(
    ("detailed", "is_charging", "state"),
    [
        ("FULLY_CHARGED", None, "FULLY_CHARGED"),
        ("CHARGING_COMPLETE", None, "FULLY_CHARGED"),
        ("NOT_CHARGING", True, "NOT_CHARGING"),
        ("CHARGING", None, "CHARGING"),
        (None, True, "CHARGING"),
        (None, False, "NOT_CHARGING"),
    ],
)
def test_charge_state_from_detailed_status_else_is_charging(
    vehicle: Vehicle, mocked: responses.RequestsMock, detailed: Any, is_charging: Any, state: str
) -> None:
    items = [signal("charge-ischargingcableconnected", {"value": False})]
    if detailed is not None:
        items.append(signal("charge-detailedchargingstatus", {"value": detailed}))
    if is_charging is not None:
        items.append(signal("charge-ischarging", {"value": is_charging}))
    mocked.add(responses.GET, SIGNALS, json=signal_list(items))
    assert vehicle.charge()["data"] == {"isPluggedIn": False, "state": state}


@pytest.mark.parametrize(
    ("error", "exception"),
    [
        (
            {"type": "COMPATIBILITY", "code": "VEHICLE_NOT_CAPABLE"},
            smartcar.VehicleNotCapableException,
        ),
        (
            {"type": "COMPATIBILITY", "code": "SMARTCAR_NOT_CAPABLE"},
            smartcar.SmartcarNotCapableException,
        ),
        (
            {"type": "VEHICLE_STATE", "code": "ASLEEP", "title": "Asleep", "detail": "zzz"},
            smartcar.StateException,
        ),
        ({"type": "PERMISSION", "code": None, "description": "no"}, smartcar.PermissionException),
    ],
)
def test_a_signal_in_error_raises_its_mapped_exception(
    vehicle: Vehicle, mocked: responses.RequestsMock, error: Dict[str, Any], exception: type
) -> None:
    serve_signals(
        mocked,
        [
            signal(
                "odometer-traveleddistance",
                {"value": None, "unit": "km"},
                status="ERROR",
                error=error,
            ),
            signal("tractionbattery-stateofcharge", status="ERROR", error=error),
        ],
    )
    signals = vehicle.signals()
    assert signals["odometer-traveleddistance"].error is not None
    assert signals["odometer-traveleddistance"].error.code == error["code"]
    with pytest.raises(exception) as caught:
        vehicle.odometer()
    assert caught.value.code == error["code"]
    with pytest.raises(exception):
        vehicle.battery()


def test_unavailable_signal_leaves_its_field_none(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.GET,
        SIGNALS,
        json=signal_list(
            [
                signal("tractionbattery-stateofcharge", {"value": 50, "unit": "percent"}),
                signal("tractionbattery-range", status="UNAVAILABLE"),
            ]
        ),
    )
    assert vehicle.battery()["data"] == {"percentRemaining": 0.5, "range": None}


def test_signals_error_answer_is_decoded(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    mocked.add(
        responses.GET,
        SIGNALS,
        status=430,
        json=v3_error(430, "BILLING", "VEHICLE_REQUEST_LIMIT", "Limit reached"),
    )
    with pytest.raises(smartcar.MonthlyLimitExceeded):
        vehicle.battery()


def test_bad_signal_list_is_a_smartcar_exception(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, SIGNALS, json={"data": [{"attributes": {}}]})
    with pytest.raises(smartcar.SmartcarException, match="bad signal"):
        vehicle.signals()


# Commands --------------------------------------------------------------------------------

COMMANDS = [
    ("lock", (), "security/lock", "security-lock", None),
    ("unlock", (), "security/unlock", "security-unlock", None),
    ("start_charge", (), "charge/start", "charge-start", None),
    ("stop_charge", (), "charge/stop", "charge-stop", None),
    ("set_charge_limit", (80,), "charge/set-limit", "charge-set-limit", {"percent": 80}),
    (
        "set_destination",
        (37.77, -122.41),
        "navigation/set-destination",
        "navigation-set-destination",
        {"latitude": 37.77, "longitude": -122.41},
    ),
    ("open_charge_port", (), "charge-port/open", "charge-port-open", None),
    ("close_charge_port", (), "charge-port/close", "charge-port-close", None),
]


@pytest.mark.parametrize(("method", "args", "path", "command_type", "attributes"), COMMANDS)
@pytest.mark.parametrize("status", [200, 202])
def test_commands_exact_requests(
    vehicle: Vehicle,
    mocked: responses.RequestsMock,
    method: str,
    args: Any,
    path: str,
    command_type: str,
    attributes: Any,
    status: int,
) -> None:
    url = f"{BASE}/commands/{path}"
    mocked.add(
        responses.POST,
        url,
        status=status,
        json=command_body(command_type, parameters=attributes),
        headers={"sc-request-id": "cmd-1"},
    )
    result = getattr(vehicle, method)(*args)
    assert result == {
        "id": "exec_9876543210",
        "command_type": command_type,
        "status": "SUCCESS",
        "execution_mode": "sync",
        "parameters": attributes or {},
        "executed_at": datetime.datetime(2024, 1, 1, 12, 0, tzinfo=UTC),
        "completed_at": datetime.datetime(2024, 1, 1, 12, 0, 2, tzinfo=UTC),
        "duration_seconds": 2.0,
        "status_code": status,
    }
    assert result.request_id == "cmd-1"
    (call,) = calls_to(mocked, url)
    assert call.request.method == "POST"
    assert_user_call(call)
    if attributes is None:
        assert call.request.body is None
    else:
        assert call.request.headers["Content-Type"] == "application/json"
        assert json_of(call) == {"data": {"attributes": attributes}}


def test_a_failed_execution_raises_its_mapped_exception(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    error = {"type": "VEHICLE_STATE", "code": "DOOR_OPEN", "detail": "A door is open."}
    mocked.add(
        responses.POST,
        f"{BASE}/commands/security/lock",
        status=202,
        json=command_body("security-lock", status="ERROR", error=error),
    )
    with pytest.raises(smartcar.StateException) as caught:
        vehicle.lock()
    assert caught.value.code == "DOOR_OPEN"
    assert len(calls_to(mocked, BASE)) == 1


def test_a_pending_execution_raises(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    mocked.add(
        responses.POST,
        f"{BASE}/commands/charge/start",
        status=202,
        json=command_body("charge-start", status="PENDING"),
    )
    with pytest.raises(smartcar.SmartcarException, match="PENDING"):
        vehicle.start_charge()


def test_an_error_envelope_in_a_202_raises(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.POST,
        f"{BASE}/commands/charge/stop",
        status=202,
        json=v3_error(409, "VEHICLE_STATE", "NOT_CHARGING", "Not charging"),
    )
    with pytest.raises(smartcar.StateException) as caught:
        vehicle.stop_charge()
    assert caught.value.code == "NOT_CHARGING"


@pytest.mark.parametrize("status", [401, 500, 502, 503, 504])
def test_commands_are_never_repeated(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str], status: int
) -> None:
    mocked.add(
        responses.POST,
        f"{BASE}/commands/security/unlock",
        status=status,
        json=v3_error(status, "SERVER", "INTERNAL", "boom"),
    )
    with pytest.raises(smartcar.SmartcarException):
        vehicle.unlock()
    assert len(calls_to(mocked, BASE)) == 1
    if status == 401:  # the refused token is dropped: the next call fetches a fresh one
        assert vehicle._transport.tokens.access_token() == "app-token-2"


def test_a_command_refused_for_its_token_gets_one_fresh_token_and_one_repeat(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    url = f"{BASE}/commands/security/lock"
    refused = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "The token is missing or invalid.")
    mocked.add(responses.POST, url, status=401, json=refused)
    mocked.add(responses.POST, url, json=command_body("security-lock"))
    assert vehicle.lock()["status"] == "SUCCESS"
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, url)]
    assert auths == ["Bearer app-token-1", "Bearer app-token-2"]


def test_a_command_refused_twice_for_its_token_is_sent_twice_only(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    url = f"{BASE}/commands/security/lock"
    refused = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "The token is missing or invalid.")
    mocked.add(responses.POST, url, status=401, json=refused)
    with pytest.raises(smartcar.AuthenticationException):
        vehicle.lock()
    assert len(calls_to(mocked, url)) == 2


def test_a_401_inside_a_202_body_is_never_repeated(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    url = f"{BASE}/commands/security/lock"
    inside = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "Rejected downstream.")
    mocked.add(responses.POST, url, status=202, json=inside)
    with pytest.raises(smartcar.AuthenticationException):
        vehicle.lock()
    assert len(calls_to(mocked, url)) == 1
    assert token_requests == ["app-token-1"]


def test_reads_get_one_repeat_after_a_401(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    vin_url = f"{SIGNALS}/vehicleidentification-vin"
    mocked.add(
        responses.GET,
        vin_url,
        status=401,
        json=v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "invalid token"),
    )
    mocked.add(responses.GET, vin_url, json=SEED_SIGNALS[0])
    assert vehicle.vin() == "5YJSA1E26FF101307"
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, SIGNALS)]
    assert auths == ["Bearer app-token-1", "Bearer app-token-2"]


@pytest.mark.parametrize(
    "percent",
    [
        *(49, 101, 0.8, 80.5, True, "80", None, float("nan")),
        pytest.param(10**400, id="10**400"),
        pytest.param(-(10**400), id="-10**400"),
    ],
)
def test_set_charge_limit_range(
    vehicle: Vehicle, mocked: responses.RequestsMock, percent: Any
) -> None:
    with pytest.raises(ValueError, match="percent"):
        vehicle.set_charge_limit(percent)
    assert calls_to(mocked, BASE) == []


def test_set_charge_limit_bounds_are_inclusive(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    url = f"{BASE}/commands/charge/set-limit"
    mocked.add(responses.POST, url, json=command_body("charge-set-limit"))
    vehicle.set_charge_limit(50)
    vehicle.set_charge_limit(100.0)
    assert [json_of(c) for c in calls_to(mocked, url)] == [
        {"data": {"attributes": {"percent": 50}}},
        {"data": {"attributes": {"percent": 100}}},
    ]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (90.1, 0),
        (-90.1, 0),
        (0, 180.5),
        (0, -181),
        (float("nan"), 0),
        (0, float("inf")),
        ("1", 2),
        (True, 0),
        pytest.param(10**400, 0, id="10**400"),
        pytest.param(0, -(10**400), id="-10**400"),
    ],
)
def test_set_destination_range(
    vehicle: Vehicle, mocked: responses.RequestsMock, latitude: Any, longitude: Any
) -> None:
    with pytest.raises(ValueError, match=r"latitude|longitude"):
        vehicle.set_destination(latitude, longitude)
    assert calls_to(mocked, BASE) == []


def test_repr_shows_no_token(vehicle: Vehicle) -> None:
    assert "app-token" not in repr(vehicle)
    assert VEHICLE_ID in repr(vehicle)


def test_vehicle_built_from_the_client(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    serve_signals(mocked, SEED_SIGNALS)
    vehicle = Vehicle(client, VEHICLE_ID, USER_ID, "imperial")
    assert vehicle.unit_system == "imperial"
    assert vehicle.vin() == "5YJSA1E26FF101307"
    with pytest.raises(TypeError, match=r"smartcar\.v3\.Client"):
        Vehicle(object(), VEHICLE_ID, USER_ID)


def test_a_command_whose_meta_does_not_fit_still_returns_its_result(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    body = command_body("security-lock")
    body["data"]["meta"] = {
        "executedAt": 10**400,
        "completedAt": "1" + "0" * 400,
        "durationInSeconds": 10**400,
    }
    mocked.add(responses.POST, f"{BASE}/commands/security/lock", json=body)
    result = vehicle.lock()
    assert result["status"] == "SUCCESS"
    assert (result["executed_at"], result["completed_at"], result["duration_seconds"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "following",
    [f"/vehicles/{VEHICLE_ID}/signals?page=2", f"/vehicles/{VEHICLE_ID}/signals"],
    ids=["next page repeats page one", "link to the same page"],
)
def test_signals_stop_on_a_page_with_nothing_new(
    vehicle: Vehicle, mocked: responses.RequestsMock, following: str
) -> None:
    body = signal_list(SEED_SIGNALS[:2], pageSize=2, totalCount=99)
    body["links"] = {"next": following}
    mocked.add(responses.GET, SIGNALS, json=body)
    assert list(vehicle.signals()) == [SEED_SIGNALS[0]["id"], SEED_SIGNALS[1]["id"]]
    assert len(calls_to(mocked, SIGNALS)) <= 2


def test_signals_pages_that_overlap_give_every_signal(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    pages = [SEED_SIGNALS[0:2], SEED_SIGNALS[1:3], SEED_SIGNALS[3:4]]
    for number, items in enumerate(pages, start=1):
        body = signal_list(items, pageSize=2, totalCount=4)
        body["links"] = {"next": f"{SIGNALS}?page={number + 1}"}
        query = "" if number == 1 else f"page={number}"
        mocked.add(
            responses.GET,
            f"{SIGNALS}?{query}" if query else SIGNALS,
            json=body,
            match=[responses.matchers.query_string_matcher(query)],
        )
    assert list(vehicle.signals()) == [item["id"] for item in SEED_SIGNALS[:4]]
    assert len(calls_to(mocked, SIGNALS)) == 3


# Lazy signals: a malformed part raises at first use --------------------------------------

BAD_ODOMETERS = [
    ({"body": [1]}, "body that is not an object"),
    ({"status": 3}, "status that is not an object"),
    ({"meta": {"retrievedAt": "soon"}}, "bad time"),
]
"""A part of ``odometer-traveleddistance`` made malformed, and the message it raises."""


def signals_with_bad_odometer(part: Dict[str, Any]) -> Dict[str, Any]:
    """The ``/signals`` answer of :data:`SEED_SIGNALS` whose odometer has ``part`` spoilt."""
    items = []
    for item in SEED_SIGNALS:
        if item["id"] == "odometer-traveleddistance":
            item = {**item, **{k: v for k, v in part.items() if k == "meta"}}
            attributes = {**item["attributes"], **{k: v for k, v in part.items() if k != "meta"}}
            item = {**item, "attributes": attributes}
        items.append(item)
    return signal_list(items)


def assert_bad_odometer_raises_at_first_use(
    signals: Dict[str, Signal], snapshot: Any, message: str
) -> None:
    """``signals`` and ``snapshot`` came from :func:`signals_with_bad_odometer`."""
    odometer = signals["odometer-traveleddistance"]
    assert odometer.code == "odometer-traveleddistance"
    for read in (lambda: odometer.value, lambda: odometer.status, snapshot.odometer):
        with pytest.raises(smartcar.SmartcarException, match=f"a bad signal: .*{message}"):
            read()
    assert signals["tractionbattery-stateofcharge"].value == 45
    assert snapshot.battery()["data"]["percentRemaining"] == 0.45
    assert snapshot.vin() == "5YJSA1E26FF101307"


@pytest.mark.parametrize(("part", "message"), BAD_ODOMETERS)
def test_a_malformed_signal_part_raises_at_first_use_and_the_others_stay_usable(
    vehicle: Vehicle, mocked: responses.RequestsMock, part: Dict[str, Any], message: str
) -> None:
    mocked.add(responses.GET, SIGNALS, json=signals_with_bad_odometer(part))
    signals = vehicle.signals()
    assert_bad_odometer_raises_at_first_use(signals, vehicle.snapshot(), message)


def test_a_signal_error_echoing_the_token_is_redacted_in_a_signals_list(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    error = {"type": "VEHICLE_STATE", "code": "NOT_CHARGING", "detail": "app-token-1 refused"}
    item = signal("charge-ischarging", status="ERROR", error=error)
    mocked.add(responses.GET, SIGNALS, json=signal_list([item]))
    charging = vehicle.signals()["charge-ischarging"]
    assert charging.error is not None
    assert "app-token-1" not in repr(dict(charging.error.raw))
    assert "app-token-1" not in str(charging.error.detail)
