"""Scripted faults, rate limits, the request log and the admin endpoint, seen over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any, Dict

import pytest
import requests
from emu_support import Api

from smartcar.emulator import Emulator

ERROR_OF = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_error",
    404: "resource_not_found_error",
    409: "vehicle_state_error",
    429: "rate_limit_error",
    430: "monthly_limit_exceeded",
    500: "server_error",
    501: "vehicle_not_capable_error",
}


def odometer_path(emu: Emulator) -> str:
    return f"/v1.0/vehicles/{emu.vehicles()[0].id}/odometer"


@pytest.mark.parametrize("status", sorted(ERROR_OF))
def test_status_faults_have_v1_bodies(emu: Emulator, api: Api, status: int) -> None:
    path = odometer_path(emu)
    emu.faults.add(path, status=status)
    response = api.get(path[len("/v1.0") :])
    assert response.status_code == status
    body = response.json()
    assert body["error"] == ERROR_OF[status]
    assert body["message"]
    assert ("code" in body) is (status == 409)
    assert response.headers["sc-request-id"]
    # the fault was used up: the next request is normal
    assert api.get(path[len("/v1.0") :]).status_code == 200


def test_smartcar_not_capable_fault(emu: Emulator, api: Api) -> None:
    path = odometer_path(emu)
    emu.faults.add(path, status=501, error="smartcar_not_capable_error")
    body = api.get(path[len("/v1.0") :]).json()
    assert body["error"] == "smartcar_not_capable_error"


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_faults_are_html(emu: Emulator, api: Api, status: int) -> None:
    path = odometer_path(emu)
    emu.faults.add(path, status=status)
    response = api.get(path[len("/v1.0") :])
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().startswith("<html>")
    assert str(status) in response.text


def test_gateway_timeout_is_plain_text(emu: Emulator, api: Api) -> None:
    path = odometer_path(emu)
    emu.faults.add(path, status=504)
    response = api.get(path[len("/v1.0") :])
    assert response.status_code == 504
    assert response.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(ValueError):
        response.json()


def test_count_method_and_pattern(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    emu.faults.add("/v1.0/vehicles/*/odometer", status=500, count=2, method="GET")
    emu.faults.add("*/security", status=409, code="VS_007", method="POST")
    statuses = [api.get(f"/vehicles/{vehicle.id}/odometer").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert api.get(f"/vehicles/{vehicle.id}/vin").status_code == 200
    locked = api.post(f"/vehicles/{vehicle.id}/security", {"action": "LOCK"})
    assert locked.status_code == 409
    assert locked.json()["code"] == "VS_007"
    assert len(emu.faults) == 0


def test_unlimited_fault_until_removed(emu: Emulator, api: Api) -> None:
    fault = emu.faults.add("*", status=503, count=None)
    assert all(api.get("/vehicles").status_code == 503 for _ in range(4))
    assert fault.hits == 4 and fault.remaining is None
    emu.faults.remove(fault)
    assert api.get("/vehicles").status_code == 200


def test_latency_fault_delays_a_normal_answer(emu: Emulator, api: Api) -> None:
    emu.faults.add("/v1.0/vehicles", latency=0.3)
    started = time.perf_counter()
    response = api.get("/vehicles")
    assert time.perf_counter() - started >= 0.3
    assert response.status_code == 200
    with pytest.raises(requests.Timeout):
        emu.faults.add("/v1.0/vehicles", latency=1.0)
        api.get("/vehicles", timeout=0.2)


def test_dropped_connection(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    emu.faults.add("*/security", drop=True, method="POST")
    with pytest.raises(requests.ConnectionError):
        api.post(f"/vehicles/{vehicle.id}/security", {"action": "LOCK"})
    # the attempt is logged exactly once, as dropped, with its action
    records = emu.requests("*/security", "POST")
    assert len(records) == 1
    assert records[0].dropped and records[0].status is None
    assert records[0].action == "LOCK"
    assert records[0].fault == "drop"
    # the same session works again on a new connection
    assert api.post(f"/vehicles/{vehicle.id}/security", {"action": "LOCK"}).status_code == 200


def test_retry_after_header(emu: Emulator, api: Api) -> None:
    emu.faults.add("/v1.0/vehicles", status=429, retry_after=7)
    response = api.get("/vehicles")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    emu.faults.add("/v1.0/vehicles", retry_after="3")
    normal = api.get("/vehicles")
    assert normal.status_code == 200 and normal.headers["Retry-After"] == "3"


def test_custom_body_and_headers(emu: Emulator, api: Api) -> None:
    path = odometer_path(emu)[len("/v1.0") :]
    emu.faults.add("*/odometer", status=200, body="", headers={"sc-data-age": "yesterday"})
    response = api.get(path)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["sc-data-age"] == "yesterday"
    emu.faults.add("*/odometer", status=409, body={"error": "vehicle_state_error"})
    assert api.get(path).json() == {"error": "vehicle_state_error"}
    emu.faults.add("*/odometer", status=200, body="null", content_type="application/json")
    assert api.get(path).json() is None
    emu.faults.add("*/odometer", status=500, body=b"\x00\xff")
    assert api.get(path).content == b"\x00\xff"


def test_token_endpoint_faults_use_oauth_bodies(emu: Emulator, http: requests.Session) -> None:
    emu.faults.add("/oauth/token", status=400, error="invalid_grant", message="nope")
    response = http.post(
        emu.origin + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(emu.client_id, emu.client_secret),
    )
    assert response.json() == {"error": "invalid_grant", "error_description": "nope"}
    assert emu.token_exchanges("refresh_token") == 1


def test_fault_validation(emu: Emulator) -> None:
    with pytest.raises(ValueError):
        emu.faults.add("*", count=0)
    with pytest.raises(ValueError):
        emu.faults.add("*", status=42)
    with pytest.raises(ValueError):
        emu.faults.add("*", latency=-1)


def test_rate_limit_per_vehicle(emu: Emulator, api: Api) -> None:
    first, second = emu.vehicles()[:2]
    emu.clock.freeze()
    emu.rate_limit(first.id, per_second=2)
    codes = [api.get(f"/vehicles/{first.id}/odometer").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = api.get(f"/vehicles/{first.id}/vin")
    assert limited.json()["error"] == "rate_limit_error"
    assert int(limited.headers["Retry-After"]) >= 1
    assert api.get(f"/vehicles/{second.id}/odometer").status_code == 200
    emu.clock.advance(1.01)
    assert api.get(f"/vehicles/{first.id}/odometer").status_code == 200
    emu.rate_limit(first.id, None)
    assert all(api.get(f"/vehicles/{first.id}/vin").status_code == 200 for _ in range(5))


def test_rate_limit_for_every_vehicle(emu: Emulator, api: Api) -> None:
    emu.clock.freeze()
    emu.rate_limit(None, per_second=1)
    for vehicle in emu.vehicles():
        assert api.get(f"/vehicles/{vehicle.id}").status_code == 200
        assert api.get(f"/vehicles/{vehicle.id}").status_code == 429
    assert api.get("/vehicles").status_code == 200  # not a vehicle request


def test_request_log_records_without_secrets(
    emu: Emulator, api: Api, tokens: Dict[str, Any]
) -> None:
    vehicle = emu.vehicles()[0]
    api.get(f"/vehicles/{vehicle.id}/odometer", units="imperial")
    api.get("/vehicles", params={"limit": 2})
    emu.faults.add("*", status=500)
    api.get("/user")
    odometer, listing, user = emu.request_log[-3:]
    assert (odometer.method, odometer.status, odometer.unit_system) == ("GET", 200, "imperial")
    assert odometer.vehicle_id == vehicle.id
    assert odometer.client_port
    assert listing.query == {"limit": "2"} and listing.unit_system is None
    assert user.status == 500 and user.fault == "500"
    dump = json.dumps([record.to_json() for record in emu.request_log])
    assert tokens["access_token"] not in dump
    assert tokens["refresh_token"] not in dump
    assert "Bearer" not in dump


def test_admin_endpoint(emu: Emulator, api: Api, http: requests.Session) -> None:
    admin = emu.origin + "/_emulator"
    vehicle = emu.vehicles()[0]
    described = http.get(admin).json()
    assert described["client_id"] == emu.client_id and described["seed"] == emu.seed
    created = http.post(
        admin + "/faults", json={"pattern": "*/odometer", "status": 500, "count": 2}
    )
    assert created.status_code == 201 and created.json()["remaining"] == 2
    assert http.get(admin + "/faults").json()["faults"][0]["status"] == 500
    assert api.get(f"/vehicles/{vehicle.id}/odometer").status_code == 500
    assert http.delete(admin + "/faults").status_code == 200
    assert api.get(f"/vehicles/{vehicle.id}/odometer").status_code == 200
    assert http.post(admin + "/faults", json={"bogus": 1}).status_code == 400
    log = http.get(admin + "/log").json()["requests"]
    assert [entry["status"] for entry in log] == [500, 200]
    assert all(entry["path"].startswith("/v1.0/") for entry in log)  # admin calls not logged
    before = http.get(admin + "/clock").json()["now"]
    after = http.post(admin + "/clock", json={"advance": 7201}).json()
    assert after["now"] > before and after["offset"] >= 7200
    assert api.get("/vehicles").status_code == 401  # the access token expired
    minted = http.post(admin + "/tokens", json={"scope": ["read_vin"], "make": "AUDI"}).json()
    fresh = Api(emu, http, minted["access_token"])
    ids = fresh.get("/vehicles").json()["vehicles"]
    assert {emu.vehicle(v).make for v in ids} == {"AUDI"}
    assert http.post(admin + "/rate-limit", json={"per_second": 1}).status_code == 200
    fresh.get(f"/vehicles/{ids[0]}/vin")
    assert fresh.get(f"/vehicles/{ids[0]}/vin").status_code == 429
    cars = http.get(admin + "/vehicles", params={"user": "driver@example.com"}).json()
    assert {car["id"] for car in cars["vehicles"]} >= {vehicle.id}
    assert {"kind", "vin", "locked", "charging_state"} <= set(cars["vehicles"][0])
    uris = http.post(admin + "/redirect-uris", json={"uri": "http://x.test/cb"}).json()
    assert "http://x.test/cb" in uris["redirect_uris"]
    assert http.delete(admin + "/log").status_code == 200
    assert http.get(admin + "/log").json()["requests"] == []
    assert http.post(admin + "/reset").status_code == 200
    assert emu.clock.offset < 5 and len(emu.faults) == 0
    assert http.get(admin + "/nope").status_code == 404


def test_reset_restores_the_seed_state(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    original = (vehicle.locked, vehicle.odometer_km)
    api.post(f"/vehicles/{vehicle.id}/security", {"action": "UNLOCK" if original[0] else "LOCK"})
    emu.faults.add("*", status=500, count=None)
    emu.rate_limit(None, 1)
    emu.clock.advance(86400)
    emu.reset()
    again = emu.vehicle(vehicle.id)
    assert again.locked == original[0]
    assert again.odometer_km == pytest.approx(original[1], abs=0.5)
    assert len(emu.faults) == 0 and emu.request_log == []
    assert emu.rate_limits.limits() == {}
