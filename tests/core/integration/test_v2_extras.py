"""The v2.0 additions of the SDK (what the official 6.x offers) against the emulator over
loopback HTTP: each call's effect on the emulated vehicle, fleet and connections."""

from __future__ import annotations

import datetime
import json
from typing import Dict, List

import pytest

import smartcar
from smartcar.emulator import Emulator
from smartcar.emulator.fleet import SimVehicle


def _kind(emu: Emulator, kind: str) -> SimVehicle:
    return next(vehicle for vehicle in emu.vehicles() if vehicle.kind == kind)


@pytest.fixture
def token(emu: Emulator) -> str:
    access_token: str = emu.issue_tokens()["access_token"]
    return access_token


def _vehicle(sim: SimVehicle, token: str, unit_system: str = "metric") -> smartcar.Vehicle:
    return smartcar.Vehicle(sim.id, token, unit_system, version="2.0")


def test_attributes_and_reads(emu: Emulator, token: str) -> None:
    electric = _kind(emu, "electric")
    vehicle = _vehicle(electric, token)
    assert vehicle.attributes() == {
        "id": electric.id,
        "make": electric.make,
        "model": electric.model,
        "year": electric.year,
    }
    assert vehicle.attributes() == vehicle.info()
    status = vehicle.lock_status()
    assert status["data"]["isLocked"] is electric.locked
    assert isinstance(status["age"], datetime.datetime) and "unit_system" not in status
    assert vehicle.get_charge_limit()["data"] == {"limit": electric.charge_limit}
    systems = vehicle.diagnostic_system_status()["data"]["systems"]
    assert systems and all("systemId" in item for item in systems)
    assert "activeCodes" in vehicle.diagnostic_trouble_codes()["data"]
    assert "availableCapacities" in vehicle.nominal_capacity()["data"]
    assert smartcar.last_request_id() == emu.requests()[-1].request_id


def test_lock_through_v2_shows_in_v1_status(emu: Emulator, token: str) -> None:
    gas = _kind(emu, "gas")
    v2 = _vehicle(gas, token)
    v2.unlock()
    assert v2.lock_status()["data"]["isLocked"] is False
    smartcar.Vehicle(gas.id, token, version="1.0").lock()
    assert v2.lock_status()["data"]["isLocked"] is True and emu.vehicle(gas.id).locked


def test_set_charge_limit_changes_the_vehicle_and_is_sent_once(emu: Emulator, token: str) -> None:
    electric = _kind(emu, "electric")
    vehicle = _vehicle(electric, token)
    answer = vehicle.set_charge_limit(0.8)
    assert answer["status"] == "success" and answer.request_id is not None
    assert emu.vehicle(electric.id).charge_limit == pytest.approx(0.8)
    assert vehicle.get_charge_limit()["data"]["limit"] == pytest.approx(0.8)
    posts = emu.requests(f"/v2.0/vehicles/{electric.id}/charge/limit", "POST")
    assert len(posts) == 1


def test_send_destination(emu: Emulator, token: str) -> None:
    gas = _kind(emu, "gas")
    answer = _vehicle(gas, token).send_destination(48.8584, 2.2945)
    assert answer["status"] == "success"
    assert emu.vehicle(gas.id).destination == pytest.approx((48.8584, 2.2945))


@pytest.mark.parametrize("unit_system", ["metric", "imperial"])
def test_service_history(emu: Emulator, token: str, unit_system: str) -> None:
    gas = _kind(emu, "gas")
    vehicle = _vehicle(gas, token, unit_system)
    everything = vehicle.service_history()
    assert everything["unit_system"] == unit_system
    assert isinstance(everything["data"], list)
    since = datetime.date(2000, 1, 1)
    ranged = vehicle.service_history(since, datetime.datetime.now(datetime.timezone.utc))
    assert isinstance(ranged["data"], list)
    sent = emu.requests(f"/v2.0/vehicles/{gas.id}/service/history", "GET")[-1]
    assert sent.method == "GET"


def test_subscribe_and_unsubscribe(emu: Emulator, token: str) -> None:
    gas = _kind(emu, "gas")
    vehicle = _vehicle(gas, token)
    assert vehicle.subscribe("webhook-7") == {"webhookId": "webhook-7", "vehicleId": gas.id}
    assert vehicle.unsubscribe(emu.management_token, "webhook-7") == {"status": "success"}
    with pytest.raises(smartcar.AuthenticationException) as caught:
        vehicle.unsubscribe("not-the-management-token", "webhook-7")
    assert "not-the-management-token" not in str(caught.value)


def test_request_escape_hatch(emu: Emulator, token: str) -> None:
    gas = _kind(emu, "gas")
    vehicle = _vehicle(gas, token, "imperial")
    answer = vehicle.request("GET", "odometer")
    assert answer["code"] == 200 and answer["headers"]["sc-unit-system"] == "imperial"
    assert answer["body"] == vehicle.odometer()["data"]
    locked = vehicle.request("POST", "security", {"action": "UNLOCK"})
    assert locked["body"]["status"] == "success" and emu.vehicle(gas.id).locked is False


def test_get_compatibility_with_capabilities(emu: Emulator) -> None:
    gas = _kind(emu, "gas")
    result = smartcar.get_compatibility(
        gas.vin,
        ["read_odometer", "read_battery"],
        client_id=emu.client_id,
        client_secret=emu.client_secret,
        version="2.0",
    )
    assert result["compatible"] is False and result["reason"] == "VEHICLE_NOT_COMPATIBLE"
    capable = {item["endpoint"]: item["capable"] for item in result["capabilities"]}
    assert capable["/odometer"] is True and capable["/battery"] is False
    client = smartcar.AuthClient(emu.client_id, emu.client_secret, emu.redirect_uri)
    assert client.is_compatible(gas.vin, ["read_odometer"]) is True


def test_get_compatibility_credentials_from_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", emu.client_secret)
    gas = _kind(emu, "gas")
    assert smartcar.get_compatibility(gas.vin, "read_odometer", version="2.0")["compatible"]


@pytest.fixture
def users(emu: Emulator) -> List[str]:
    emails = [f"extras{number}@example.com" for number in range(4)]
    for email in emails:
        emu.issue_tokens(user=email)
    return [emu.user_id(email) for email in emails]


def test_get_connections_follows_every_page(emu: Emulator, users: List[str]) -> None:
    everyone = smartcar.get_connections(emu.management_token, limit=3)
    pages = emu.requests("/v2.0/management/connections/", "GET")
    expected = sum(len(emu.vehicles(f"extras{n}@example.com")) for n in range(4))
    assert len(everyone) == expected > 3 and len(pages) == -(-expected // 3)
    assert {item["userId"] for item in everyone} == set(users)
    assert len({item["vehicleId"] for item in everyone}) == expected
    mine = smartcar.get_connections(emu.management_token, user_id=users[0])
    assert {item["userId"] for item in mine} == {users[0]}


def test_delete_connections_revokes_access(emu: Emulator, users: List[str]) -> None:
    access = emu.issue_tokens(user="extras0@example.com")
    vehicle_id = smartcar.get_vehicle_ids(access["access_token"])["vehicles"][0]
    deleted = smartcar.delete_connections(emu.management_token, vehicle_id=vehicle_id)
    assert deleted == [{"userId": users[0], "vehicleId": vehicle_id}]
    with pytest.raises(smartcar.AuthenticationException):
        smartcar.Vehicle(vehicle_id, access["access_token"], version="2.0").vin()
    assert len(emu.requests("/v2.0/management/connections/", "DELETE")) == 1
    gone = smartcar.delete_connections(emu.management_token, user_id=users[1])
    assert {item["userId"] for item in gone} == {users[1]}
    assert smartcar.get_connections(emu.management_token, user_id=users[1]) == []


def test_management_token_is_checked_and_never_shown(emu: Emulator) -> None:
    with pytest.raises(smartcar.AuthenticationException) as caught:
        smartcar.get_connections("wrong-management-token")
    assert "wrong-management-token" not in str(caught.value) + repr(caught.value)


def test_webhook_helpers_match_the_emulator_signature(emu: Emulator) -> None:
    body = json.dumps({"eventName": "verify", "payload": {"challenge": "c-1"}})
    from smartcar.webhooks import hash_hmac

    signature = hash_hmac(emu.management_token, body)
    assert smartcar.verify_payload(emu.management_token, signature, body) is True
    assert smartcar.verify_payload(emu.management_token, signature, body + " ") is False
    assert smartcar.hash_challenge(emu.management_token, "c-1") == hash_hmac(
        emu.management_token, "c-1"
    )


def test_results_serialise_like_plain_dicts(emu: Emulator, token: str) -> None:
    gas = _kind(emu, "gas")
    status = _vehicle(gas, token).lock_status()
    plain: Dict[str, object] = {"data": status["data"], "age": status["age"]}
    assert json.dumps(status, default=str) == json.dumps(plain, default=str)
