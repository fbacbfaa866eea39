"""What each read costs: ``Vehicle.snapshot()`` (one ``/signals`` fetch, then every seed
read for free), reads of one signal on the single-signal endpoint, reads of several on one
``/signals`` call, and ``Snapshot`` over any ``{code: Signal}`` mapping."""

from __future__ import annotations

from typing import Any, Callable, List

import pytest
import responses

import smartcar
from smartcar.v3 import Client, Snapshot, Vehicle

from .support import (
    SEED_SIGNALS,
    USER_ID,
    VEHICLE_ID,
    VEHICLES,
    serve_signals,
    signal,
    v3_error,
)

BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"
SIGNALS = f"{BASE}/signals"
READS = (
    "odometer",
    "battery",
    "location",
    "fuel",
    "charge",
    "oil",
    "tire_pressure",
    "battery_capacity",
    "vin",
)


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


def vehicle_calls(mocked: responses.RequestsMock) -> List[str]:
    """The URLs of the requests sent to the vehicle API, in order."""
    return [c.request.url for c in mocked.calls if c.request.url.startswith(BASE)]


def test_snapshot_is_one_call_for_every_seed_read(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    serve_signals(mocked, SEED_SIGNALS, request_id="snap-1")
    snapshot = vehicle.snapshot()
    results = {name: getattr(snapshot, name)() for name in READS}
    assert vehicle_calls(mocked) == [SIGNALS]
    serve_signals(mocked, SEED_SIGNALS, request_id="snap-1")
    for name in READS:  # the same shapes as the vehicle's own reads
        assert results[name] == getattr(vehicle, name)()
    assert results["odometer"].request_id == "snap-1"
    assert snapshot.signal("charge-ischarging") is snapshot.signals["charge-ischarging"]
    assert snapshot.signal("nope-nope") is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("vin", "vehicleidentification-vin"),
        ("odometer", "odometer-traveleddistance"),
        ("location", "location-preciselocation"),
        ("oil", "internalcombustionengine-oillife"),
        ("tire_pressure", "wheel-tires"),
        ("battery_capacity", "tractionbattery-nominalcapacity"),
    ],
)
def test_a_read_of_one_signal_asks_for_that_signal_only(
    vehicle: Vehicle, mocked: responses.RequestsMock, name: str, code: str
) -> None:
    serve_signals(mocked, SEED_SIGNALS)
    getattr(vehicle, name)()
    assert vehicle_calls(mocked) == [f"{SIGNALS}/{code}"]
    (call,) = [c for c in mocked.calls if c.request.url.startswith(BASE)]
    assert call.request.headers["sc-user-id"] == USER_ID


@pytest.mark.parametrize("name", ["battery", "fuel", "charge"])
def test_a_read_of_several_signals_is_one_signals_call(
    vehicle: Vehicle, mocked: responses.RequestsMock, name: str
) -> None:
    serve_signals(mocked, SEED_SIGNALS)
    getattr(vehicle, name)()
    assert vehicle_calls(mocked) == [SIGNALS]


def test_signal_uses_the_single_signal_endpoint(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    serve_signals(mocked, SEED_SIGNALS)
    assert vehicle.signal("charge-ischarging").value is True
    assert vehicle_calls(mocked) == [f"{SIGNALS}/charge-ischarging"]


def test_a_signal_the_vehicle_lacks_is_not_capable(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.GET,
        f"{SIGNALS}/internalcombustionengine-oillife",
        status=404,
        json=v3_error(404, "RESOURCE_NOT_FOUND", "SIGNAL_NOT_FOUND", "Signal not found"),
    )
    with pytest.raises(smartcar.VehicleNotCapableException, match="oillife"):
        vehicle.oil()


def test_a_vehicle_not_found_stays_resource_not_found(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.GET,
        f"{SIGNALS}/odometer-traveleddistance",
        status=404,
        json=v3_error(404, "RESOURCE_NOT_FOUND", "PATH", "No such vehicle"),
    )
    with pytest.raises(smartcar.ResourceNotFoundException):
        vehicle.odometer()


def test_snapshot_in_imperial_follows_the_vehicle(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    serve_signals(mocked, SEED_SIGNALS)
    snapshot = client.vehicle(VEHICLE_ID, USER_ID, "imperial").snapshot()
    assert snapshot.unit_system == "imperial"
    assert snapshot.odometer()["data"]["distance"] == pytest.approx(1000.0)


def test_snapshot_over_any_mapping_sends_nothing(mocked: responses.RequestsMock) -> None:
    signals = {
        "odometer-traveleddistance": smartcar.v3.parse_signal(
            signal("odometer-traveleddistance", {"value": 10, "unit": "km"})
        )
    }
    snapshot = Snapshot(signals, unit_system="metric", request_id="evt-1")
    assert snapshot.odometer()["data"] == {"distance": 10}
    assert snapshot.odometer().request_id == "evt-1"
    with pytest.raises(smartcar.VehicleNotCapableException):
        snapshot.battery()
    assert list(mocked.calls) == []
    assert repr(snapshot) == "Snapshot(1 signals, unit_system='metric')"


@pytest.mark.parametrize("make", [lambda: Snapshot({}, unit_system="si")])
def test_snapshot_checks_its_unit_system(make: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match="unit_system"):
        make()
