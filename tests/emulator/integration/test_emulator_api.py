"""The emulated v1.0 API: endpoints per vehicle kind, units, headers, scopes, paging, batch,
state changes and drift over emulated time."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest
import requests
from emu_support import Api

from smartcar.emulator import Emulator, SimVehicle
from smartcar.emulator.fleet import (
    KM_PER_MILE,
    KPA_PER_PSI,
    LITERS_PER_US_GALLON,
    MAKES,
    SMARTCAR_UNSUPPORTED,
    build_garage,
)
from smartcar.emulator.permissions import DEFAULT_SCOPE
from smartcar.emulator.vin import check_digit, is_valid_vin

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
READ_PATHS = [
    "",
    "/vin",
    "/location",
    "/odometer",
    "/fuel",
    "/battery",
    "/battery/capacity",
    "/charge",
    "/engine/oil",
    "/tires/pressure",
]
CAPABLE = {
    "gas": {"", "/vin", "/location", "/odometer", "/fuel", "/engine/oil", "/tires/pressure"},
    "hybrid": set(READ_PATHS),
    "electric": set(READ_PATHS) - {"/fuel", "/engine/oil"},
}


def by_kind(emu: Emulator, kind: str) -> SimVehicle:
    return next(v for v in emu.vehicles() if v.kind == kind)


def test_seeded_garage_has_every_kind(emu: Emulator) -> None:
    kinds = [v.kind for v in emu.vehicles()]
    assert {"gas", "hybrid", "electric"} <= set(kinds)
    assert 3 <= len(kinds) <= 5


@pytest.mark.parametrize("kind", ["gas", "hybrid", "electric"])
@pytest.mark.parametrize("path", READ_PATHS)
def test_reads_per_kind(emu: Emulator, api: Api, kind: str, path: str) -> None:
    vehicle = by_kind(emu, kind)
    response = api.get(f"/vehicles/{vehicle.id}{path}")
    body = response.json()
    assert uuid.UUID(response.headers["sc-request-id"]).version == 4
    if path not in CAPABLE[kind]:
        assert response.status_code == 501
        assert body["error"] == "vehicle_not_capable_error"
        assert body["message"]
        return
    if path in SMARTCAR_UNSUPPORTED.get(vehicle.make, ()):
        assert response.status_code == 501
        assert body["error"] == "smartcar_not_capable_error"
        return
    assert response.status_code == 200, body
    assert ISO_Z.match(response.headers["sc-data-age"])
    assert response.headers["sc-unit-system"] == "metric"
    expected_keys = {
        "": {"id", "make", "model", "year"},
        "/vin": {"vin"},
        "/location": {"latitude", "longitude"},
        "/odometer": {"distance"},
        "/fuel": {"range", "percentRemaining", "amountRemaining"},
        "/battery": {"range", "percentRemaining"},
        "/battery/capacity": {"capacity"},
        "/charge": {"isPluggedIn", "state"},
        "/engine/oil": {"lifeRemaining"},
        "/tires/pressure": {"frontLeft", "frontRight", "backLeft", "backRight"},
    }[path]
    assert set(body) == expected_keys


def test_info_vin_and_values_are_plausible(emu: Emulator, api: Api) -> None:
    for vehicle in emu.vehicles():
        info = api.get(f"/vehicles/{vehicle.id}").json()
        assert info == {
            "id": vehicle.id,
            "make": vehicle.make,
            "model": vehicle.model,
            "year": vehicle.year,
        }
        assert info["make"] in MAKES and 2010 <= info["year"] <= 2025
        assert api.get(f"/vehicles/{vehicle.id}/vin").json() == {"vin": vehicle.vin}
        tires = api.get(f"/vehicles/{vehicle.id}/tires/pressure").json()
        if "error" not in tires:
            assert all(200 <= value <= 270 for value in tires.values())
        where = api.get(f"/vehicles/{vehicle.id}/location").json()
        assert -90 <= where["latitude"] <= 90 and -180 <= where["longitude"] <= 180


def test_imperial_conversion(emu: Emulator, api: Api) -> None:
    hybrid = by_kind(emu, "hybrid")
    emu.clock.freeze()
    base = f"/vehicles/{hybrid.id}"
    for path, key, factor in [
        ("/odometer", "distance", KM_PER_MILE),
        ("/fuel", "range", KM_PER_MILE),
        ("/fuel", "amountRemaining", LITERS_PER_US_GALLON),
        ("/battery", "range", KM_PER_MILE),
    ]:
        metric = api.get(base + path, units="metric")
        imperial = api.get(base + path, units="imperial")
        assert imperial.headers["sc-unit-system"] == "imperial"
        assert metric.headers["sc-unit-system"] == "metric"
        assert imperial.json()[key] == pytest.approx(metric.json()[key] / factor, abs=0.06)
    metric = api.get(base + "/fuel").json()
    imperial = api.get(base + "/fuel", units="imperial").json()
    assert metric["percentRemaining"] == imperial["percentRemaining"]
    gas = by_kind(emu, "gas")
    if "/tires/pressure" not in SMARTCAR_UNSUPPORTED.get(gas.make, ()):
        kpa = api.get(f"/vehicles/{gas.id}/tires/pressure").json()
        psi = api.get(f"/vehicles/{gas.id}/tires/pressure", units="imperial").json()
        for tire, value in kpa.items():
            assert psi[tire] == pytest.approx(value / KPA_PER_PSI, abs=0.06)
            assert 29 <= psi[tire] <= 39


def test_unknown_unit_system_means_metric(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    response = api.get(f"/vehicles/{vehicle.id}/odometer", units="furlongs")
    assert response.headers["sc-unit-system"] == "metric"


def test_data_age_is_recent_emulated_time(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    emu.clock.advance(3600)
    response = api.get(f"/vehicles/{vehicle.id}/odometer")
    age = datetime.strptime(response.headers["sc-data-age"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc
    )
    assert timedelta(0) <= emu.clock.now() - age <= timedelta(minutes=1)


def test_vins_have_valid_check_digits() -> None:
    now = datetime.now(timezone.utc)
    vins = [
        vehicle.vin
        for seed in range(5)
        for user in ("a@example.com", "b@example.com", "c@example.com")
        for vehicle in build_garage(seed, user, now)
    ]
    vins += [v.vin for v in build_garage(0, "d@example.com", now, list(MAKES) * 3)]
    assert len(set(vins)) == len(vins)
    for vin in vins:
        assert len(vin) == 17
        assert is_valid_vin(vin), vin
        assert vin[8] == check_digit(vin)
    assert is_valid_vin("1M8GDM9AXKP042788")
    assert not is_valid_vin("1M8GDM9A1KP042788")
    assert not is_valid_vin("1M8GDM9AXKP04278O")  # O is not a VIN character


def test_scopes_are_enforced(emu: Emulator, http: requests.Session) -> None:
    vehicle = by_kind(emu, "electric")
    token = emu.issue_tokens(scope="read_odometer")["access_token"]
    limited = Api(emu, http, token)
    assert limited.get(f"/vehicles/{vehicle.id}/odometer").status_code == 200
    for path in ["", "/vin", "/location", "/battery", "/charge", "/tires/pressure"]:
        response = limited.get(f"/vehicles/{vehicle.id}{path}")
        assert response.status_code == 403, path
        assert response.json()["error"] == "permission_error"
    for path, action in [("/security", "LOCK"), ("/charge", "START")]:
        response = limited.post(f"/vehicles/{vehicle.id}{path}", {"action": action})
        assert response.status_code == 403
    # needing only a valid token:
    assert limited.get("/vehicles").status_code == 200
    assert limited.get("/user").status_code == 200
    assert limited.get(f"/vehicles/{vehicle.id}/permissions").json()["permissions"] == [
        "read_odometer"
    ]


def test_vehicles_paging(emu: Emulator, http: requests.Session) -> None:
    user = "many@example.com"
    emu.app.users[user] = 12
    api = Api(emu, http, emu.issue_tokens(user=user)["access_token"])
    everything = api.get("/vehicles", params={"limit": 50}).json()
    assert everything["paging"] == {"count": 12, "offset": 0}
    assert len(everything["vehicles"]) == 12
    first = api.get("/vehicles").json()
    assert first["vehicles"] == everything["vehicles"][:10]
    rest = api.get("/vehicles", params={"limit": 5, "offset": 10}).json()
    assert rest == {"vehicles": everything["vehicles"][10:], "paging": {"count": 12, "offset": 10}}
    assert api.get("/vehicles", params={"offset": 40}).json()["vehicles"] == []
    for params in [{"limit": 0}, {"limit": 51}, {"offset": -1}, {"limit": "ten"}]:
        response = api.get("/vehicles", params=params)
        assert response.status_code == 400
        assert response.json()["error"] == "validation_error"


def test_permissions_paging(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    everything = api.get(f"/vehicles/{vehicle.id}/permissions").json()
    count = len(DEFAULT_SCOPE)  # a token issued without a scope has every permission
    assert everything["permissions"] == list(DEFAULT_SCOPE)
    assert everything["paging"] == {"count": count, "offset": 0}
    page = api.get(f"/vehicles/{vehicle.id}/permissions", params={"limit": 3, "offset": 2}).json()
    assert page["permissions"] == everything["permissions"][2:5]
    assert page["paging"] == {"count": count, "offset": 2}


def test_batch_answers_per_path(emu: Emulator, http: requests.Session) -> None:
    gas = by_kind(emu, "gas")
    api = Api(
        emu, http, emu.issue_tokens(scope="read_odometer read_vin read_battery")["access_token"]
    )
    paths = ["/odometer", "/vin", "/location", "/battery", "/nonsense"]
    response = api.post(f"/vehicles/{gas.id}/batch", {"requests": [{"path": p} for p in paths]})
    assert response.status_code == 200
    assert ISO_Z.match(response.headers["sc-data-age"])
    answers: Dict[str, Any] = {item["path"]: item for item in response.json()["responses"]}
    assert [item["path"] for item in response.json()["responses"]] == paths
    assert answers["/odometer"]["code"] == 200
    assert answers["/odometer"]["headers"]["sc-unit-system"] == "metric"
    assert ISO_Z.match(answers["/odometer"]["headers"]["sc-data-age"])
    assert set(answers["/odometer"]["body"]) == {"distance"}
    assert answers["/vin"]["body"] == {"vin": gas.vin}
    assert "sc-unit-system" not in answers["/vin"]["headers"]
    assert answers["/location"]["code"] == 403
    assert answers["/location"]["body"]["error"] == "permission_error"
    assert answers["/battery"]["code"] == 501
    assert answers["/battery"]["body"]["error"] == "vehicle_not_capable_error"
    assert answers["/nonsense"]["code"] == 404


def test_batch_imperial_and_info_path(emu: Emulator, api: Api) -> None:
    vehicle = by_kind(emu, "electric")
    emu.clock.freeze()
    response = api.post(
        f"/vehicles/{vehicle.id}/batch",
        {"requests": [{"path": "/"}, {"path": "/odometer"}]},
        units="imperial",
    )
    metric = api.get(f"/vehicles/{vehicle.id}/odometer").json()["distance"]
    items: List[Dict[str, Any]] = response.json()["responses"]
    assert items[0]["body"]["id"] == vehicle.id
    assert items[1]["headers"]["sc-unit-system"] == "imperial"
    assert items[1]["body"]["distance"] == pytest.approx(metric / KM_PER_MILE, abs=0.06)


@pytest.mark.parametrize(
    "body", [None, {}, {"requests": []}, {"requests": "odometer"}, {"requests": [{"p": 1}]}]
)
def test_batch_validation(emu: Emulator, api: Api, body: Any) -> None:
    response = api.post(f"/vehicles/{emu.vehicles()[0].id}/batch", body)
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"


def test_lock_and_unlock_change_state(emu: Emulator, api: Api) -> None:
    vehicle = emu.vehicles()[0]
    for action, locked in [("UNLOCK", False), ("LOCK", True), ("UNLOCK", False)]:
        response = api.post(f"/vehicles/{vehicle.id}/security", {"action": action})
        assert response.status_code == 200
        assert response.json() == {"status": "success"}
        assert emu.vehicle(vehicle.id).locked is locked
    assert [r.action for r in emu.requests("*/security", "POST")] == ["UNLOCK", "LOCK", "UNLOCK"]


@pytest.mark.parametrize("body", [None, {}, {"action": "OPEN"}, {"action": "lock"}, [1]])
def test_bad_action_bodies(emu: Emulator, api: Api, body: Any) -> None:
    response = api.post(f"/vehicles/{emu.vehicles()[0].id}/security", body)
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"


def test_charging_needs_a_plug(emu: Emulator, api: Api) -> None:
    vehicle = by_kind(emu, "electric")
    state = emu.vehicle(vehicle.id)
    state.is_plugged_in = False
    state.charging = False
    refused = api.post(f"/vehicles/{vehicle.id}/charge", {"action": "START"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "vehicle_state_error"
    assert refused.json()["code"] == "VS_003"
    assert api.get(f"/vehicles/{vehicle.id}/charge").json() == {
        "isPluggedIn": False,
        "state": "NOT_CHARGING",
    }
    state.is_plugged_in = True
    state.battery_percent = 0.5
    assert api.post(f"/vehicles/{vehicle.id}/charge", {"action": "START"}).status_code == 200
    assert api.get(f"/vehicles/{vehicle.id}/charge").json()["state"] == "CHARGING"
    assert api.post(f"/vehicles/{vehicle.id}/charge", {"action": "STOP"}).status_code == 200
    assert api.get(f"/vehicles/{vehicle.id}/charge").json()["state"] == "NOT_CHARGING"
    state.battery_percent = 1.0
    full = api.post(f"/vehicles/{vehicle.id}/charge", {"action": "START"})
    assert full.status_code == 409 and full.json()["code"] == "VS_004"
    assert api.get(f"/vehicles/{vehicle.id}/charge").json()["state"] == "FULLY_CHARGED"


def test_gas_car_cannot_charge(emu: Emulator, api: Api) -> None:
    gas = by_kind(emu, "gas")
    response = api.post(f"/vehicles/{gas.id}/charge", {"action": "START"})
    assert response.status_code == 501
    assert response.json()["error"] == "vehicle_not_capable_error"


def test_battery_and_odometer_move_over_emulated_time(emu: Emulator, api: Api) -> None:
    electric = by_kind(emu, "electric")
    gas = by_kind(emu, "gas")
    state = emu.vehicle(electric.id)
    state.is_plugged_in, state.charging, state.battery_percent = True, True, 0.3
    odometer_before = api.get(f"/vehicles/{gas.id}/odometer").json()["distance"]
    battery_before = api.get(f"/vehicles/{electric.id}/battery").json()["percentRemaining"]
    emu.clock.advance(3600)
    assert api.get(f"/vehicles/{gas.id}/odometer").json()["distance"] > odometer_before
    assert api.get(f"/vehicles/{electric.id}/battery").json()["percentRemaining"] > battery_before
    emu.clock.advance(24 * 3600)
    api.token = emu.issue_tokens()["access_token"]  # the first one expired meanwhile
    assert api.get(f"/vehicles/{electric.id}/charge").json()["state"] == "FULLY_CHARGED"
    state.is_plugged_in = False
    full_odometer = api.get(f"/vehicles/{electric.id}/odometer").json()["distance"]
    emu.clock.advance(10 * 3600)
    api.token = emu.issue_tokens()["access_token"]
    assert api.get(f"/vehicles/{electric.id}/battery").json()["percentRemaining"] < 1.0
    assert api.get(f"/vehicles/{electric.id}/odometer").json()["distance"] > full_odometer


def test_smartcar_not_capable_make(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens(make="NISSAN", user="nissan@example.com")
    api = Api(emu, http, tokens["access_token"])
    vehicle_id = api.get("/vehicles").json()["vehicles"][0]
    response = api.get(f"/vehicles/{vehicle_id}/tires/pressure")
    assert response.status_code == 501
    assert response.json()["error"] == "smartcar_not_capable_error"


def test_unknown_vehicle_and_path(emu: Emulator, api: Api, http: requests.Session) -> None:
    missing = api.get(f"/vehicles/{uuid.uuid4()}/odometer")
    assert missing.status_code == 404
    assert missing.json()["error"] == "resource_not_found_error"
    other_users_car = emu.vehicles("someone@example.com")[0]
    assert api.get(f"/vehicles/{other_users_car.id}").status_code == 404
    vehicle = emu.vehicles()[0]
    assert api.get(f"/vehicles/{vehicle.id}/warp-drive").status_code == 404
    assert api.get("/nothing-here").status_code == 404
    assert api.post(f"/vehicles/{vehicle.id}/odometer", {}).status_code == 405
    assert http.get(emu.origin + "/not/an/api").status_code == 404


def test_disconnect_revokes_the_vehicle_for_the_token(emu: Emulator, api: Api) -> None:
    first, second = emu.vehicles()[:2]
    response = api.delete(f"/vehicles/{first.id}/application")
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    after = api.get(f"/vehicles/{first.id}/odometer")
    assert after.status_code == 401
    assert after.json()["error"] == "authentication_error"
    assert first.id not in api.get("/vehicles").json()["vehicles"]
    assert api.get(f"/vehicles/{second.id}/odometer").status_code == 200


def test_disconnecting_every_vehicle_kills_the_tokens(
    emu: Emulator, http: requests.Session
) -> None:
    tokens = emu.issue_tokens(make="BMW", user="solo@example.com")
    api = Api(emu, http, tokens["access_token"])
    for vehicle_id in api.get("/vehicles").json()["vehicles"]:
        assert api.delete(f"/vehicles/{vehicle_id}/application").status_code == 200
    assert api.get("/user").status_code == 401
    refresh = http.post(
        emu.origin + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(emu.client_id, emu.client_secret),
    )
    assert refresh.status_code == 400


def test_user_endpoint(emu: Emulator, api: Api) -> None:
    response = api.get("/user")
    assert response.json() == {"id": emu.user_id()}
    assert uuid.UUID(emu.user_id()).version == 4
    assert emu.user_id("other@example.com") != emu.user_id()


def test_compatibility(emu: Emulator, http: requests.Session) -> None:
    electric = by_kind(emu, "electric")
    gas = by_kind(emu, "gas")
    url = emu.origin + "/v1.0/compatibility"
    auth = (emu.client_id, emu.client_secret)

    def check(vin: str, scope: str, country: str = "US") -> requests.Response:
        params = {"vin": vin, "scope": scope, "country": country}
        return http.get(url, params=params, auth=auth)

    assert check(electric.vin, "read_battery read_odometer").json() == {"compatible": True}
    assert check(gas.vin, "read_battery").json() == {"compatible": False}
    assert check(gas.vin, "read_fuel").json() == {"compatible": True}
    assert check(gas.vin, "read_fuel", "JP").json() == {"compatible": False}
    assert check("ZZZ" + gas.vin[3:], "read_fuel").json() == {"compatible": False}
    assert check("short", "read_fuel").status_code == 400
    assert check(gas.vin, "read_minds").status_code == 400
    unauthorized = http.get(url, params={"vin": gas.vin, "scope": "read_fuel"}, auth=("a", "b"))
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"] == "authentication_error"
    bearer = http.get(
        url,
        params={"vin": gas.vin, "scope": "read_fuel"},
        headers={"Authorization": f"Bearer {emu.issue_tokens()['access_token']}"},
    )
    assert bearer.status_code == 401


def test_every_response_has_a_request_id(emu: Emulator, api: Api, http: requests.Session) -> None:
    responses = [
        api.get("/vehicles"),
        api.get("/nowhere"),
        http.get(emu.origin + "/oauth/authorize"),
        http.post(emu.origin + "/oauth/token"),
        http.get(emu.origin + "/"),
    ]
    ids = {response.headers["sc-request-id"] for response in responses}
    assert len(ids) == len(responses)


def test_users_option_shapes_garages(http: requests.Session) -> None:
    users = {"fleet@example.com": ["electric", "electric", "TESLA", "gas"], "one@example.com": 1}
    with Emulator(users=users) as emu:
        garage = emu.vehicles("fleet@example.com")
        assert [v.kind for v in garage[:2]] == ["electric", "electric"]
        assert garage[2].make == "TESLA"
        assert garage[3].kind == "gas"
        assert len(emu.vehicles("one@example.com")) == 1
        with pytest.raises(ValueError):
            emu.issue_tokens(scope="read_minds")
