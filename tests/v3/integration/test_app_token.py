"""The application token against the emulator: one request for the whole process, renewed
on the emulator clock before it expires, one fresh token after a 401, bad credentials."""

from __future__ import annotations

import threading
from typing import List

import pytest

import smartcar
import smartcar.v3
from smartcar.emulator import Emulator


def token_requests(emu: Emulator) -> int:
    return len(emu.requests("/oauth2/token", method="POST"))


def test_64_threads_cause_one_token_request(emu: Emulator, client: smartcar.v3.Client) -> None:
    emu.faults.add("/oauth2/token", method="POST", latency=0.3, count=1)
    barrier = threading.Barrier(64)
    tokens: List[str] = []
    errors: List[BaseException] = []

    def ask() -> None:
        barrier.wait()
        try:
            tokens.append(client.access_token())
        except BaseException as error:  # collected: an assertion below fails on it
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(tokens) == 64 and len(set(tokens)) == 1
    assert token_requests(emu) == 1


def test_one_token_an_hour_renewed_before_it_expires(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    vehicle = client.vehicle(emu.vehicles()[0].id, user_id)
    client.access_token()
    before = token_requests(emu)
    for _ in range(5):
        vehicle.signals()
        emu.clock.advance(600)  # 50 minutes in all: still the first token
    assert token_requests(emu) == before
    emu.clock.advance(9 * 60 + 30)  # 59.5 minutes: within the renewal margin
    vehicle.signals()
    assert token_requests(emu) == before + 1
    assert not [r for r in emu.requests("/v3/*") if r.status == 401]


def test_a_401_gets_one_fresh_token_and_one_repeat(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    vehicle = client.vehicle(emu.vehicles()[0].id, user_id)
    first = client.access_token()
    emu.faults.add("/v3/vehicles/*/signals", status=401, count=1)
    assert vehicle.signals()
    assert client.access_token() != first
    assert len(emu.requests("/v3/vehicles/*/signals")) == 2


def test_bad_credentials_raise_authentication_exception(emu: Emulator) -> None:
    client = smartcar.v3.Client(emu.client_id, "not-the-secret")
    with pytest.raises(smartcar.AuthenticationException) as caught:
        client.access_token()
    assert caught.value.error == "invalid_client"
    assert "not-the-secret" not in str(caught.value) + repr(caught.value)


def test_a_command_refused_for_its_token_runs_once_with_a_fresh_one(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = emu.vehicles()[0]
    sim.locked = False
    first = client.access_token()
    emu.faults.add("/v3/vehicles/*/commands/security/lock", status=401, count=1)
    assert client.vehicle(sim.id, user_id).lock()["status"] == "SUCCESS"
    assert sim.locked is True
    assert client.access_token() != first
    statuses = [r.status for r in emu.requests("/v3/vehicles/*/commands/security/lock")]
    assert statuses == [401, 200]
