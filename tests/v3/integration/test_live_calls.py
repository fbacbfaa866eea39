"""Against the emulator over loopback: what each read costs (request counts from the
emulator's log), the snapshot's reads equal to the vehicle's, the charge-port commands, charge
schedules read back through ``charge-chargetimers``, and the ``request()`` escape hatch."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

import smartcar
import smartcar.v3
from smartcar.emulator import Emulator

READS = ("odometer", "battery", "location", "fuel", "charge", "oil", "tire_pressure",
         "battery_capacity", "vin")  # fmt: skip


def vehicle_requests(emu: Emulator, vehicle_id: str) -> List[Tuple[str, str]]:
    prefix = f"/v3/vehicles/{vehicle_id}"
    return [(r.method, r.path) for r in emu.request_log if r.path.startswith(prefix)]


def outcome(read: Any) -> Any:
    """A read's result, or the class of what it raised."""
    try:
        return read()
    except smartcar.SmartcarException as error:
        return type(error)


@pytest.mark.parametrize("kind", ["gas", "hybrid", "electric"])
def test_a_snapshot_is_one_request_for_every_seed_read(
    emu: Emulator, client: smartcar.v3.Client, user_id: str, kind: str
) -> None:
    emu.clock.freeze()  # the reads below happen at different instants: same data, same ages
    sim = next(v for v in emu.vehicles() if v.kind == kind)
    vehicle = client.vehicle(sim.id, user_id)
    emu.request_log.clear()
    snapshot = vehicle.snapshot()
    from_snapshot: Dict[str, Any] = {name: outcome(getattr(snapshot, name)) for name in READS}
    assert vehicle_requests(emu, sim.id) == [("GET", f"/v3/vehicles/{sim.id}/signals")]
    assert from_snapshot["vin"] == sim.vin
    direct = {name: outcome(getattr(vehicle, name)) for name in READS}
    assert from_snapshot == direct
    assert len(vehicle_requests(emu, sim.id)) == 1 + len(READS)


def test_each_read_costs_one_request_on_the_right_endpoint(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    vehicle = client.vehicle(sim.id, user_id)
    base = f"/v3/vehicles/{sim.id}/signals"
    expected = {
        "vin": f"{base}/vehicleidentification-vin",
        "odometer": f"{base}/odometer-traveleddistance",
        "location": f"{base}/location-preciselocation",
        "tire_pressure": f"{base}/wheel-tires",
        "battery_capacity": f"{base}/tractionbattery-nominalcapacity",
        "battery": base,
        "charge": base,
    }
    for name, path in expected.items():
        emu.request_log.clear()
        getattr(vehicle, name)()
        assert vehicle_requests(emu, sim.id) == [("GET", path)], name
    emu.request_log.clear()
    assert vehicle.signal("charge-ischarging").code == "charge-ischarging"
    assert vehicle_requests(emu, sim.id) == [("GET", f"{base}/charge-ischarging")]


def test_fuel_on_an_electric_car_is_not_capable(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    with pytest.raises(smartcar.VehicleNotCapableException):
        client.vehicle(sim.id, user_id).fuel()


def test_open_and_close_the_charge_port(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    vehicle = client.vehicle(sim.id, user_id)
    opened = vehicle.open_charge_port()
    assert (opened["status"], opened["command_type"]) == ("SUCCESS", "charge-port-open")
    assert sim.charge_port_open is True
    assert vehicle.signal("charge-ischargingportflapopen").value is True
    assert vehicle.close_charge_port()["command_type"] == "charge-port-close"
    assert vehicle.signal("charge-ischargingportflapopen").value is False
    gas = next(v for v in emu.vehicles() if v.kind == "gas")
    with pytest.raises(smartcar.VehicleNotCapableException):
        client.vehicle(gas.id, user_id).open_charge_port()


def test_charge_schedules_set_read_back_and_delete(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    sim.make = "TESLA"  # Smartcar supports every schedule kind on Tesla only
    vehicle = client.vehicle(sim.id, user_id)
    daily = vehicle.set_daily_charge_schedule(37.7749, -122.4194, "08:00", "10:00")
    weekly = vehicle.set_weekly_charge_schedule(1.5, 2.5, {"monday": ("01:00", "05:00")})
    workweek = vehicle.set_workweek_charge_schedule(
        -33.9, 151.2, ("00:30", "06:00"), ("09:00", "12:00")
    )
    made = {e["schedule_type"]: e["schedule_id"] for e in (daily, weekly, workweek)}
    assert set(made) == {"daily", "weekly", "workweek"}
    assert daily["parameters"] == {
        "location": {"latitude": 37.7749, "longitude": -122.4194},
        "startTime": "08:00",
        "stopTime": "10:00",
    }
    timers = vehicle.signal("charge-chargetimers").body["values"]
    assert {t["scheduleType"]: t["scheduleId"] for t in timers} == made
    deleted = vehicle.delete_charge_schedule(made["weekly"])
    assert (deleted["action"], deleted["schedule_id"]) == ("delete", made["weekly"])
    remaining = vehicle.signal("charge-chargetimers").body["values"]
    assert {t["scheduleId"] for t in remaining} == {made["daily"], made["workweek"]}
    with pytest.raises(smartcar.ResourceNotFoundException):
        vehicle.delete_charge_schedule(made["weekly"])


def test_a_make_without_schedules_and_a_bad_body(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    vehicle = client.vehicle(sim.id, user_id)
    with pytest.raises(smartcar.VehicleNotCapableException):
        vehicle.set_weekly_charge_schedule(0, 0, {"friday": ("18:00", "22:00")})
    emu.request_log.clear()
    with pytest.raises(ValueError, match="stop_time"):
        vehicle.set_daily_charge_schedule(0, 0, "08:00", "25:00")
    assert vehicle_requests(emu, sim.id) == []


def test_request_reaches_any_endpoint_with_the_usual_errors(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    sim = next(v for v in emu.vehicles() if v.kind == "electric")
    vehicle = client.vehicle(sim.id, user_id)
    answer = vehicle.request("GET", "signals/tractionbattery-stateofcharge")
    assert answer.status_code == 200
    assert smartcar.v3.parse_signal(answer.body).value == pytest.approx(
        sim.battery_percent * 100, abs=0.5
    )
    posted = vehicle.request("POST", "commands/security/lock")
    assert posted.body["data"]["attributes"]["status"]["value"] == "SUCCESS"
    assert sim.locked is True
    listed = client.request("GET", "connections", headers={"sc-user-id": user_id})
    assert {c["relationships"]["vehicle"]["data"]["id"] for c in listed.body["data"]} == {
        v.id for v in emu.vehicles()
    }
    with pytest.raises(smartcar.ResourceNotFoundException):
        vehicle.request("GET", "signals/no-such-signal")
