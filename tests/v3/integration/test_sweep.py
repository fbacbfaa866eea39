"""Client.sweep against the emulator over loopback: every vehicle once, shards, faults, 429s."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import smartcar.v3
from smartcar.emulator import Emulator
from smartcar.exceptions import MonthlyLimitExceeded, StateException

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


def test_a_sweep_with_monthly_limit_stops_calling_spent_vehicles(
    emu: Emulator, fleet: List[str], signal_reads: Any
) -> None:
    client = smartcar.v3.Client(emu.client_id, emu.client_secret, monthly_limit=2)
    spent = fleet[3]
    emu.faults.add(f"/v3/vehicles/{spent}/signals", status=430, count=None)
    emu.request_log.clear()
    first = {r.vehicle_id: r for r in client.sweep(concurrency=8)}
    assert len(first) == FLEET
    assert isinstance(first[spent].error, MonthlyLimitExceeded)
    assert first[spent].error.status_code == 430
    assert sum(r.ok for r in first.values()) == FLEET - 1
    second = {r.vehicle_id: r for r in client.sweep(concurrency=8)}
    assert second[spent].error is not None and second[spent].error.error == "vehicle_spent"
    assert sum(r.ok for r in second.values()) == FLEET - 1
    reads = signal_reads(emu)
    assert reads[spent] == 1  # the 430, then no request for it
    assert {reads[v] for v in fleet if v != spent} == {2}
    # Every other vehicle is at its monthly_limit of 2: the third sweep sends no read at all.
    third = list(client.sweep(concurrency=8))
    assert len(third) == FLEET and not any(r.ok for r in third)
    limited = [r.error for r in third if r.vehicle_id != spent]
    assert {getattr(error, "error", None) for error in limited} == {"monthly_limit_reached"}
    assert signal_reads(emu) == reads
    assert client.calls_this_month(fleet[0]) == 2 and client.calls_this_month(spent) == 0


def test_an_app_wide_429_pauses_the_whole_sweep_once(
    emu: Emulator, fleet: List[str], signal_reads: Any
) -> None:
    client = smartcar.v3.Client(emu.client_id, emu.client_secret)
    emu.faults.add(
        "/v3/vehicles/*/signals", status=429, code="SMARTCAR_API", retry_after=2, count=1
    )
    emu.request_log.clear()
    results = list(client.sweep(concurrency=8))
    assert len(results) == FLEET and all(r.ok for r in results)
    reads = [r for r in emu.request_log if r.path.endswith("/signals")]
    (refused,) = [r for r in reads if r.status == 429]
    paused_at = refused.time + refused.duration
    # Reads already under way may land just after the 429; none starts during the pause.
    during = [r for r in reads if paused_at + 0.5 < r.time < paused_at + 1.9]
    assert during == []
    # The 429 was the first read: (nearly) the whole fleet was read after the pause.
    assert len([r for r in reads if r.time >= paused_at + 1.9]) >= FLEET - 8
    assert signal_reads(emu)[refused.vehicle_id] == 2  # read again once the pause was over
    assert sum(signal_reads(emu).values()) == FLEET + 1
