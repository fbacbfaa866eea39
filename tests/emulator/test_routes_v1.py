"""The v1.0 routes through werkzeug's test client: reads, commands, batch, errors."""

from __future__ import annotations

import uuid
from typing import Dict

import pytest
from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.fleet import SimVehicle


def _of_kind(app: EmulatorApp, kind: str) -> SimVehicle:
    return next(vehicle for vehicle in app.vehicles() if vehicle.kind == kind)


def test_odometer_in_both_unit_systems(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    metric = client.get(f"/v1.0/vehicles/{vehicle.id}/odometer", headers=bearer)
    assert metric.status_code == 200
    assert metric.json == {"distance": round(vehicle.odometer_km, 1)}
    assert metric.headers["sc-unit-system"] == "metric" and metric.headers["sc-data-age"]
    imperial = client.get(
        f"/v1.0/vehicles/{vehicle.id}/odometer", headers={**bearer, "sc-unit-system": "imperial"}
    )
    assert imperial.json["distance"] == pytest.approx(vehicle.odometer_km / 1.609344, abs=0.1)


def test_info_with_and_without_the_trailing_slash(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    for path in (f"/v1.0/vehicles/{vehicle.id}", f"/v1.0/vehicles/{vehicle.id}/"):
        body = client.get(path, headers=bearer).json
        assert body == {"id": vehicle.id, "make": vehicle.make, "model": vehicle.model,
                        "year": vehicle.year}  # fmt: skip


def test_lock_changes_the_shared_state(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    for action, locked in (("UNLOCK", False), ("LOCK", True)):
        answer = client.post(
            f"/v1.0/vehicles/{vehicle.id}/security", json={"action": action}, headers=bearer
        )
        assert answer.json == {"status": "success"}
        assert app.state.vehicle(vehicle.id).locked is locked


def test_v1_error_bodies(app: EmulatorApp, client: Client, bearer: Dict[str, str]) -> None:
    gas = _of_kind(app, "gas")
    electric = _of_kind(app, "electric")
    assert client.get("/v1.0/user").json["error"] == "authentication_error"
    assert client.get(f"/v1.0/vehicles/{gas.id}/battery", headers=bearer).json["error"] == (
        "vehicle_not_capable_error"
    )
    malformed = client.get("/v1.0/vehicles/unknown/odometer", headers=bearer)
    assert (malformed.status_code, malformed.json["error"]) == (400, "validation_error")
    unknown = f"/v1.0/vehicles/{uuid.uuid4()}/odometer"
    assert client.get(unknown, headers=bearer).json["error"] == "resource_not_found_error"
    electric.is_plugged_in = False
    refused = client.post(
        f"/v1.0/vehicles/{electric.id}/charge", json={"action": "START"}, headers=bearer
    )
    assert refused.status_code == 409
    # statusCode and requestId (= the sc-request-id header): the official 6.x SDK reads them
    assert refused.json == {
        "error": "vehicle_state_error",
        "message": "The charging cable is not plugged in.",
        "code": "VS_003",
        "statusCode": 409,
        "requestId": refused.headers["sc-request-id"],
    }
    app.faults.add("/v1.0/*", status=500)
    faulted = client.get("/v1.0/user", headers=bearer)
    assert faulted.json["statusCode"] == 500
    assert faulted.json["requestId"] == faulted.headers["sc-request-id"]
    bad = client.post(f"/v1.0/vehicles/{gas.id}/security", json={"x": 1}, headers=bearer)
    assert bad.status_code == 400 and bad.json["error"] == "validation_error"
    wrong = client.put(f"/v1.0/vehicles/{gas.id}/odometer", headers=bearer)
    assert wrong.status_code == 405
    assert client.get("/nowhere").json["error"] == "resource_not_found_error"


def test_permission_error(app: EmulatorApp, client: Client) -> None:
    token = app.issue_tokens(scope=["read_vin"])["access_token"]
    vehicle = app.vehicles()[0]
    answer = client.get(
        f"/v1.0/vehicles/{vehicle.id}/odometer", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403 and answer.json["error"] == "permission_error"


def test_batch_answers_each_path(app: EmulatorApp, client: Client, bearer: Dict[str, str]) -> None:
    gas = _of_kind(app, "gas")
    answer = client.post(
        f"/v1.0/vehicles/{gas.id}/batch",
        json={"requests": [{"path": "/odometer"}, {"path": "/battery"}, {"path": "/nope"}]},
        headers=bearer,
    )
    codes = [item["code"] for item in answer.json["responses"]]
    assert codes == [200, 501, 404]
    assert answer.json["responses"][0]["headers"]["sc-unit-system"] == "metric"


def test_compatibility_needs_app_credentials(app: EmulatorApp, client: Client) -> None:
    vin = app.vehicles()[0].vin
    query = {"vin": vin, "scope": "read_odometer"}
    assert client.get("/v1.0/compatibility", query_string=query).status_code == 401
    answer = client.get(
        "/v1.0/compatibility",
        query_string=query,
        auth=(app.client_id, app.client_secret),
    )
    assert answer.json == {"compatible": True}


def test_disconnect_revokes_the_vehicle(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    assert client.delete(f"/v1.0/vehicles/{vehicle.id}/application", headers=bearer).json == {
        "status": "success"
    }
    assert client.get(f"/v1.0/vehicles/{vehicle.id}/vin", headers=bearer).status_code == 401
