"""The events' own behaviour: immutability, equality, and the seed's reads from their signals."""

from __future__ import annotations

import copy
import datetime
from typing import Any, Dict, List

import pytest

import smartcar
from smartcar.exceptions import PermissionException, StateException, VehicleNotCapableException
from smartcar.v3 import Snapshot
from smartcar.webhooks import VehicleStateEvent, parse_event

from .support import MANAGEMENT_TOKEN, Payload, encode, sign, vehicle_state

UTC = datetime.timezone.utc


def parse(payload: Payload) -> Any:
    body = encode(payload)
    return parse_event(body, signature=sign(body), management_token=MANAGEMENT_TOKEN)


def test_exceptions_are_the_same_classes_as_smartcars() -> None:
    import smartcar.webhooks as webhooks

    assert webhooks.WebhookSignatureError is smartcar.WebhookSignatureError
    assert webhooks.WebhookPayloadError is smartcar.WebhookPayloadError
    assert smartcar.WebhookPayloadError is smartcar.exceptions.WebhookPayloadError


def test_events_are_immutable_and_equal_by_their_json() -> None:
    event = parse(vehicle_state("e-1"))
    with pytest.raises(AttributeError):
        event.signals = ()
    with pytest.raises(AttributeError):
        del event.event_id
    assert event == parse(vehicle_state("e-1")) and hash(event) == hash(parse(vehicle_state("e-1")))
    assert event != parse(vehicle_state("e-2"))
    assert repr(event) == "VehicleStateEvent(event_id='e-1', vehicle_id='bd77cd6e-vehicle')"
    assert MANAGEMENT_TOKEN not in repr(event)


def _signal(code: str, body: Dict[str, Any], **extra: Any) -> Payload:
    group, _, name = code.partition("-")
    return {"code": code, "name": name, "group": group, "body": body, **extra,
            "meta": {"oemUpdatedAt": 1790080001000, "retrievedAt": 1790080002000}}  # fmt: skip


def _not_capable(code: str) -> Payload:
    error = {"code": "VEHICLE_NOT_CAPABLE", "type": "COMPATIBILITY"}
    return {"code": code, "status": {"value": "ERROR", "error": error}}


def _with_signals(signals: List[Payload]) -> Payload:
    payload = vehicle_state()
    payload["data"]["signals"] = signals
    return payload


SIGNALS = [
    _signal("odometer-traveleddistance", {"value": 32208, "unit": "km"}),
    _signal("tractionbattery-stateofcharge", {"value": 78, "unit": "percent"}),
    _signal("tractionbattery-range", {"value": 280, "unit": "kilometers"}),
    _signal("location-preciselocation", {"latitude": 32.7767, "longitude": -96.797}),
    _signal("vehicleidentification-vin", {"value": "WVGAWVEB4SH018592"}),
    _signal("charge-ischargingcableconnected", {"value": True}),
    _signal("charge-detailedchargingstatus", {"value": "CHARGING"}),
    _signal("tractionbattery-nominalcapacity", {"capacity": 77, "unit": "kWh"}),
    _signal(
        "wheel-tires",
        {"values": [{"row": r, "column": c, "tirePressure": 250} for r in (0, 1) for c in (0, 1)],
         "unit": "kPa", "rowCount": 2, "columnCount": 2},
    ),
    _not_capable("internalcombustionengine-fuellevel"),
]  # fmt: skip


def test_seed_reads_from_the_signals_carried() -> None:
    event = parse(_with_signals(copy.deepcopy(SIGNALS)))
    age = datetime.datetime.fromtimestamp(1790080001, UTC)
    assert event.odometer() == {"data": {"distance": 32208}, "unit_system": "metric", "age": age}
    assert event.battery()["data"] == {"percentRemaining": 0.78, "range": 280}
    assert event.location()["data"] == {"latitude": 32.7767, "longitude": -96.797}
    assert event.vin() == "WVGAWVEB4SH018592"
    assert event.charge()["data"] == {"isPluggedIn": True, "state": "CHARGING"}
    assert event.battery_capacity()["data"] == {"capacity": 77}
    assert event.tire_pressure()["data"]["tires"]["backRight"] == 250
    assert event.odometer().request_id is None
    miles = event.snapshot("imperial").odometer()
    assert miles["unit_system"] == "imperial" and miles["data"]["distance"] == pytest.approx(
        20013.2, abs=0.1
    )


@pytest.mark.parametrize(
    "name", ["odometer", "battery", "location", "vin", "charge", "fuel", "oil", "tire_pressure"]
)
def test_seed_reads_equal_a_snapshot_of_the_same_signals(name: str) -> None:
    event = parse(_with_signals(copy.deepcopy(SIGNALS)))
    snapshot = Snapshot({signal.code: signal for signal in event.signals})
    try:
        expected: Any = getattr(snapshot, name)()
    except smartcar.SmartcarException as error:
        with pytest.raises(type(error)):
            getattr(event, name)()
        return
    assert getattr(event, name)() == expected


def test_a_read_over_signals_not_sent_is_not_capable() -> None:
    event = parse(_with_signals([]))
    with pytest.raises(VehicleNotCapableException):
        event.odometer()


def test_error_precedence_not_capable_then_vehicle_state_then_permission() -> None:
    permission = {"code": None, "type": "PERMISSION"}
    asleep = {"code": "ASLEEP", "type": "VEHICLE_STATE"}
    fuel = [
        _not_capable("internalcombustionengine-fuellevel"),
        {"code": "internalcombustionengine-amountremaining",
         "status": {"value": "ERROR", "error": permission}},
        _not_capable("internalcombustionengine-range"),
    ]  # fmt: skip
    with pytest.raises(VehicleNotCapableException):
        parse(_with_signals(fuel)).fuel()
    battery = [
        {"code": "tractionbattery-stateofcharge", "status": {"value": "ERROR", "error": asleep}},
        {"code": "tractionbattery-range", "status": {"value": "ERROR", "error": permission}},
    ]
    with pytest.raises(StateException):
        parse(_with_signals(battery)).battery()
    with pytest.raises(PermissionException):
        parse(_with_signals(battery[1:])).battery()


def test_a_2025_success_signal_without_status_serves_a_read() -> None:
    signal = _signal("odometer-traveleddistance", {"value": 12.5, "unit": "km"})
    event = parse(_with_signals([signal]))
    assert isinstance(event, VehicleStateEvent)
    assert event.odometer()["data"] == {"distance": 12.5}
