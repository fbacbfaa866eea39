"""``AsyncClient.sweep()`` (smartcar/v3/_async_sweep.py): at most ``concurrency`` reads in
flight, each vehicle once, failures as results, a 429 delays only its vehicle, shards."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Dict, List

import pytest

from smartcar._core import Request
from smartcar.exceptions import SmartcarException
from smartcar.testing import Answer, AsyncMockTransport
from smartcar.v3 import AsyncClient
from smartcar.v3._sweep import in_shard

from .support import CLIENT_ID, CLIENT_SECRET, IAM, SEED_SIGNALS, signal_list, token_body, v3_error
from .test_client import connection_resource, page

pytestmark = pytest.mark.anyio

_VEHICLE = re.compile(r"/vehicles/(vehicle-\d+)/signals")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Fleet:
    """``size`` connections; each read takes ``latency``; ``answers`` scripts some vehicles."""

    def __init__(self, size: int, latency: float = 0.01) -> None:
        self.resources = [connection_resource(i) for i in range(size)]
        self.latency = latency
        self.in_flight = 0
        self.most_in_flight = 0
        self.reads: Dict[str, List[float]] = {}
        self.answers: Dict[str, List[Answer]] = {}

    async def __call__(self, request: Request) -> Any:
        if request.url == IAM:
            return Answer(200, token_body())
        found = _VEHICLE.search(request.url)
        if found is None:  # a page of connections, 100 at a time
            number = int(request.url.split("page%5Bnumber%5D=")[1].split("&")[0])
            start = (number - 1) * 100
            items = self.resources[start : start + 100]
            return Answer(200, page(items, number, 100, len(self.resources), "page"))
        vehicle = found.group(1)
        self.reads.setdefault(vehicle, []).append(time.monotonic())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        scripted = self.answers.get(vehicle)
        if scripted:
            return scripted.pop(0)
        return Answer(200, signal_list(SEED_SIGNALS))


def client_on(fleet: Fleet) -> AsyncClient:
    return AsyncClient(CLIENT_ID, CLIENT_SECRET, session=AsyncMockTransport(fleet))


async def test_every_vehicle_is_read_once_with_at_most_concurrency_in_flight() -> None:
    fleet = Fleet(250)
    results = [result async for result in client_on(fleet).sweep(concurrency=16)]
    assert sorted(result.vehicle_id for result in results) == sorted(
        f"vehicle-{i}" for i in range(250)
    )
    assert all(result.ok and result.attempts == 1 for result in results)
    assert all(len(times) == 1 for times in fleet.reads.values())
    assert 8 <= fleet.most_in_flight <= 16


async def test_codes_keep_only_the_signals_asked_for() -> None:
    fleet = Fleet(3)
    sweep = client_on(fleet).sweep(["odometer-traveleddistance"], concurrency=2)
    results = [result async for result in sweep]
    assert all(set(result.signals or {}) == {"odometer-traveleddistance"} for result in results)


async def test_one_vehicles_failure_is_its_result_and_the_sweep_goes_on() -> None:
    fleet = Fleet(10)
    fleet.answers["vehicle-3"] = [Answer(500, v3_error(500, "SERVER", "INTERNAL", "boom"))]
    results = {result.vehicle_id: result async for result in client_on(fleet).sweep()}
    assert len(results) == 10
    failed = results["vehicle-3"]
    assert not failed.ok and isinstance(failed.error, SmartcarException)
    assert failed.error.status_code == 500 and failed.attempts == 1
    assert all(result.ok for vehicle, result in results.items() if vehicle != "vehicle-3")


async def test_a_429_delays_only_that_vehicle() -> None:
    fleet = Fleet(20, latency=0.005)
    limited = Answer(429, v3_error(429, "RATE_LIMIT", "VEHICLE", "slow"), {"Retry-After": "1"})
    fleet.answers["vehicle-0"] = [limited]
    started = time.monotonic()
    order = [result async for result in client_on(fleet).sweep(concurrency=4)]
    assert order[-1].vehicle_id == "vehicle-0" and order[-1].ok and order[-1].attempts == 2
    others = [result for result in order if result.vehicle_id != "vehicle-0"]
    assert len(others) == 19
    first, second = fleet.reads["vehicle-0"]
    assert second - first >= 0.95
    assert max(times[0] for vehicle, times in fleet.reads.items() if vehicle != "vehicle-0") < (
        started + 0.9
    )


async def test_a_malformed_answer_is_that_vehicles_failure() -> None:
    fleet = Fleet(6)
    fleet.answers["vehicle-2"] = [Answer(200, content=b"<html>maintenance</html>")]
    fleet.answers["vehicle-4"] = [Answer(200, {"data": "not a list"})]
    results = {result.vehicle_id: result async for result in client_on(fleet).sweep()}
    for vehicle in ("vehicle-2", "vehicle-4"):
        error = results[vehicle].error
        assert isinstance(error, SmartcarException) and error.error == "invalid_response"
        assert error.status_code == 200 and results[vehicle].attempts == 1
    ok = sorted(vehicle for vehicle, result in results.items() if result.ok)
    assert ok == ["vehicle-0", "vehicle-1", "vehicle-3", "vehicle-5"]


async def test_answers_are_built_into_results_one_at_a_time_as_they_are_handed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 40 reads answered at the same moment: each answer becomes its result (JSON parsed,
    # signals built) just before that result is handed out, not all 40 at once while the
    # first is handed out.
    from smartcar.v3 import async_client

    events: List[str] = []
    build = async_client.kept_signals

    def logged(response: Any) -> Any:
        events.append("built")
        return build(response)

    monkeypatch.setattr(async_client, "kept_signals", logged)
    fleet = Fleet(40, latency=0.05)
    async for result in client_on(fleet).sweep(concurrency=40):
        assert result.ok
        events.append("handed out")
    assert events == ["built", "handed out"] * 40


async def test_a_vehicles_second_page_of_signals_is_read_before_its_result() -> None:
    fleet = Fleet(3)
    first = signal_list(SEED_SIGNALS[:1], pageSize=1, totalCount=2)
    first["links"] = {"next": "/vehicles/vehicle-1/signals?page=2&pageSize=1"}
    second = signal_list(SEED_SIGNALS[1:2], page=2, pageSize=1, totalCount=2)
    fleet.answers["vehicle-1"] = [Answer(200, first), Answer(200, second)]
    results = {result.vehicle_id: result async for result in client_on(fleet).sweep()}
    codes = [signal["attributes"]["code"] for signal in SEED_SIGNALS[:2]]
    assert sorted(results["vehicle-1"].signals or {}) == sorted(codes)
    assert len(fleet.reads["vehicle-1"]) == 2 and results["vehicle-1"].attempts == 1


async def test_shards_cover_the_fleet_exactly_once() -> None:
    fleet = Fleet(60, latency=0.0)
    seen: List[str] = []
    for k in range(3):
        async for result in client_on(fleet).sweep(shard=(k, 3)):
            assert in_shard(result.vehicle_id, (k, 3))
            seen.append(result.vehicle_id)
    assert sorted(seen) == sorted(f"vehicle-{i}" for i in range(60))


async def test_stopping_early_cancels_the_reads_in_flight() -> None:
    fleet = Fleet(100, latency=0.05)
    sweep = client_on(fleet).sweep(concurrency=10)
    async for _ in sweep:
        break
    await sweep.aclose()  # type: ignore[attr-defined]
    await asyncio.sleep(0.01)
    assert fleet.in_flight == 0 and len(fleet.reads) <= 20


async def test_bad_arguments_are_refused_at_the_call() -> None:
    client = client_on(Fleet(1))
    with pytest.raises(ValueError):
        client.sweep(concurrency=0)
    with pytest.raises(ValueError):
        client.sweep(shard=(3, 3))
