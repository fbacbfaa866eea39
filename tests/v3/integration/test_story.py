"""The whole v3 story against the emulator over loopback HTTP: connect a v3 user, list their
connections, read signals and the seed's reads in both unit systems (equal to what the v1.0
API reads from the same state), run every command and see the state change, subscribe,
paginate, and errors from the service's v3 bodies."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List

import pytest

import smartcar
import smartcar.v3
from smartcar.emulator import Emulator, connect
from smartcar.emulator.permissions import PERMISSIONS

SEED_READS = ("location", "odometer", "fuel", "battery", "battery_capacity", "charge", "oil",
              "tire_pressure")  # fmt: skip


def test_connect_a_v3_user_and_list_their_connections(
    emu: Emulator, client: smartcar.v3.Client
) -> None:
    url = client.get_auth_url(list(PERMISSIONS), state="s-42", external_id="crm-7")
    redirect = smartcar.v3.parse_redirect(connect(url))
    assert redirect["state"] == "s-42"
    assert redirect["user_id"] == emu.user_id()
    assert redirect.get("external_id") == "crm-7"
    connections = list(client.connections(user_id=redirect["user_id"]))
    assert {c["vehicle_id"] for c in connections} == {v.id for v in emu.vehicles()}
    assert {c["user_id"] for c in connections} == {redirect["user_id"]}
    assert {c["external_id"] for c in connections} == {"crm-7"}
    first = connections[0]
    assert set(first["permissions"]) >= {"read_odometer", "control_security"}
    vehicle = emu.vehicle(first["vehicle_id"] or "")
    assert (first["vehicle"]["make"], first["vehicle"]["model"], first["vehicle"]["year"]) == (
        vehicle.make,
        vehicle.model,
        vehicle.year,
    )
    assert isinstance(first["created_at"], datetime.datetime)
    assert client.get_connection(first["id"]) == first


def test_connect_denied_raises_connect_exception(emu: Emulator, client: smartcar.v3.Client) -> None:
    redirect = connect(client.get_auth_url(["read_odometer"], state="s-1"), approve=False)
    with pytest.raises(smartcar.ConnectException) as caught:
        smartcar.v3.parse_redirect(redirect)
    assert (caught.value.error, caught.value.state) == ("access_denied", "s-1")


def test_info_and_signals(emu: Emulator, client: smartcar.v3.Client, user_id: str) -> None:
    for sim in emu.vehicles():
        vehicle = client.vehicle(sim.id, user_id)
        info = vehicle.info()
        assert (info["id"], info["make"], info["model"], info["year"]) == (
            sim.id,
            sim.make,
            sim.model,
            sim.year,
        )
        assert info["powertrain_type"] in ("ICE", "PHEV", "BEV")
        signals = vehicle.signals()
        vin = signals["vehicleidentification-vin"]
        assert (vin.value, vin.status, vin.group) == (sim.vin, "SUCCESS", "VehicleIdentification")
        assert vin.retrieved_at is not None and vin.retrieved_at.tzinfo is not None
        assert vehicle.signal("closure-islocked").value is sim.locked
        assert vehicle.vin() == sim.vin
    with pytest.raises(smartcar.ResourceNotFoundException):
        client.vehicle(emu.vehicles()[0].id, user_id).signal("nope-nothing")


def _same(v3_value: Any, v1_value: Any) -> bool:
    if isinstance(v1_value, dict):
        return set(v3_value) == set(v1_value) and all(
            _same(v3_value[key], v1_value[key]) for key in v1_value
        )
    if isinstance(v1_value, float) or isinstance(v3_value, float):
        return v3_value == pytest.approx(v1_value, rel=2e-3, abs=0.06)
    return bool(v3_value == v1_value)


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
def test_seed_reads_equal_the_v1_reads_of_the_same_state(
    emu: Emulator, client: smartcar.v3.Client, user_id: str, unit_system: str
) -> None:
    access = emu.issue_tokens(scope=list(PERMISSIONS))["access_token"]
    compared = 0
    for sim in emu.vehicles():
        v1 = smartcar.Vehicle(sim.id, access, unit_system=unit_system)
        v3 = client.vehicle(sim.id, user_id, unit_system=unit_system)
        for name in SEED_READS:
            try:
                expected: Dict[str, Any] = getattr(v1, name)()
            except smartcar.SmartcarException as error:
                with pytest.raises(type(error)):
                    getattr(v3, name)()
                continue
            got = getattr(v3, name)()
            assert set(got) == set(expected), name
            assert _same(got["data"], expected["data"]), (name, got["data"], expected["data"])
            assert got.get("unit_system") == expected.get("unit_system")
            assert got["age"] is not None and expected["age"] is not None
            assert abs((got["age"] - expected["age"]).total_seconds()) < 2
            compared += 1
    assert compared >= len(SEED_READS)


def test_every_command_changes_the_state(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    vehicle = client.vehicle(sim.id, user_id)
    sim.is_plugged_in, sim.charging, sim.battery_percent = True, False, 0.3

    execution = vehicle.unlock()
    assert (execution["status"], execution["status_code"]) == ("SUCCESS", 200)
    assert sim.locked is False
    assert vehicle.signal("closure-islocked").value is False
    assert vehicle.lock()["status"] == "SUCCESS"
    assert sim.locked is True

    assert vehicle.start_charge()["status"] == "SUCCESS"
    assert vehicle.charge()["data"] == {"isPluggedIn": True, "state": "CHARGING"}
    assert vehicle.stop_charge()["status"] == "SUCCESS"
    assert vehicle.charge()["data"]["state"] == "NOT_CHARGING"

    limit = vehicle.set_charge_limit(80)
    assert limit["status"] == "SUCCESS"
    assert sim.charge_limit == pytest.approx(0.8)
    assert vehicle.signal("charge-chargelimits").body["activeLimit"] == 80

    destination = vehicle.set_destination(45.5017, -73.5673)
    assert destination["status"] == "SUCCESS"
    assert sim.destination == (45.5017, -73.5673)


def test_lock_via_v3_is_read_by_v1(emu: Emulator, client: smartcar.v3.Client, user_id: str) -> None:
    sim = emu.vehicles()[0]
    access = emu.issue_tokens(scope=list(PERMISSIONS))["access_token"]
    client.vehicle(sim.id, user_id).unlock()
    v1 = smartcar.Vehicle(sim.id, access)
    assert sim.locked is False
    client.vehicle(sim.id, user_id).lock()
    assert sim.locked is True
    assert v1.vin() == sim.vin


def test_a_command_the_service_refuses_raises_and_is_sent_once(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = emu.vehicles()[0]
    sim.locked = True
    vehicle = client.vehicle(sim.id, user_id)
    emu.faults.add("/v3/vehicles/*/commands/security/unlock", status=500, count=1)
    with pytest.raises(smartcar.ServerException) as caught:
        vehicle.unlock()
    assert caught.value.type == "SERVER"
    assert len(emu.requests("/v3/vehicles/*/commands/security/unlock")) == 1
    assert sim.locked is True


def test_subscribe_list_and_unsubscribe(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    hook = emu.v3.add_webhook(
        "Charging", "http://127.0.0.1:9/hook", triggers=["charge-ischarging"], verify=False
    )
    (listed,) = client.webhooks()
    assert (listed["id"], listed["name"]) == (hook.id, "Charging")
    assert client.get_webhook(hook.id) == listed
    sim = emu.vehicles()[0]
    accepted = client.subscribe(hook.id, vehicle_id=sim.id, user_id=user_id)
    assert accepted["status_code"] == 202
    with pytest.raises(smartcar.StateException):
        client.subscribe(hook.id, vehicle_id=sim.id, user_id=user_id)
    (subscription,) = client.subscriptions(webhook_id=hook.id)
    assert (subscription["vehicle_id"], subscription["user_id"], subscription["webhook_id"]) == (
        sim.id,
        user_id,
        hook.id,
    )
    assert client.get_subscription(subscription["id"]) == subscription
    client.unsubscribe(subscription["id"])
    assert list(client.subscriptions(webhook_id=hook.id)) == []


def test_connections_paginate_lazily_over_three_pages(
    emu: Emulator, client: smartcar.v3.Client
) -> None:
    added = emu.v3.add_vehicles(25, user="fleet@example.com")
    fleet_user = emu.user_id("fleet@example.com")
    pages_before = len(emu.requests("/v3/connections"))
    connections = client.connections(user_id=fleet_user, page_size=10)
    first = next(connections)
    assert len(emu.requests("/v3/connections")) - pages_before == 1
    ids: List[str] = [first["vehicle_id"] or "", *(c["vehicle_id"] or "" for c in connections)]
    assert sorted(ids) == sorted(v.id for v in added)
    assert len(emu.requests("/v3/connections")) - pages_before == 3


def test_delete_connection_then_user(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    connections = list(client.connections(user_id=user_id))
    client.delete_connection(connections[0]["id"])
    assert len(list(client.connections(user_id=user_id))) == len(connections) - 1
    client.delete_user(user_id)
    assert list(client.connections(user_id=user_id)) == []


def test_a_stranger_cannot_read_the_vehicle(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    stranger = client.vehicle(emu.vehicles()[0].id, emu.user_id("someone@example.com"))
    with pytest.raises(smartcar.PermissionException):
        stranger.signals()


def test_rate_limit_and_retry_after(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = emu.vehicles()[0]
    vehicle = client.vehicle(sim.id, user_id)
    emu.clock.freeze()
    emu.rate_limit(sim.id, 0.001)
    vehicle.signals()
    with pytest.raises(smartcar.RateLimitingException) as caught:
        smartcar.v3.Client(emu.client_id, emu.client_secret, max_retries=0).vehicle(
            sim.id, user_id
        ).signals()
    assert (caught.value.type, caught.value.code) == ("RATE_LIMIT", "VEHICLE")
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1
