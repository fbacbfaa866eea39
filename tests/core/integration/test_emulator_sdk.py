"""The SDK itself against the emulator over loopback HTTP: the seed's story end to end,
every Vehicle method on each vehicle kind in both unit systems, tokens, and errors."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, Type

import pytest

import smartcar
from smartcar.emulator import Emulator, SimVehicle, connect
from smartcar.emulator.fleet import KM_PER_MILE, KPA_PER_PSI, LITERS_PER_US_GALLON
from smartcar.emulator.permissions import PERMISSIONS

from emu_support import query_of  # isort: skip

ALL_SCOPES = list(PERMISSIONS)


def client_for(emu: Emulator, **options: Any) -> smartcar.AuthClient:
    return smartcar.AuthClient(emu.client_id, emu.client_secret, emu.redirect_uri, **options)


def vehicle_of(emu: Emulator, kind: str, make: str = "") -> SimVehicle:
    return next(v for v in emu.vehicles() if v.kind == kind and (not make or v.make == make))


def test_the_seed_story(emu: Emulator) -> None:
    client = client_for(emu, scope=ALL_SCOPES)  # live mode: the seeded garage
    url = client.get_auth_url(force=True, state="round-trip", flags=["country:US"])
    assert url.startswith(emu.origin + "/oauth/authorize?")
    redirect = connect(url, email="story@example.com")
    query = query_of(redirect)
    assert query["state"] == "round-trip"
    access = client.exchange_code(query["code"])
    assert access["token_type"] == "Bearer"
    assert isinstance(access["expiration"], datetime.datetime)
    assert not smartcar.is_expired(access["expiration"])
    listing = smartcar.get_vehicle_ids(access["access_token"])
    garage = emu.vehicles("story@example.com")
    assert sorted(listing["vehicles"]) == sorted(v.id for v in garage)
    assert listing["paging"] == {"count": len(garage), "offset": 0}
    assert smartcar.get_user_id(access["access_token"]) == emu.user_id("story@example.com")
    vehicle = smartcar.Vehicle(listing["vehicles"][0], access["access_token"])
    assert vehicle.info()["id"] == listing["vehicles"][0]
    assert vehicle.has_permissions(["required:read_odometer", "control_security"])
    renewed = client.exchange_refresh_token(access["refresh_token"])
    assert renewed["refresh_token"] != access["refresh_token"]
    assert smartcar.Vehicle(listing["vehicles"][0], renewed["access_token"]).vin() == (
        emu.vehicle(listing["vehicles"][0]).vin
    )


def test_vehicle_info_make_and_single_select(emu: Emulator) -> None:
    client = client_for(emu, scope=["read_vehicle_info"])
    url = client.get_auth_url(vehicle_info={"make": "tesla"}, single_select=True)
    access = client.exchange_code(query_of(connect(url))["code"])
    ids = smartcar.get_vehicle_ids(access["access_token"])["vehicles"]
    assert len(ids) == 1
    assert smartcar.Vehicle(ids[0], access["access_token"]).info()["make"] == "TESLA"
    target = emu.vehicles()[2]
    url = client.get_auth_url(single_select={"vin": target.vin})
    access = client.exchange_code(query_of(connect(url))["code"])
    assert smartcar.get_vehicle_ids(access["access_token"])["vehicles"] == [target.id]


def test_denied_connect(emu: Emulator) -> None:
    url = client_for(emu, scope=["read_odometer"]).get_auth_url(state="x")
    assert query_of(connect(url, approve=False))["error"] == "access_denied"


def _expect(kind: str, path: str, make: str) -> Any:
    capable = {
        "gas": {"", "/vin", "/location", "/odometer", "/fuel", "/engine/oil", "/tires/pressure"},
        "electric": {
            "",
            "/vin",
            "/location",
            "/odometer",
            "/battery",
            "/battery/capacity",
            "/charge",
            "/tires/pressure",
        },
    }.get(kind)
    if capable is not None and path not in capable:
        return smartcar.VehicleNotCapableException
    from smartcar.emulator.fleet import SMARTCAR_UNSUPPORTED

    if path in SMARTCAR_UNSUPPORTED.get(make, ()):
        return smartcar.SmartcarNotCapableException
    return None


READS: Dict[str, str] = {
    "info": "",
    "vin": "/vin",
    "location": "/location",
    "odometer": "/odometer",
    "fuel": "/fuel",
    "battery": "/battery",
    "battery_capacity": "/battery/capacity",
    "charge": "/charge",
    "oil": "/engine/oil",
    "tire_pressure": "/tires/pressure",
}


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
@pytest.mark.parametrize("kind", ["gas", "hybrid", "electric"])
@pytest.mark.parametrize("method", sorted(READS))
def test_every_read_on_every_kind(emu: Emulator, kind: str, unit_system: str, method: str) -> None:
    emu.clock.freeze()
    target = vehicle_of(emu, kind)
    vehicle = smartcar.Vehicle(target.id, emu.issue_tokens()["access_token"], unit_system)
    expected_error = _expect(kind, READS[method], target.make)
    if expected_error is not None:
        with pytest.raises(expected_error) as caught:
            getattr(vehicle, method)()
        assert caught.value.status_code == 501
        return
    result = getattr(vehicle, method)()
    imperial = unit_system == "imperial"
    state = emu.vehicle(target.id)
    if method == "info":
        assert (result["make"], result["model"], result["year"]) == (
            state.make,
            state.model,
            state.year,
        )
        return
    if method == "vin":
        assert result == state.vin
        return
    data = result["data"]
    assert isinstance(result["age"], datetime.datetime)
    if method == "location":
        assert (data["latitude"], data["longitude"]) == (state.latitude, state.longitude)
    elif method == "odometer":
        km = state.odometer_km
        assert data["distance"] == pytest.approx(km / KM_PER_MILE if imperial else km, abs=0.1)
        assert result["unit_system"] == unit_system
    elif method == "fuel":
        liters = state.fuel_liters
        amount = liters / LITERS_PER_US_GALLON if imperial else liters
        assert data["amountRemaining"] == pytest.approx(amount, abs=0.01)
        assert data["percentRemaining"] == pytest.approx(state.fuel_percent, abs=0.001)
        assert result["unit_system"] == unit_system
    elif method == "battery":
        km = state.battery_range_km
        assert data["range"] == pytest.approx(km / KM_PER_MILE if imperial else km, abs=0.1)
        assert 0 <= data["percentRemaining"] <= 1
    elif method == "battery_capacity":
        assert data["capacity"] == state.battery_capacity_kwh
    elif method == "charge":
        assert data == {"isPluggedIn": state.is_plugged_in, "state": state.charging_state}
    elif method == "oil":
        assert data["lifeRemaining"] == pytest.approx(state.oil_life, abs=0.01)
    elif method == "tire_pressure":
        tires = data["tires"]
        for name, kpa in state.tire_pressure_kpa.items():
            assert tires[name] == pytest.approx(kpa / KPA_PER_PSI if imperial else kpa, abs=0.1)
        assert result["unit_system"] == unit_system


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
def test_batch_through_the_sdk(emu: Emulator, unit_system: str) -> None:
    target = vehicle_of(emu, "gas")
    vehicle = smartcar.Vehicle(target.id, emu.issue_tokens()["access_token"], unit_system)
    result = vehicle.batch(["/odometer", "/battery", "/vin"])
    assert result["/odometer"]["code"] == 200
    assert result["/odometer"]["headers"]["sc-unit-system"] == unit_system
    assert result["/vin"]["body"] == {"vin": target.vin}
    assert result["/battery"]["code"] == 501


def test_commands_change_the_emulated_vehicle(emu: Emulator) -> None:
    electric = vehicle_of(emu, "electric")
    vehicle = smartcar.Vehicle(electric.id, emu.issue_tokens()["access_token"])
    assert vehicle.unlock()["status"] == "success"
    assert emu.vehicle(electric.id).locked is False
    assert vehicle.lock()["status"] == "success"
    assert emu.vehicle(electric.id).locked is True
    state = emu.vehicle(electric.id)
    state.is_plugged_in, state.battery_percent, state.charging = True, 0.4, False
    assert vehicle.start_charge()["status"] == "success"
    assert vehicle.charge()["data"]["state"] == "CHARGING"
    assert vehicle.stop_charge()["status"] == "success"
    assert vehicle.charge()["data"]["state"] == "NOT_CHARGING"
    state.is_plugged_in = False
    with pytest.raises(smartcar.StateException) as caught:
        vehicle.start_charge()
    assert caught.value.code == "VS_003"
    assert [r.action for r in emu.requests("*/charge", "POST")] == ["START", "STOP", "START"]


def test_permissions_and_disconnect(emu: Emulator) -> None:
    tokens = emu.issue_tokens(scope=["read_odometer", "read_vin"])
    first, second = emu.vehicles()[:2]
    vehicle = smartcar.Vehicle(first.id, tokens["access_token"])
    assert vehicle.permissions() == ["read_vin", "read_odometer"]
    assert vehicle.permissions(limit=1, offset=1) == ["read_odometer"]
    assert vehicle.has_permissions("read_vin")
    assert not vehicle.has_permissions(["read_vin", "read_location"])
    with pytest.raises(smartcar.PermissionException):
        vehicle.location()
    vehicle.disconnect()
    with pytest.raises(smartcar.AuthenticationException):
        vehicle.odometer()
    assert smartcar.Vehicle(second.id, tokens["access_token"]).vin() == second.vin


def test_expiry_and_refresh_rotation(emu: Emulator) -> None:
    client = client_for(emu)
    access = client.exchange_code(query_of(connect(emu.auth_url_for()))["code"])
    vehicle_id = smartcar.get_vehicle_ids(access["access_token"])["vehicles"][0]
    emu.clock.advance(7201)
    with pytest.raises(smartcar.AuthenticationException):
        smartcar.Vehicle(vehicle_id, access["access_token"], max_retries=0).odometer()
    renewed = client.exchange_refresh_token(access["refresh_token"])
    assert smartcar.Vehicle(vehicle_id, renewed["access_token"]).odometer()["data"]["distance"]
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.exchange_refresh_token(access["refresh_token"])
    assert caught.value.status_code == 400
    assert emu.token_exchanges("refresh_token") == 2


def test_is_compatible(emu: Emulator) -> None:
    client = client_for(emu)
    gas = vehicle_of(emu, "gas")
    assert client.is_compatible(gas.vin, ["read_fuel", "read_odometer"]) is True
    assert client.is_compatible(gas.vin, ["read_battery"]) is False
    assert client.is_compatible(gas.vin, ["read_fuel"], country="JP") is False


def test_unknown_vehicle_and_bad_token(emu: Emulator) -> None:
    token = emu.issue_tokens()["access_token"]
    with pytest.raises(smartcar.ResourceNotFoundException):
        smartcar.Vehicle("00000000-0000-4000-8000-000000000000", token).info()
    with pytest.raises(smartcar.AuthenticationException):
        smartcar.get_vehicle_ids("not-a-token")
    with pytest.raises(smartcar.ValidationException):
        smartcar.get_vehicle_ids(token, limit=500)


FAULTS: Dict[str, Any] = {
    "400": ({"status": 400}, smartcar.ValidationException),
    "401": ({"status": 401}, smartcar.AuthenticationException),
    "403": ({"status": 403}, smartcar.PermissionException),
    "404": ({"status": 404}, smartcar.ResourceNotFoundException),
    "409": ({"status": 409, "code": "VS_002"}, smartcar.StateException),
    "429": ({"status": 429, "retry_after": 1}, smartcar.RateLimitingException),
    "430": ({"status": 430}, smartcar.MonthlyLimitExceeded),
    "500": ({"status": 500}, smartcar.ServerException),
    "501-vehicle": ({"status": 501}, smartcar.VehicleNotCapableException),
    "501-smartcar": (
        {"status": 501, "error": "smartcar_not_capable_error"},
        smartcar.SmartcarNotCapableException,
    ),
    "502-html": ({"status": 502}, smartcar.SmartcarException),
    "503-html": ({"status": 503}, smartcar.SmartcarException),
    "504-text": ({"status": 504}, smartcar.GatewayTimeoutException),
    "drop": ({"drop": True}, smartcar.SmartcarConnectionError),
    "latency": ({"latency": 1.0}, smartcar.SmartcarTimeout),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_kind_maps_to_its_exception(emu: Emulator, name: str) -> None:
    options, expected = FAULTS[name]
    target = emu.vehicles()[0]
    emu.faults.add(f"/v1.0/vehicles/{target.id}/odometer", **options)
    vehicle = smartcar.Vehicle(
        target.id, emu.issue_tokens()["access_token"], max_retries=0, timeout=0.3
    )
    call: Callable[[], Any] = vehicle.odometer
    with pytest.raises(expected) as caught:
        call()
    error: Type[BaseException] = type(caught.value)
    assert issubclass(error, smartcar.SmartcarException)
    if "code" in options:
        assert caught.value.code == options["code"]
    assert len(emu.requests("*/odometer")) == 1
