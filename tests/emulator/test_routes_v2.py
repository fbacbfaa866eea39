"""The v2.0 routes through werkzeug's test client: shared state with v1.0, v2 bodies,
the AMT, compatibility and its matrix."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from werkzeug.test import Client, TestResponse

from smartcar.emulator.app import EmulatorApp


def _error(response: TestResponse, status: int, type_: str) -> Dict[str, Any]:
    body: Dict[str, Any] = response.json
    assert response.status_code == status and body["type"] == type_, body
    assert body["statusCode"] == status
    assert body["requestId"] == response.headers["sc-request-id"]
    return body


def test_a_lock_through_one_version_shows_in_the_other(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    client.post(f"/v2.0/vehicles/{vehicle.id}/security", json={"action": "UNLOCK"}, headers=bearer)
    assert (
        client.get(f"/v2.0/vehicles/{vehicle.id}/security", headers=bearer).json["isLocked"]
        is False
    )
    client.post(f"/v1.0/vehicles/{vehicle.id}/security", json={"action": "LOCK"}, headers=bearer)
    assert client.get(f"/v2.0/vehicles/{vehicle.id}/security", headers=bearer).json["isLocked"]


def test_v2_commands_and_data_headers(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = next(item for item in app.vehicles() if item.kind == "electric")
    done = client.post(
        f"/v2.0/vehicles/{vehicle.id}/charge/limit", json={"limit": 0.7}, headers=bearer
    )
    assert done.json == {"status": "success", "message": "Successfully sent request to vehicle"}
    read = client.get(f"/v2.0/vehicles/{vehicle.id}/charge/limit", headers=bearer)
    assert read.json == {"limit": 0.7}
    assert read.headers["sc-fetched-at"].endswith("Z") and read.headers["sc-data-age"]


def test_errors_are_v2_bodies(app: EmulatorApp, client: Client, bearer: Dict[str, str]) -> None:
    body = _error(client.get("/v2.0/user"), 401, "AUTHENTICATION")
    assert body["resolution"]["type"] == "REAUTHENTICATE" and body["resolution"]["url"]
    gas = next(item for item in app.vehicles() if item.kind == "gas")
    capable = _error(client.get(f"/v2.0/vehicles/{gas.id}/charge", headers=bearer), 501,
                     "COMPATIBILITY")  # fmt: skip
    assert capable["code"] == "VEHICLE_NOT_CAPABLE"
    app.faults.add("/v2.0/*", status=409, code="ASLEEP")
    asleep = _error(client.get("/v2.0/user", headers=bearer), 409, "VEHICLE_STATE")
    assert asleep["code"] == "ASLEEP" and asleep["docURL"].endswith("#asleep")


def test_the_amt_disconnects_and_unsubscribes(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    amt = {"Authorization": f"Bearer {app.management_token}"}
    client.post(f"/v2.0/vehicles/{vehicle.id}/webhooks/w1", headers=bearer)
    assert client.delete(f"/v2.0/vehicles/{vehicle.id}/webhooks/w1", headers=amt).json == {
        "status": "success"
    }
    assert client.delete(f"/v2.0/vehicles/{vehicle.id}/application", headers=amt).status_code == (
        200
    )
    _error(client.get(f"/v2.0/vehicles/{vehicle.id}/vin", headers=bearer), 401, "AUTHENTICATION")
    _error(client.get(f"/v2.0/vehicles/{vehicle.id}/vin", headers=amt), 401, "AUTHENTICATION")


def test_compatibility_matrix(app: EmulatorApp, client: Client) -> None:
    auth = (app.client_id, app.client_secret)
    matrix = client.get(
        "/v2.0/compatibility/matrix", query_string={"make": "TESLA", "type": "BEV"}, auth=auth
    ).json
    assert set(matrix) == {"TESLA"}
    model = matrix["TESLA"][0]
    assert set(model) == {"model", "startYear", "endYear", "type", "endpoints", "permissions"}
    assert "/battery" in model["endpoints"] and "/fuel" not in model["endpoints"]
    _error(client.get("/v2.0/compatibility/matrix"), 401, "AUTHENTICATION")
    bad = client.get("/v2.0/compatibility/matrix", query_string={"region": "MARS"}, auth=auth)
    _error(bad, 400, "VALIDATION")


def _compatibility(client: Client, app: EmulatorApp, version: str, **query: str) -> Any:
    query.setdefault("scope", "read_battery read_fuel read_odometer")
    answer = client.get(
        f"/v{version}/compatibility", query_string=query, auth=(app.client_id, app.client_secret)
    )
    return answer


def test_simulated_vins_have_their_makes_test_vehicle(app: EmulatorApp, client: Client) -> None:
    chevy = _compatibility(client, app, "2.0", vin="0SCCHEV0123456789").json
    assert chevy["compatible"] is True and chevy["reason"] is None  # the Volt: fuel and battery
    ford = _compatibility(client, app, "2.0", vin="0SCFORD0123456789").json
    assert ford["reason"] == "VEHICLE_NOT_COMPATIBLE"  # an electric Ford has no fuel
    fuel = next(item for item in ford["capabilities"] if item["permission"] == "read_fuel")
    assert (fuel["capable"], fuel["reason"]) == (False, "VEHICLE_NOT_CAPABLE")
    assert _compatibility(client, app, "1.0", vin="0SCAUDI037A5ADB1C").json == {
        "compatible": False  # an electric Audi: no fuel either
    }
    odometer_only = _compatibility(client, app, "1.0", vin="0SCAUDI037A5ADB1C",
                                   scope="read_odometer")  # fmt: skip
    assert odometer_only.json == {"compatible": True}
    unknown = _compatibility(client, app, "2.0", vin="0SCZZZZ0123456789").json
    assert unknown["reason"] == "MAKE_NOT_COMPATIBLE"


@pytest.mark.parametrize(
    ("level", "v1", "fuel", "battery"),
    [
        ("compatible", True, True, True),
        ("phev", True, True, True),
        ("incompatible", False, False, False),
        ("fuel", False, True, False),
        ("bev", False, False, True),
    ],
)
def test_test_mode_compatibility_levels(
    app: EmulatorApp, client: Client, level: str, v1: bool, fuel: bool, battery: bool
) -> None:
    query = {"vin": "1FTFW1E50PFA12345", "test_mode_compatibility_level": level}
    assert _compatibility(client, app, "1.0", mode="test", **query).json == {"compatible": v1}
    capable = {
        item["permission"]: item["capable"]
        for item in _compatibility(client, app, "2.0", **query).json["capabilities"]
    }
    assert (capable["read_fuel"], capable["read_battery"]) == (fuel, battery)


def test_test_mode_needs_a_known_level(app: EmulatorApp, client: Client) -> None:
    vin = "1FTFW1E50PFA12345"
    missing = _compatibility(client, app, "2.0", vin=vin, mode="test")
    _error(missing, 400, "VALIDATION")
    assert "test_mode_compatibility_level" in missing.json["description"]
    _error(_compatibility(client, app, "2.0", vin=vin, test_mode_compatibility_level="x"), 400,
           "VALIDATION")  # fmt: skip
    bad_mode = _compatibility(client, app, "1.0", vin=vin, mode="sandbox")
    assert (bad_mode.status_code, bad_mode.json["error"]) == (400, "validation_error")
