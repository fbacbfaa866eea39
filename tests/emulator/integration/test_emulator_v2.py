"""API v2.0 of the emulator over loopback HTTP with plain ``requests``: every endpoint of
spec 7.2, one state shared with v1.0, v2 error bodies for every fault kind, the v2
management connections API, compatibility with capabilities, per-vehicle rate limits."""

from __future__ import annotations

import base64
import uuid
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests

from smartcar.emulator import Emulator
from smartcar.emulator.fleet import SMARTCAR_UNSUPPORTED, SimVehicle

V2_KEYS = {
    "type",
    "code",
    "description",
    "docURL",
    "statusCode",
    "requestId",
    "resolution",
    "suggestedUserMessage",
}


class V2:
    """Raw HTTP against /v2.0 (and /v1.0, to compare) with one access token."""

    def __init__(self, emu: Emulator, http: requests.Session, token: str) -> None:
        self.emu, self.http, self.token = emu, http, token

    def url(self, path: str, version: str = "2.0") -> str:
        return f"{self.emu.origin}/v{version}{path}"

    def headers(self, token: Optional[str] = None, units: Optional[str] = None) -> Dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if units:
            headers["sc-unit-system"] = units
        return headers

    def get(self, path: str, version: str = "2.0", **kwargs: Any) -> requests.Response:
        units = kwargs.pop("units", None)
        return self.http.get(
            self.url(path, version), headers=self.headers(units=units), timeout=10, **kwargs
        )

    def post(self, path: str, body: Any = None, version: str = "2.0") -> requests.Response:
        return self.http.post(
            self.url(path, version), json=body, headers=self.headers(), timeout=10
        )

    def delete(self, path: str, token: Optional[str] = None) -> requests.Response:
        return self.http.delete(self.url(path), headers=self.headers(token), timeout=10)


@pytest.fixture
def v2(emu: Emulator, http: requests.Session) -> V2:
    return V2(emu, http, emu.issue_tokens()["access_token"])


def _kind(emu: Emulator, kind: str) -> SimVehicle:
    return next(vehicle for vehicle in emu.vehicles() if vehicle.kind == kind)


def assert_v2_error(
    response: requests.Response, status: int, type_: str, code: Optional[str] = None
) -> Dict[str, Any]:
    body: Dict[str, Any] = response.json()
    assert response.status_code == status, body
    assert set(body) >= V2_KEYS, body
    assert (body["type"], body["statusCode"]) == (type_, status)
    if code is not None:
        assert body["code"] == code
    assert body["requestId"] == response.headers["sc-request-id"]
    assert body["docURL"].startswith("https://smartcar.com/docs/errors/")
    assert isinstance(body["resolution"], dict) and "type" in body["resolution"]
    return body


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("tail", ["", "/"])
def test_attributes_with_and_without_the_trailing_slash(emu: Emulator, v2: V2, tail: str) -> None:
    vehicle = emu.vehicles()[0]
    response = v2.get(f"/vehicles/{vehicle.id}{tail}")
    assert response.json() == {
        "id": vehicle.id,
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
    }
    assert response.headers["sc-request-id"]


def test_the_v1_reads_answer_alike_on_v2(emu: Emulator, v2: V2) -> None:
    emu.clock.freeze()
    for kind in ("gas", "electric"):
        vehicle = _kind(emu, kind)
        for tail in ("/vin", "/location", "/odometer", "/tires/pressure", "/engine/oil",
                     "/fuel", "/battery", "/battery/capacity", "/charge"):  # fmt: skip
            one, two = (
                v2.get(f"/vehicles/{vehicle.id}{tail}", "1.0"),
                v2.get(f"/vehicles/{vehicle.id}{tail}"),
            )
            assert one.status_code == 200 or one.status_code == 501
            if one.status_code == 200:
                assert two.json() == one.json(), tail
                assert two.headers["sc-unit-system"] == "metric" and two.headers["sc-data-age"]
            else:
                assert_v2_error(two, 501, "COMPATIBILITY")


def test_imperial_units(emu: Emulator, v2: V2) -> None:
    vehicle = _kind(emu, "gas")
    miles = v2.get(f"/vehicles/{vehicle.id}/odometer", units="imperial")
    assert miles.headers["sc-unit-system"] == "imperial"
    assert miles.json()["distance"] == pytest.approx(vehicle.odometer_km / 1.609344, abs=0.2)


def test_lock_status_and_security_shared_with_v1(emu: Emulator, v2: V2) -> None:
    vehicle = _kind(emu, "electric")
    assert v2.post(f"/vehicles/{vehicle.id}/security", {"action": "UNLOCK"}).json() == {
        "status": "success",
        "message": "Successfully sent request to vehicle",
    }
    status = v2.get(f"/vehicles/{vehicle.id}/security").json()
    assert status["isLocked"] is False
    assert {door["status"] for door in status["doors"]} == {"UNLOCKED"}
    assert set(status) == {"isLocked", "doors", "windows", "sunroof", "storage", "chargingPort"}
    assert emu.vehicle(vehicle.id).locked is False
    assert v2.post(f"/vehicles/{vehicle.id}/security", {"action": "LOCK"}, "1.0").json() == {
        "status": "success"
    }
    assert v2.get(f"/vehicles/{vehicle.id}/security").json()["isLocked"] is True
    v2.post(f"/vehicles/{vehicle.id}/security", {"action": "UNLOCK"})
    assert emu.vehicle(vehicle.id).locked is False  # v2 lock shows in the shared state


def test_charge_limit(emu: Emulator, v2: V2) -> None:
    vehicle = _kind(emu, "electric")
    assert v2.get(f"/vehicles/{vehicle.id}/charge/limit").json() == {"limit": 1.0}
    assert v2.post(f"/vehicles/{vehicle.id}/charge/limit", {"limit": 0.8}).json()["status"] == (
        "success"
    )
    assert v2.get(f"/vehicles/{vehicle.id}/charge/limit").json() == {"limit": 0.8}
    assert v2.post(f"/vehicles/{vehicle.id}/charge/limit", {"limit": "0.9"}).status_code == 200
    assert emu.vehicle(vehicle.id).charge_limit == 0.9
    for bad in ({"limit": 0.4}, {"limit": True}, {}, {"limit": "x"}):
        assert_v2_error(v2.post(f"/vehicles/{vehicle.id}/charge/limit", bad), 400, "VALIDATION")
    gas = _kind(emu, "gas")
    assert_v2_error(v2.get(f"/vehicles/{gas.id}/charge/limit"), 501, "COMPATIBILITY")


def test_navigation_destination(emu: Emulator, v2: V2) -> None:
    vehicle = emu.vehicles()[0]
    sent = v2.post(
        f"/vehicles/{vehicle.id}/navigation/destination", {"latitude": 48.1, "longitude": 11.5}
    )
    assert sent.json()["status"] == "success"
    assert emu.vehicle(vehicle.id).destination == (48.1, 11.5)
    bad = v2.post(f"/vehicles/{vehicle.id}/navigation/destination", {"latitude": 91})
    assert_v2_error(bad, 400, "VALIDATION")


def test_service_history_filters_by_date(emu: Emulator, v2: V2) -> None:
    vehicle = max(emu.vehicles(), key=lambda item: item.odometer_km)
    records = v2.get(f"/vehicles/{vehicle.id}/service/history").json()
    assert isinstance(records, list) and records
    first = records[0]
    assert set(first) == {
        "serviceId",
        "serviceDate",
        "odometerDistance",
        "serviceTasks",
        "serviceDetails",
        "serviceCost",
    }
    assert set(first["serviceCost"]) == {"totalCost", "currency"}
    last_date = records[-1]["serviceDate"][:10]
    since = v2.get(
        f"/vehicles/{vehicle.id}/service/history",
        params={"startDate": last_date, "endDate": "2100-01-01"},
    ).json()
    assert 1 <= len(since) < len(records) or len(records) == 1
    node_style = v2.get(
        f"/vehicles/{vehicle.id}/service/history", params={"start_date": last_date}
    ).json()
    assert node_style == since
    bad = v2.get(f"/vehicles/{vehicle.id}/service/history", params={"startDate": "soon"})
    assert_v2_error(bad, 400, "VALIDATION")


def test_diagnostics_and_nominal_capacity(emu: Emulator, v2: V2) -> None:
    electric = _kind(emu, "electric")
    systems = v2.get(f"/vehicles/{electric.id}/diagnostics/system_status").json()["systems"]
    assert systems and set(systems[0]) == {"systemId", "status", "description"}
    electric.tire_pressure_kpa["frontLeft"] = 150.0
    codes = v2.get(f"/vehicles/{electric.id}/diagnostics/dtcs").json()["activeCodes"]
    assert [code["code"] for code in codes] == ["C0750"] and codes[0]["timestamp"]
    nominal = v2.get(f"/vehicles/{electric.id}/battery/nominal_capacity").json()
    assert nominal["capacity"]["nominal"] == electric.battery_capacity_kwh
    assert set(nominal) == {"availableCapacities", "capacity", "url"}


def test_permissions_user_and_vehicles_paging(emu: Emulator, v2: V2) -> None:
    vehicle = emu.vehicles()[0]
    permissions = v2.get(f"/vehicles/{vehicle.id}/permissions", params={"limit": 2}).json()
    assert len(permissions["permissions"]) == 2 and permissions["paging"]["offset"] == 0
    assert v2.get("/user").json() == {"id": emu.user_id()}
    listing = v2.get("/vehicles", params={"limit": 1, "offset": 1}).json()
    assert listing["vehicles"] == [emu.vehicles()[1].id]
    assert listing["paging"] == {"count": len(emu.vehicles()), "offset": 1}
    assert_v2_error(v2.get("/vehicles", params={"limit": 51}), 400, "VALIDATION")


def test_batch(emu: Emulator, v2: V2) -> None:
    gas = _kind(emu, "gas")
    answer = v2.post(
        f"/vehicles/{gas.id}/batch",
        {"requests": [{"path": "/odometer"}, {"path": "/security"}, {"path": "/battery"}]},
    ).json()
    odometer, security, battery = answer["responses"]
    assert odometer["code"] == 200 and odometer["headers"]["sc-unit-system"] == "metric"
    assert security["body"]["isLocked"] == gas.locked
    assert battery["code"] == 501 and battery["body"]["type"] == "COMPATIBILITY"


def test_disconnect_with_the_vehicle_token_and_with_the_amt(emu: Emulator, v2: V2) -> None:
    first, second = emu.vehicles()[:2]
    assert v2.delete(f"/vehicles/{first.id}/application").json() == {"status": "success"}
    assert_v2_error(v2.get(f"/vehicles/{first.id}/vin"), 401, "AUTHENTICATION")
    gone = v2.delete(f"/vehicles/{second.id}/application", token=emu.management_token)
    assert gone.json() == {"status": "success"}
    assert_v2_error(v2.get(f"/vehicles/{second.id}/vin", "2.0"), 401, "AUTHENTICATION")


def test_webhook_subscribe_and_unsubscribe(emu: Emulator, v2: V2) -> None:
    vehicle = emu.vehicles()[0]
    subscribed = v2.post(f"/vehicles/{vehicle.id}/webhooks/hook-1")
    assert subscribed.json() == {"webhookId": "hook-1", "vehicleId": vehicle.id}
    assert ("hook-1", vehicle.id) in emu.state.webhook_subscriptions
    with_vehicle_token = v2.delete(f"/vehicles/{vehicle.id}/webhooks/hook-1")
    assert with_vehicle_token.status_code == 405  # the vehicle token cannot unsubscribe
    gone = v2.delete(f"/vehicles/{vehicle.id}/webhooks/hook-1", token=emu.management_token)
    assert gone.json() == {"status": "success"}
    assert emu.state.webhook_subscriptions == set()


# ---------------------------------------------------------------- errors


def test_service_errors_are_v2_bodies(emu: Emulator, v2: V2, http: requests.Session) -> None:
    gas, electric = _kind(emu, "gas"), _kind(emu, "electric")
    assert_v2_error(http.get(v2.url("/user"), timeout=10), 401, "AUTHENTICATION")
    narrow = emu.issue_tokens(scope=["read_vin"])["access_token"]
    denied = http.get(
        v2.url(f"/vehicles/{gas.id}/odometer"), headers=v2.headers(narrow), timeout=10
    )
    assert_v2_error(denied, 403, "PERMISSION")
    # a malformed id is a validation error, a well-formed unknown one is not found
    assert_v2_error(v2.get("/vehicles/not-an-id/vin"), 400, "VALIDATION")
    assert_v2_error(v2.get(f"/vehicles/{uuid.uuid4()}/vin"), 404, "RESOURCE_NOT_FOUND", "PATH")
    assert_v2_error(v2.get(f"/vehicles/{gas.id}/nope"), 404, "RESOURCE_NOT_FOUND")
    body = assert_v2_error(v2.get(f"/vehicles/{gas.id}/battery"), 501, "COMPATIBILITY")
    assert body["code"] == "VEHICLE_NOT_CAPABLE"
    electric.is_plugged_in = False
    refused = v2.post(f"/vehicles/{electric.id}/charge", {"action": "START"})
    assert_v2_error(refused, 409, "VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")
    invalid = assert_v2_error(
        v2.post(f"/vehicles/{gas.id}/security", {"action": "OPEN"}), 400, "VALIDATION"
    )
    assert invalid["detail"]
    make = next(make for make, paths in SMARTCAR_UNSUPPORTED.items() if "/tires/pressure" in paths)
    unsupported = emu.issue_tokens(make=make, user="unsupported@example.com")["access_token"]
    car = next(item for item in emu.vehicles("unsupported@example.com") if item.make == make)
    answer = http.get(
        v2.url(f"/vehicles/{car.id}/tires/pressure"), headers=v2.headers(unsupported), timeout=10
    )
    assert_v2_error(answer, 501, "COMPATIBILITY", "SMARTCAR_NOT_CAPABLE")


FAULTS = [
    (400, None, None, "VALIDATION", None),
    (401, None, None, "AUTHENTICATION", None),
    (403, None, None, "PERMISSION", None),
    (404, None, None, "RESOURCE_NOT_FOUND", "PATH"),
    (409, None, "ASLEEP", "VEHICLE_STATE", "ASLEEP"),
    (409, None, "VS_003", "VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED"),
    (429, None, None, "RATE_LIMIT", "SMARTCAR_API"),
    (430, None, None, "BILLING", "VEHICLE_REQUEST_LIMIT"),
    (500, None, None, "SERVER", "INTERNAL"),
    (501, None, None, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE"),
    (501, "smartcar_not_capable_error", None, "COMPATIBILITY", "SMARTCAR_NOT_CAPABLE"),
    (502, None, None, "UPSTREAM", "UNKNOWN_ISSUE"),
    (502, "UPSTREAM", "RATE_LIMIT", "UPSTREAM", "RATE_LIMIT"),
    (503, None, None, "SERVER", "INTERNAL"),
    (504, None, None, "UPSTREAM", "NO_RESPONSE"),
]


@pytest.mark.parametrize("status, error, code, type_, expected_code", FAULTS)
def test_every_fault_status_answers_a_v2_body(
    emu: Emulator,
    v2: V2,
    status: int,
    error: Optional[str],
    code: Optional[str],
    type_: str,
    expected_code: Optional[str],
) -> None:
    vehicle = emu.vehicles()[0]
    emu.faults.add("/v2.0/vehicles/*/odometer", status=status, error=error, code=code)
    body = assert_v2_error(v2.get(f"/vehicles/{vehicle.id}/odometer"), status, type_)
    assert body["code"] == expected_code
    assert v2.get(f"/vehicles/{vehicle.id}/odometer").status_code == 200  # count=1


def test_fault_retry_after_latency_drop_and_raw_body(emu: Emulator, v2: V2) -> None:
    vehicle = emu.vehicles()[0]
    path = f"/vehicles/{vehicle.id}/odometer"
    emu.faults.add("/v2.0/vehicles/*/odometer", status=429, retry_after=7)
    limited = v2.get(path)
    assert_v2_error(limited, 429, "RATE_LIMIT", "VEHICLE")
    assert limited.headers["Retry-After"] == "7"
    emu.faults.add("/v2.0/vehicles/*/odometer", latency=0.2, retry_after=1)
    slow = v2.get(path)
    assert slow.status_code == 200 and slow.headers["Retry-After"] == "1"
    emu.faults.add("/v2.0/vehicles/*/odometer", drop=True)
    with pytest.raises(requests.ConnectionError):
        v2.get(path)
    emu.faults.add("/v2.0/vehicles/*/odometer", status=502, body="<html>bad gateway</html>")
    raw = v2.get(path)
    assert raw.status_code == 502 and raw.text == "<html>bad gateway</html>"
    assert [record.fault for record in emu.requests("/v2.0/*")][:3] == [
        "429 retry-after=7",
        "+0.2s retry-after=1",
        "drop",
    ]


def test_per_vehicle_rate_limit_is_429_rate_limit_vehicle(emu: Emulator, v2: V2) -> None:
    first, second = emu.vehicles()[:2]
    emu.clock.freeze()
    emu.rate_limit(first.id, per_second=1)
    assert v2.get(f"/vehicles/{first.id}/odometer").status_code == 200
    limited = v2.get(f"/vehicles/{first.id}/odometer")
    body = assert_v2_error(limited, 429, "RATE_LIMIT", "VEHICLE")
    assert body["resolution"]["type"] == "RETRY_LATER"
    assert int(limited.headers["Retry-After"]) >= 1
    assert v2.get(f"/vehicles/{second.id}/odometer").status_code == 200
    emu.clock.advance(1.5)
    assert v2.get(f"/vehicles/{first.id}/odometer").status_code == 200


# ---------------------------------------------------------------- compatibility


def _compat(emu: Emulator, http: requests.Session, **params: str) -> requests.Response:
    return http.get(
        emu.origin + "/v2.0/compatibility",
        params=params,
        auth=(emu.client_id, emu.client_secret),
        timeout=10,
    )


def test_compatibility_with_capabilities(emu: Emulator, http: requests.Session) -> None:
    gas = _kind(emu, "gas")
    answer = _compat(emu, http, vin=gas.vin, scope="read_odometer read_battery", country="US")
    body = answer.json()
    assert set(body) == {"compatible", "reason", "capabilities"}
    assert body["compatible"] is False and body["reason"] == "VEHICLE_NOT_COMPATIBLE"
    by_endpoint = {item["endpoint"]: item for item in body["capabilities"]}
    assert by_endpoint["/odometer"] == {
        "permission": "read_odometer",
        "endpoint": "/odometer",
        "capable": True,
        "reason": None,
    }
    assert by_endpoint["/battery"]["capable"] is False
    assert by_endpoint["/battery"]["reason"] == "VEHICLE_NOT_CAPABLE"
    fine = _compat(emu, http, vin=gas.vin, scope="read_odometer").json()
    assert fine["compatible"] is True and fine["reason"] is None
    unknown_make = _compat(emu, http, vin="ZZZ" + gas.vin[3:], scope="read_odometer").json()
    assert unknown_make["reason"] == "MAKE_NOT_COMPATIBLE"
    anonymous = http.get(
        emu.origin + "/v2.0/compatibility", params={"vin": gas.vin, "scope": "read_vin"}
    )
    assert_v2_error(anonymous, 401, "AUTHENTICATION")
    assert_v2_error(_compat(emu, http, vin="short", scope="read_vin"), 400, "VALIDATION")


# ---------------------------------------------------------------- management


@pytest.fixture
def amt_auth(emu: Emulator) -> Dict[str, str]:
    raw = base64.b64encode(f"default:{emu.management_token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture
def connected(emu: Emulator) -> Iterator[List[str]]:
    """Three users with connected vehicles; yields their user ids."""
    users = ["m1@example.com", "m2@example.com", "m3@example.com"]
    for user in users:
        emu.issue_tokens(user=user)
    yield [emu.user_id(user) for user in users]


def _connections(
    emu: Emulator, http: requests.Session, auth: Dict[str, str], **params: Any
) -> requests.Response:
    return http.get(
        emu.origin + "/v2.0/management/connections/", params=params, headers=auth, timeout=10
    )


def test_connections_cursor_paging(
    emu: Emulator, http: requests.Session, amt_auth: Dict[str, str], connected: List[str]
) -> None:
    everyone: List[Dict[str, Any]] = []
    cursor: Optional[str] = None
    pages = 0
    while True:
        params: Dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = _connections(emu, http, amt_auth, **params).json()
        everyone.extend(body["connections"])
        cursor = body["paging"]["cursor"]
        pages += 1
        if cursor is None:
            break
    expected = sum(len(emu.vehicles(user)) for user in ("m1@example.com", "m2@example.com",
                                                          "m3@example.com"))  # fmt: skip
    assert len(everyone) == expected and pages == -(-expected // 4)
    assert set(everyone[0]) == {"userId", "vehicleId", "connectedAt", "mode"}
    assert {item["userId"] for item in everyone} == set(connected)
    assert everyone[0]["mode"] == "live" and everyone[0]["connectedAt"].endswith("Z")
    mine = _connections(emu, http, amt_auth, user_id=connected[0]).json()["connections"]
    assert {item["userId"] for item in mine} == {connected[0]}
    one = mine[0]["vehicleId"]
    assert [item["vehicleId"] for item in _connections(
        emu, http, amt_auth, vehicle_id=one).json()["connections"]] == [one]  # fmt: skip
    without_slash = http.get(
        emu.origin + "/v2.0/management/connections", headers=amt_auth, timeout=10
    )
    assert len(without_slash.json()["connections"]) == 10  # the default limit


def test_deleting_connections_revokes_them(
    emu: Emulator, http: requests.Session, amt_auth: Dict[str, str], connected: List[str], v2: V2
) -> None:
    url = emu.origin + "/v2.0/management/connections"
    vehicle = emu.vehicles()[0]  # the default user's, connected by the v2 fixture's token
    removed = http.delete(url, params={"vehicle_id": vehicle.id}, headers=amt_auth, timeout=10)
    assert removed.json() == {"connections": [{"userId": emu.user_id(), "vehicleId": vehicle.id}]}
    assert_v2_error(v2.get(f"/vehicles/{vehicle.id}/vin"), 401, "AUTHENTICATION")
    gone = http.delete(url, params={"user_id": connected[1]}, headers=amt_auth, timeout=10)
    assert {item["userId"] for item in gone.json()["connections"]} == {connected[1]}
    left = _connections(emu, http, amt_auth, user_id=connected[1]).json()
    assert left == {"connections": [], "paging": {"cursor": None}}
    neither = http.delete(url, headers=amt_auth, timeout=10)
    assert_v2_error(neither, 400, "VALIDATION")


def test_management_auth_and_validation(
    emu: Emulator, http: requests.Session, amt_auth: Dict[str, str]
) -> None:
    url = emu.origin + "/v2.0/management/connections"
    assert_v2_error(http.get(url, timeout=10), 401, "AUTHENTICATION")
    wrong = http.get(url, auth=("default", "not-the-amt"), timeout=10)
    assert_v2_error(wrong, 401, "AUTHENTICATION")
    user = http.get(url, auth=("admin", emu.management_token), timeout=10)
    assert_v2_error(user, 401, "AUTHENTICATION")
    for params in ({"limit": 101}, {"cursor": "garbage!"}, {"mode": "other"}):
        assert_v2_error(http.get(url, params=params, headers=amt_auth, timeout=10), 400,
                        "VALIDATION")  # fmt: skip
