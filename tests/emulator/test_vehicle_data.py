"""vehicle_data: reads, capability and permission checks, commands."""

from __future__ import annotations

import datetime

import pytest

from smartcar.emulator import vehicle_data
from smartcar.emulator.fleet import build_vehicle
from smartcar.emulator.problems import Problem

NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
ALL = tuple(sorted({read.permission for read in vehicle_data.READS.values()}))


def test_reads_convert_units() -> None:
    car = build_vehicle(0, "a@example.com", 0, NOW, kind="gas")
    metric, has_units = vehicle_data.read(vehicle_data.READS, ALL, car, "/fuel", False)
    imperial, _ = vehicle_data.read(vehicle_data.READS, ALL, car, "/fuel", True)
    assert has_units and metric["amountRemaining"] > imperial["amountRemaining"]


def test_capability_and_permission_problems() -> None:
    gas = build_vehicle(0, "a@example.com", 0, NOW, kind="gas")
    with pytest.raises(Problem) as raised:
        vehicle_data.read(vehicle_data.READS, ALL, gas, "/battery", False)
    assert (raised.value.type, raised.value.code) == ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    nissan = build_vehicle(0, "a@example.com", 1, NOW, make="NISSAN")
    with pytest.raises(Problem) as smartcar:
        vehicle_data.read(vehicle_data.READS, ALL, nissan, "/tires/pressure", False)
    assert smartcar.value.code == "SMARTCAR_NOT_CAPABLE"
    with pytest.raises(Problem) as permission:
        vehicle_data.read(vehicle_data.READS, ("read_vin",), gas, "/odometer", False)
    assert permission.value.status == 403


def test_commands_change_state_or_refuse() -> None:
    car = build_vehicle(0, "a@example.com", 2, NOW, kind="electric")
    vehicle_data.perform(car, "UNLOCK")
    assert car.locked is False
    car.is_plugged_in = False
    with pytest.raises(Problem) as raised:
        vehicle_data.perform(car, "START")
    assert raised.value.code == "CHARGING_PLUG_NOT_CONNECTED" and raised.value.status == 409
    car.is_plugged_in, car.battery_percent = True, 0.5
    vehicle_data.perform(car, "START")
    assert car.charging
