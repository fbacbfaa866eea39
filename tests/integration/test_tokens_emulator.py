"""TokenManager and its provider against the emulator: Vehicle reads that meet a 401,
rotation behind the manager's back (invalid_grant), and get_fresh_access."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

import pytest
from token_harness import App, connect_and_save

import smartcar
from smartcar import AuthenticationException, ReauthorizationRequired
from smartcar.tokens import SQLiteStore, TokenManager, get_fresh_access

KEY = "driver"
EXPIRE = 2 * 60 * 60 + 1
ODOMETER = "/v1.0/vehicles/*/odometer"


def _real_time() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture
def client(emu: Any) -> smartcar.AuthClient:
    client: smartcar.AuthClient = App.of(emu).client()
    return client


@pytest.fixture
def manager(emu: Any, client: smartcar.AuthClient, tmp_path: Path) -> TokenManager:
    """A manager on the real clock (not the SDK's, which follows the running emulator's):
    it does not know when the emulator expires tokens."""
    return TokenManager(client, SQLiteStore(tmp_path / "tokens.db"), clock=_real_time)


@pytest.fixture
def first(emu: Any, manager: TokenManager) -> Dict[str, Any]:
    return connect_and_save(emu, manager, KEY)


@pytest.fixture
def vehicle(manager: TokenManager, first: Dict[str, Any]) -> smartcar.Vehicle:
    vehicle_id = smartcar.get_vehicle_ids(manager.access_token(KEY))["vehicles"][0]
    return smartcar.Vehicle(vehicle_id, manager.provider(KEY))


def _odometer_attempts(emu: Any) -> List[int]:
    return [record.status for record in emu.requests(ODOMETER, method="GET")]


def test_a_401_read_refreshes_once_and_repeats_once(
    emu: Any, manager: TokenManager, first: Dict[str, Any], vehicle: smartcar.Vehicle
) -> None:
    emu.faults.add(ODOMETER, status=401, count=1)
    reading = vehicle.odometer()
    assert reading["data"]["distance"] > 0
    assert _odometer_attempts(emu) == [401, 200]
    assert emu.token_exchanges("refresh_token") == 1
    stored = manager.get(KEY)
    assert stored is not None and stored["access_token"] != first["access_token"]


def test_a_token_expired_by_the_emulator_is_refreshed_on_401(
    emu: Any, manager: TokenManager, first: Dict[str, Any], vehicle: smartcar.Vehicle
) -> None:
    emu.clock.advance(EXPIRE)  # the manager's real clock still finds the token fresh
    assert manager.access_token(KEY) == first["access_token"]
    assert vehicle.info()["id"] == vehicle.vehicle_id
    assert [r.status for r in emu.requests("/v1.0/vehicles/*", method="GET")] == [401, 200]
    assert emu.token_exchanges("refresh_token") == 1
    assert smartcar.get_user_id(manager.access_token(KEY)) == emu.user_id()


def test_a_second_401_is_raised_after_one_refresh(emu: Any, vehicle: smartcar.Vehicle) -> None:
    emu.faults.add(ODOMETER, status=401, count=2)
    with pytest.raises(AuthenticationException) as raised:
        vehicle.odometer()
    assert raised.value.status_code == 401
    assert _odometer_attempts(emu) == [401, 401]
    assert emu.token_exchanges("refresh_token") == 1


def test_a_401_refusing_the_token_of_a_command_is_repeated_once(
    emu: Any, vehicle: smartcar.Vehicle
) -> None:
    emu.faults.add("/v1.0/vehicles/*/security", status=401, count=1)
    assert vehicle.lock() == {"status": "success"}
    statuses = [r.status for r in emu.requests("/v1.0/vehicles/*/security", method="POST")]
    assert statuses == [401, 200]
    assert emu.token_exchanges("refresh_token") == 1


def test_another_401_on_a_command_is_not_repeated(emu: Any, vehicle: smartcar.Vehicle) -> None:
    other = {"error": "vehicle_error", "message": "the car refused"}
    emu.faults.add("/v1.0/vehicles/*/security", status=401, count=1, body=other)
    with pytest.raises(AuthenticationException):
        vehicle.lock()
    assert len(emu.requests("/v1.0/vehicles/*/security", method="POST")) == 1
    assert emu.token_exchanges("refresh_token") == 0


def test_a_refresh_token_rotated_elsewhere_requires_reauthorisation(
    emu: Any, client: smartcar.AuthClient, manager: TokenManager, first: Dict[str, Any]
) -> None:
    client.exchange_refresh_token(first["refresh_token"])  # someone else rotates it
    emu.clock.advance(EXPIRE)
    manager.clock = emu.clock.now
    with pytest.raises(ReauthorizationRequired) as raised:
        manager.access_token(KEY)
    assert raised.value.error == "invalid_grant"
    assert raised.value.status_code == 400
    exchanges = emu.token_exchanges("refresh_token")
    assert exchanges == 2
    record = manager.get(KEY)
    assert record is not None and record["reauthorization_required"] is True
    assert record["refresh_token"] == first["refresh_token"]
    with pytest.raises(ReauthorizationRequired):
        manager.provider(KEY).access_token()
    assert emu.token_exchanges("refresh_token") == exchanges

    connect_and_save(emu, manager, KEY)  # the user connects again
    assert smartcar.get_user_id(manager.access_token(KEY)) == emu.user_id()


def test_get_fresh_access_with_the_seed_flow(emu: Any, client: smartcar.AuthClient) -> None:
    from smartcar.emulator import connect

    redirect = connect(client.get_auth_url())
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    database: Dict[str, Any] = {"access": client.exchange_code(code)}
    same = get_fresh_access(client, database["access"], lambda new: database.update(access=new))
    assert same is database["access"]
    assert emu.token_exchanges("refresh_token") == 0

    stale = dict(database["access"])
    stale["expiration"] = (
        datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    ).isoformat()
    fresh = get_fresh_access(client, stale, lambda new: database.update(access=new))
    assert database["access"] is fresh
    assert emu.token_exchanges("refresh_token") == 1
    assert smartcar.get_user_id(fresh["access_token"]) == emu.user_id()
    with pytest.raises(ReauthorizationRequired):
        get_fresh_access(client, stale)  # its refresh token was rotated away
