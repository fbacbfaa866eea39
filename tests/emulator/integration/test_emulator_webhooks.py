"""Webhooks that really arrive: the emulator sends VERIFY and signed VEHICLE_STATE events
to a loopback receiver built on ``smartcar.webhooks.Receiver``, retries on the emulator's
clock, and loses or doubles nothing over 1,000 deliveries."""

from __future__ import annotations

import threading
from typing import Any, Iterator, List, Tuple

import pytest
import requests
from emu_support import JsonPostServer

from smartcar.emulator import Emulator
from smartcar.webhooks import Receiver


class App:
    """A webhook endpoint as an application writes it: ``Receiver.handle`` on the raw body.
    ``fail_next`` answers that many deliveries with 500 before the receiver sees them."""

    def __init__(self, management_token: str) -> None:
        self.receiver = Receiver(management_token)
        self.events: List[Any] = []
        self.statuses: List[int] = []
        self.fail_next = 0
        self._lock = threading.Lock()
        self._server = JsonPostServer(self.handle, "/webhooks")
        self.url = self._server.url

    def handle(self, headers: Any, body: bytes) -> Tuple[int, Any]:
        with self._lock:
            failing = self.fail_next > 0
            self.fail_next -= 1 if failing else 0
        if failing:
            status, answer, event = 500, {"error": "busy"}, None
        else:
            status, answer, event = self.receiver.handle(dict(headers), body)
        with self._lock:
            self.statuses.append(status)
            if event is not None and type(event).__name__ != "VerifyEvent":
                self.events.append(event)
        return status, answer

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def app(emu: Emulator) -> Iterator[App]:
    endpoint = App(emu.management_token)
    yield endpoint
    endpoint.close()


def test_verify_then_a_lock_arrives_signed(emu: Emulator, app: App) -> None:
    created = requests.post(
        emu.origin + "/_emulator/webhooks",
        json={"name": "Locks", "callback_uri": app.url, "triggers": ["closure-islocked"],
              "data": ["closure-islocked", "odometer-traveleddistance"]},
        timeout=10,
    )  # fmt: skip
    assert created.status_code == 201
    hook = created.json()
    assert hook["is_enabled"] is True  # the receiver answered the challenge right
    user_id = emu.v3.connect()
    vehicle = emu.vehicles()[0]
    emu.vehicle(vehicle.id).locked = True
    assert emu.v3.service.registry.subscribe(hook["id"], user_id, vehicle.id, emu.clock.now())
    assert emu.v3.deliveries.wait()
    token = requests.post(
        emu.origin + "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": emu.client_id,
              "client_secret": emu.client_secret},
        timeout=10,
    ).json()["access_token"]  # fmt: skip
    unlocked = requests.post(
        f"{emu.origin}/v3/vehicles/{vehicle.id}/commands/security/unlock",
        headers={"Authorization": f"Bearer {token}", "sc-user-id": user_id},
        timeout=10,
    )
    assert unlocked.status_code == 200
    assert emu.v3.deliveries.wait()
    assert len(app.events) == 2  # FIRST_DELIVERY, then the unlock
    event = app.events[-1]
    assert event.vehicle.id == vehicle.id
    signals = {signal.code: signal for signal in event.signals}
    assert signals["closure-islocked"].value is False
    log = requests.get(emu.origin + "/_emulator/deliveries", timeout=10).json()["deliveries"]
    assert [item["event_type"] for item in log] == ["VERIFY", "VEHICLE_STATE", "VEHICLE_STATE"]
    assert all(item["state"] == "delivered" for item in log)


def test_a_wrong_verify_answer_leaves_the_webhook_disabled(emu: Emulator, app: App) -> None:
    app.receiver = Receiver("not-the-management-token")
    hook = emu.v3.add_webhook("Bad", app.url, triggers=["closure-islocked"])
    assert hook.is_enabled is False
    assert emu.v3.deliveries.log()[0].state == "dropped"


def test_fails_twice_then_three_attempts_and_one_event(emu: Emulator, app: App) -> None:
    hook = emu.v3.add_webhook("Retry", app.url, triggers=["closure-islocked"])
    user_id = emu.v3.connect()
    vehicle = emu.vehicles()[0]
    app.fail_next = 2
    emu.v3.service.registry.subscribe(hook.id, user_id, vehicle.id, emu.clock.now())
    deliveries = emu.v3.deliveries
    assert deliveries.wait()
    emu.clock.advance(25)
    assert deliveries.wait()
    emu.clock.advance(50)
    assert deliveries.wait()
    delivery = deliveries.log("VEHICLE_STATE")[0]
    assert [attempt.status for attempt in delivery.attempts] == [500, 500, 200]
    assert delivery.state == "delivered"
    assert len(app.events) == 1
    assert app.events[0].event_id == delivery.event_id


def test_a_thousand_deliveries_nothing_lost_or_doubled(emu: Emulator, app: App) -> None:
    emu.v3.add_vehicles(1000)
    emu.v3.add_webhook("All", app.url, triggers=["odometer-traveleddistance"],
                       auto_subscribe=True)  # fmt: skip
    assert len(emu.v3.subscriptions()) == 1000
    assert emu.v3.deliveries.wait(timeout=60)
    log = emu.v3.deliveries.log("VEHICLE_STATE")
    assert len(log) == 1000
    assert all(item.state == "delivered" and len(item.attempts) == 1 for item in log)
    ids = [event.event_id for event in app.events]
    assert len(ids) == len(set(ids)) == 1000
    assert {event.vehicle.id for event in app.events} == {item.vehicle_id for item in log}


def test_deliveries_resume_after_a_restart(app: App) -> None:
    emulator = Emulator(seed=2)
    with emulator:
        hook = emulator.v3.add_webhook("Restart", app.url, triggers=["closure-islocked"])
        user_id = emulator.v3.connect()
    with emulator:
        vehicle = emulator.vehicles()[0]
        emulator.v3.service.registry.subscribe(hook.id, user_id, vehicle.id, emulator.clock.now())
        assert emulator.v3.deliveries.wait()
        assert [event.vehicle.id for event in app.events] == [vehicle.id]


@pytest.mark.parametrize("payload_format", ["2025", "2026"])
def test_deliveries_of_each_format_are_accepted(
    emu: Emulator, app: App, payload_format: str
) -> None:
    """The live service's 2025 form (signals named "Group.Name", no status on success, a short
    meta) and its 2026 form (times of 0 for static attributes) reach the Receiver and parse."""
    emu.v3.deliveries.payload_format = payload_format
    hook = emu.v3.add_webhook(
        "Formats", app.url, triggers=["closure-islocked"],
        data=["closure-islocked", "odometer-traveleddistance", "vehicleidentification-vin"],
    )  # fmt: skip
    assert hook.is_enabled
    user_id = emu.v3.connect()
    vehicle = emu.vehicles()[0]
    assert emu.v3.service.registry.subscribe(hook.id, user_id, vehicle.id, emu.clock.now())
    assert emu.v3.deliveries.wait()
    emu.vehicle(vehicle.id).locked = not emu.vehicle(vehicle.id).locked
    emu.vehicle(vehicle.id).state_error = "ASLEEP"
    assert emu.v3.deliveries.wait()
    assert set(app.statuses) == {200}
    kinds = [type(event).__name__ for event in app.events]
    assert kinds.count("VehicleStateEvent") == 2 and "VehicleErrorEvent" in kinds
    first, changed = [e for e in app.events if type(e).__name__ == "VehicleStateEvent"]
    assert [t.type for t in first.triggers] == ["FIRST_DELIVERY"]
    (trigger,) = changed.triggers
    assert trigger.signal is not None
    assert (trigger.signal.code, trigger.signal.group, trigger.signal.name) == (
        "closure-islocked",
        "Closure",
        "IsLocked",
    )
    assert changed.vehicle_id == vehicle.id and changed.meta.delivered_at is not None
    assert all(signal.ok for signal in changed.signals)
    assert changed.odometer()["data"]["distance"] is not None
    vin = changed.signal("vehicleidentification-vin")
    assert vin is not None and vin.retrieved_at is None  # 0: a static attribute's unknown time
    (error_event,) = [e for e in app.events if type(e).__name__ == "VehicleErrorEvent"]
    (error,) = error_event.errors
    assert (error.code, error.state) == ("ASLEEP", "ERROR")
    assert "closure-islocked" in {ref.code for ref in error.signals}
    if payload_format == "2025":
        assert "status" not in changed.raw["data"]["signals"][0]
        assert isinstance(changed.raw["triggers"][0]["signal"], str)
        assert set(changed.raw["meta"]) == {"deliveryId", "deliveredAt", "deliveryTime"}
