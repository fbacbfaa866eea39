"""The wire variants the emulator can serve (times as epoch seconds, milliseconds or ISO-8601;
commands answered 202) read the same through the SDK."""

from __future__ import annotations

import datetime

import pytest

import smartcar.v3
from smartcar.emulator import Emulator


@pytest.mark.parametrize("time_format", ["seconds", "milliseconds", "iso"])
def test_signal_times_in_every_format(
    emu: Emulator, client: smartcar.v3.Client, user_id: str, time_format: str
) -> None:
    emu.v3.time_format = time_format
    emu.clock.freeze()  # two reads, same times
    sim = emu.vehicles()[0]
    vehicle = client.vehicle(sim.id, user_id)
    vin = vehicle.signal("vehicleidentification-vin")
    now = emu.clock.now()
    assert vin.retrieved_at is not None and vin.oem_updated_at is not None
    assert vin.retrieved_at.utcoffset() == datetime.timedelta(0)
    assert abs((vin.retrieved_at - now).total_seconds()) < 2
    assert vin.oem_updated_at <= vin.retrieved_at
    odometer = vehicle.odometer()
    assert odometer["age"] == vehicle.signals()["odometer-traveleddistance"].oem_updated_at


def test_commands_answered_202_read_like_200(
    emu: Emulator, client: smartcar.v3.Client, user_id: str
) -> None:
    emu.v3.command_status = 202
    sim = emu.vehicles()[0]
    sim.locked = True
    execution = client.vehicle(sim.id, user_id).unlock()
    assert (execution["status"], execution["status_code"]) == ("SUCCESS", 202)
    assert sim.locked is False
    assert len(emu.requests("/v3/vehicles/*/commands/security/unlock")) == 1
