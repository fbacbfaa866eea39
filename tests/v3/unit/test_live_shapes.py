"""Every REST shape of ``api-v2-v3.md`` section 12 (what the live service has been seen to
send), through the public v3 client. The bodies are written from the section's text."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List

import pytest
import responses

import smartcar
from smartcar.v3 import Client, Vehicle, parse_signal

from .support import USER_ID, VEHICLE_ID, VEHICLES, calls_to, serve_signals, single_signal

UTC = datetime.timezone.utc
BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"
SIGNALS = f"{BASE}/signals"
INGESTED = "2026-06-14T08:30:00.250Z"


def live_signal(
    code: str,
    name: str,
    group: str,
    body: Any = None,
    *,
    error: Any = None,
    meta: Any = None,
) -> Dict[str, Any]:
    """A signal resource as the live REST service sent it in 2026 (absolute links, ISO meta
    with ``ingestedAt``)."""
    status: Dict[str, Any] = {"value": "ERROR", "error": error} if error else {"value": "SUCCESS"}
    attributes: Dict[str, Any] = {"code": code, "name": name, "group": group, "status": status}
    if body is not None:
        attributes["body"] = body
    return {
        "id": code,
        "type": "signal",
        "attributes": attributes,
        "meta": meta
        if meta is not None
        else {
            "ingestedAt": INGESTED,
            "retrievedAt": "2026-06-14T08:29:58.000Z",
            "oemUpdatedAt": "2026-06-14T08:29:00.000Z",
        },
        "links": {
            "self": f"https://vehicle.api.smartcar.com/v3/vehicles/{VEHICLE_ID}/signals/{code}"
        },
    }


def live_error(
    error_type: str, code: Any, *, resolution: str = "UNKNOWN_RESOLUTION_TYPE", old: bool = False
) -> Dict[str, Any]:
    """A per-signal error of 2026-06 (``old``: still with ``description``) or 2026-09."""
    error: Dict[str, Any] = {
        "type": error_type,
        "code": code,
        "title": f"{error_type} title",
        "detail": f"{error_type} detail for the user",
        "resolution": {"type": resolution},
    }
    if old:
        error["description"] = "Deprecated. Use detail"
    return error


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


# 1. Single resources, wrapped (live) and unwrapped (the older test vehicle) -------------


@pytest.mark.parametrize("wrapped", [True, False])
def test_single_signal_wrapped_with_included_vehicle_or_bare(
    vehicle: Vehicle, mocked: responses.RequestsMock, wrapped: bool
) -> None:
    item = live_signal(
        "tractionbattery-stateofcharge",
        "StateOfCharge",
        "TractionBattery",
        {"value": 45, "unit": "percent"},
    )
    url = f"{SIGNALS}/tractionbattery-stateofcharge"
    mocked.add(responses.GET, url, json=single_signal(item) if wrapped else item)
    signal = vehicle.signal("tractionbattery-stateofcharge")
    assert (signal.code, signal.group, signal.value, signal.unit) == (
        "tractionbattery-stateofcharge",
        "TractionBattery",
        45,
        "percent",
    )
    assert signal.ingested_at == datetime.datetime(2026, 6, 14, 8, 30, 0, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        {
            "data": {
                "id": VEHICLE_ID,
                "type": "vehicle",
                "attributes": {
                    "make": "VOLKSWAGEN",
                    "model": "ID.4",
                    "year": 2023,
                    "powertrainType": "BEV",
                    "mode": "live",
                },
            }
        },
        {
            "id": VEHICLE_ID,
            "type": "vehicle",
            "attributes": {"make": "VOLKSWAGEN", "model": "ID.4", "year": "2023"},
        },
    ],
    ids=["live-wrapped", "test-vehicle-bare-string-year"],
)
def test_vehicle_info_wrapped_or_bare_with_a_string_year(
    vehicle: Vehicle, mocked: responses.RequestsMock, body: Dict[str, Any]
) -> None:
    mocked.add(responses.GET, BASE, json=body)
    info = vehicle.info()
    assert (info["id"], info["make"], info["model"], info["year"]) == (
        VEHICLE_ID,
        "VOLKSWAGEN",
        "ID.4",
        2023,
    )


# 2. The signals list: one page, pageNumber, absolute self link, included vehicle ---------


def test_signal_list_of_one_page_is_one_request(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    items = [
        live_signal(
            "odometer-traveleddistance",
            "TraveledDistance",
            "Odometer",
            {"value": 32208, "unit": "km"},
        ),
        live_signal(
            "vehicleidentification-vin",
            "VIN",
            "VehicleIdentification",
            {"value": "WVGAWVEB4SH018592"},
            meta={"ingestedAt": INGESTED},
        ),
    ]
    mocked.add(
        responses.GET,
        SIGNALS,
        json={
            "data": items,
            "meta": {"totalCount": 2, "pageSize": 2, "pageNumber": 1},
            "links": {"self": f"https://vehicle.api.smartcar.com/v3/vehicles/{VEHICLE_ID}/signals"},
            "included": {
                "vehicle": {
                    "id": VEHICLE_ID,
                    "type": "vehicle",
                    "attributes": {
                        "make": "VOLKSWAGEN",
                        "model": "ID.4",
                        "year": 2023,
                        "powertrainType": "BEV",
                        "mode": "live",
                    },
                }
            },
        },
    )
    snapshot = vehicle.snapshot()
    assert snapshot.vin() == "WVGAWVEB4SH018592"
    assert snapshot.odometer()["data"] == {"distance": 32208}
    assert len(calls_to(mocked, SIGNALS)) == 1


# 3. Signal meta: ISO times with ingestedAt; only ingestedAt; stale body on an error --------


def test_a_signal_with_only_ingested_at_is_dated_by_it(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    odometer = live_signal(
        "odometer-traveleddistance",
        "TraveledDistance",
        "Odometer",
        {"value": 32208, "unit": "km"},
        meta={"ingestedAt": INGESTED},
    )
    serve_signals(mocked, [odometer])
    signal = vehicle.signal("odometer-traveleddistance")
    assert signal.retrieved_at is None and signal.oem_updated_at is None
    assert vehicle.odometer()["age"] == signal.ingested_at
    assert signal.ingested_at == datetime.datetime(2026, 6, 14, 8, 30, 0, 250000, tzinfo=UTC)


def test_an_error_signal_keeps_its_stale_body() -> None:
    signal = parse_signal(
        live_signal(
            "charge-chargerate",
            "ChargeRate",
            "Charge",
            {"value": 53, "unit": "km/h"},
            error=live_error("VEHICLE_STATE", "NOT_CHARGING"),
            meta={"ingestedAt": INGESTED},
        )
    )
    assert (signal.status, signal.value, signal.unit) == ("ERROR", 53, "km/h")
    assert signal.error is not None and signal.error.code == "NOT_CHARGING"
    with pytest.raises(smartcar.StateException):
        signal.raise_for_status()


@pytest.mark.parametrize("zero", [0, "0", 0.0])
def test_a_time_of_zero_is_unknown(zero: Any) -> None:
    signal = parse_signal(
        {
            "code": "vehicleidentification-vin",
            "body": {"value": "WVGAWVEB4SH018592"},
            "meta": {"retrievedAt": zero, "oemUpdatedAt": zero, "ingestedAt": zero},
        }
    )
    assert (signal.retrieved_at, signal.oem_updated_at, signal.ingested_at) == (None, None, None)


# 4. Per-signal errors ---------------------------------------------------------------------


@pytest.mark.parametrize("old", [True, False], ids=["2026-06", "2026-09"])
@pytest.mark.parametrize(
    ("error_type", "code", "exception"),
    [
        ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE", smartcar.VehicleNotCapableException),
        ("VEHICLE_STATE", "NOT_CHARGING", smartcar.StateException),
        ("PERMISSION", "UNKNOWN", smartcar.PermissionException),
        ("PERMISSION", None, smartcar.PermissionException),
        ("SERVER", "INTERNAL", smartcar.ServerException),
    ],
)
def test_per_signal_errors_with_title_and_detail(
    vehicle: Vehicle,
    mocked: responses.RequestsMock,
    error_type: str,
    code: Any,
    exception: type,
    old: bool,
) -> None:
    error = live_error(error_type, code, old=old)
    item = live_signal("wheel-tires", "Tires", "Wheel", error=error, meta={"ingestedAt": INGESTED})
    serve_signals(mocked, [item])
    signal = vehicle.signal("wheel-tires")
    assert signal.error is not None
    assert (signal.error.title, signal.error.detail) == (error["title"], error["detail"])
    assert signal.error.resolution == {"type": "UNKNOWN_RESOLUTION_TYPE"}
    with pytest.raises(exception) as caught:
        vehicle.tire_pressure()
    assert error["detail"] in str(caught.value)


# 5. Units are free text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "metric", "imperial"),
    [
        ("km", 100.0, 62.137),
        ("kilometers", 100.0, 62.137),
        ("Kilometres", 100.0, 62.137),
        ("miles", 160.934, 100.0),
        ("m", 0.1, 0.0621),
        (None, 100.0, 62.137),
    ],
)
def test_distance_units_as_free_text(
    client: Client,
    mocked: responses.RequestsMock,
    token_requests: List[str],
    unit: Any,
    metric: float,
    imperial: float,
) -> None:
    body = {"value": 100, **({"unit": unit} if unit else {})}
    serve_signals(
        mocked, [live_signal("odometer-traveleddistance", "TraveledDistance", "Odometer", body)]
    )
    assert client.vehicle(VEHICLE_ID, USER_ID).odometer()["data"]["distance"] == pytest.approx(
        metric, rel=1e-3
    )
    miles = client.vehicle(VEHICLE_ID, USER_ID, "imperial").odometer()["data"]["distance"]
    assert miles == pytest.approx(imperial, rel=1e-3)


@pytest.mark.parametrize(
    ("body", "unit", "expected"),
    [
        ({"value": 7400, "unit": "watts"}, "kW", 7.4),
        ({"value": 7400, "unit": "watt"}, "kilowatts", 7.4),
        ({"value": 7.4, "unit": "kW"}, "watts", 7400.0),
        ({"value": 88, "unit": "km/h"}, "mph", 54.68),
        ({"value": 2.5, "unit": "bar"}, "psi", 36.26),
        ({"value": 250, "unit": "kPa"}, "bar", 2.5),
        ({"value": 12, "unit": "volts"}, "kW", None),
        ({"value": 35}, "kW", None),
        ({"value": None, "unit": "watts"}, "kW", None),
    ],
)
def test_value_in_converts_free_text_units(body: Dict[str, Any], unit: str, expected: Any) -> None:
    signal = parse_signal({"code": "charge-wattage", "body": body})
    if expected is None:
        assert signal.value_in(unit) is None
    else:
        assert signal.value_in(unit) == pytest.approx(expected, rel=1e-3)


def test_value_in_an_unknown_unit_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unit"):
        parse_signal({"code": "charge-wattage", "body": {"value": 1, "unit": "watts"}}).value_in(
            "furlongs"
        )


def test_percent_and_kwh_spellings(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    serve_signals(
        mocked,
        [
            live_signal(
                "tractionbattery-stateofcharge",
                "StateOfCharge",
                "TractionBattery",
                {"value": 45, "unit": "percentage"},
            ),
            live_signal(
                "tractionbattery-range",
                "Range",
                "TractionBattery",
                {"value": 280, "type": "DEFAULT", "additionalValues": [], "unit": "kilometers"},
            ),
            live_signal(
                "tractionbattery-nominalcapacity",
                "NominalCapacity",
                "TractionBattery",
                {
                    "capacity": 77000,
                    "availableCapacities": [],
                    "source": "USER_SELECTED",
                    "unit": "Wh",
                },
            ),
        ],
    )
    assert vehicle.battery()["data"] == {"percentRemaining": 0.45, "range": 280}
    assert vehicle.battery_capacity()["data"] == {"capacity": pytest.approx(77.0)}


# 6. Bodies not in section 3 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "group", "body"),
    [
        ("closure-fronttrunk", "FrontTrunk", "Closure", {"isOpen": None}),
        ("closure-reartrunk", "RearTrunk", "Closure", {"isLocked": None, "isOpen": False}),
        (
            "vehicleidentification-packages",
            "Packages",
            "VehicleIdentification",
            {"values": ["Premium", "Tow"]},
        ),
        (
            "vehicleuseraccount-permissions",
            "Permissions",
            "VehicleUserAccount",
            {"values": ["read_vin"]},
        ),
        (
            "charge-chargelimits",
            "ChargeLimits",
            "Charge",
            {"values": [], "activeLimit": 80, "condition": None, "unit": "percent"},
        ),
        (
            "vehicleidentification-vin",
            "VIN",
            "VehicleIdentification",
            {"value": "WVGAWVEB4SH018592"},
        ),
        ("diagnostics-dtccount", "DTCCount", "Diagnostics", {"value": 0}),
        ("diagnostics-evhvbattery", "EVHVBattery", "Diagnostics", {"status": "OK"}),
    ],
)
def test_bodies_not_in_section_3_are_kept(
    code: str, name: str, group: str, body: Dict[str, Any]
) -> None:
    signal = parse_signal({"data": live_signal(code, name, group, body)})
    assert (signal.code, signal.name, signal.group, dict(signal.body)) == (code, name, group, body)
    assert signal.ok


def test_location_with_heading(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    body = {"latitude": 52.52, "longitude": 13.405, "heading": 270, "locationType": "LAST_PARKED"}
    serve_signals(
        mocked, [live_signal("location-preciselocation", "PreciseLocation", "Location", body)]
    )
    assert vehicle.location()["data"] == {"latitude": 52.52, "longitude": 13.405}


def test_success_signals_without_status() -> None:
    signal = parse_signal({"code": "odometer-traveleddistance", "body": {"value": 1, "unit": "km"}})
    assert signal.ok and signal.error is None


# 7. Connections: orderBy, percent-encoded links, an empty result of pageSize 0 --------------


def test_connections_empty_result_with_page_size_zero(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    url = f"{VEHICLES}/connections"
    mocked.add(
        responses.GET,
        url,
        json={
            "data": [],
            "meta": {
                "pageNumber": 1,
                "pageSize": 0,
                "totalCount": 0,
                "orderBy": "createdAt",
                "orderDirection": "DESC",
            },
            "links": {
                "self": f"{url}?page%5Bnumber%5D=1&page%5Bsize%5D=10&filter%5Bvehicle.mode%5D=live",
                "next": None,
                "prev": None,
            },
        },
    )
    assert list(client.connections()) == []
    assert len(calls_to(mocked, url)) == 1


@pytest.mark.parametrize("wrapped", [True, False])
def test_one_connection_wrapped_or_bare(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str], wrapped: bool
) -> None:
    resource = {
        "id": "553c49e4",
        "type": "connection",
        "attributes": {
            "permissions": ["read_battery"],
            "vehicle": {"make": "TESLA", "model": "Model S", "year": 2014, "mode": "live"},
            "user": {"id": USER_ID},
        },
        "relationships": {"vehicle": {"data": {"id": VEHICLE_ID, "type": "vehicle"}}},
        "meta": {"createdAt": "2025-05-03T02:45:45.349Z", "updatedAt": 0},
    }
    mocked.add(
        responses.GET,
        f"{VEHICLES}/connections/553c49e4",
        json={"data": resource} if wrapped else resource,
    )
    connection = client.get_connection("553c49e4")
    assert (connection["vehicle_id"], connection["user_id"]) == (VEHICLE_ID, USER_ID)
    assert connection["updated_at"] is None  # 0: unknown


# 8. Billing: a spent allowance on a seed read -----------------------------------------------


def test_a_spent_allowance_on_a_single_signal_read(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.GET,
        f"{SIGNALS}/vehicleidentification-vin",
        status=430,
        json={
            "errors": [
                {
                    "status": "430",
                    "type": "BILLING",
                    "code": "VEHICLE_REQUEST_LIMIT",
                    "title": "Limit",
                    "detail": "Spent",
                }
            ]
        },
    )
    with pytest.raises(smartcar.MonthlyLimitExceeded):
        vehicle.vin()
