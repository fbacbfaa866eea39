"""Client.sweep against the emulator over loopback: every vehicle once, shards, faults, 429s."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import smartcar.v3
from smartcar.emulator import Emulator
from smartcar.exceptions import StateException

FLEET = 250


@pytest.fixture
def fleet(emu: Emulator) -> List[str]:
    """A fleet of FLEET vehicles connected for one user (3 pages of 100 connections)."""
    return [vehicle.id for vehicle in emu.v3.add_vehicles(FLEET)]


def test_every_vehicle_is_read_exactly_once(
    emu: Emulator, client: smartcar.v3.Client, fleet: List[str], signal_reads: Any
) -> None:
    emu.request_log.clear()
    results = list(client.sweep(concurrency=16))
    assert sorted(r.vehicle_id for r in results) == sorted(fleet)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    reads = signal_reads(emu)
    assert set(reads) == set(fleet) and set(reads.values()) == {1}
    pages = [r for r in emu.request_log if r.path.rstrip("/") == "/v3/connections"]
    assert len(pages) == 3  # 250 connections at 100 per page: nothing else was asked
    sample = results[0].signals
    assert sample is not None and "odometer-traveleddistance" in sample
    assert isinstance(sample["odometer-traveleddistance"], smartcar.v3.Signal)


def test_codes_restrict_the_signals_kept(client: smartcar.v3.Client, fleet: List[str]) -> None:
    codes = ["odometer-traveleddistance", "vehicleidentification-vin"]
    results = list(client.sweep(codes, concurrency=8))
    assert len(results) == FLEET
    assert {tuple(sorted(r.signals or {})) for r in results} == {tuple(sorted(codes))}


def test_shards_split_the_fleet_exactly_once(
    emu: Emulator, client: smartcar.v3.Client, fleet: List[str], signal_reads: Any
) -> None:
    emu.request_log.clear()
    covered: List[str] = []
    for k in range(3):
        covered += [r.vehicle_id for r in client.sweep(shard=(k, 3), concurrency=8)]
    assert sorted(covered) == sorted(fleet)
    assert set(signal_reads(emu).values()) == {1}


def test_one_vehicles_failure_is_its_own_result(
    emu: Emulator, client: smartcar.v3.Client, fleet: List[str]
) -> None:
    asleep = fleet[7]
    emu.faults.add(f"/v3/vehicles/{asleep}/signals", status=409, code="ASLEEP", count=None)
    results: Dict[str, smartcar.v3.SweepResult] = {
        r.vehicle_id: r for r in client.sweep(concurrency=8)
    }
    assert len(results) == FLEET
    assert isinstance(results[asleep].error, StateException)
    assert results[asleep].signals is None
    assert sum(not r.ok for r in results.values()) == 1


def test_a_rate_limited_vehicle_waits_alone_and_is_read_after_its_retry_after(
    emu: Emulator, client: smartcar.v3.Client, fleet: List[str], signal_reads: Any
) -> None:
    limited = fleet[0]
    emu.faults.add(f"/v3/vehicles/{limited}/signals", status=429, retry_after=1, count=1)
    emu.request_log.clear()
    order = [r.vehicle_id for r in client.sweep(concurrency=4)]
    assert len(order) == FLEET and order.count(limited) == 1
    assert signal_reads(emu)[limited] == 2  # the 429, then the read that succeeded
    # The others went on while it waited: it is not among the first results any more.
    assert order.index(limited) > 20


def test_progress_counts_reach_the_fleet(client: smartcar.v3.Client, fleet: List[str]) -> None:
    seen: List[smartcar.v3.SweepProgress] = []
    for _ in client.sweep(concurrency=8, on_progress=seen.append):
        pass
    assert seen[-1].done == FLEET and seen[-1].failed == 0 and seen[-1].listed == FLEET
