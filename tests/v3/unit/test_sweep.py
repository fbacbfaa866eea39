"""The fleet sweep engine (smartcar.v3._sweep), driven with in-process connections and readers."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, Iterator, List, Mapping

import pytest

from smartcar.api import RetryPolicy
from smartcar.exceptions import RateLimitingException, SmartcarException
from smartcar.v3._sweep import SweepProgress, in_shard, sweep


def fleet(n: int) -> List[Dict[str, str]]:
    return [{"vehicle_id": f"vehicle-{i:05d}", "user_id": f"user-{i % 7}"} for i in range(n)]


class Reader:
    """Counts reads per vehicle and the most reads in flight at once."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.reads: Dict[str, int] = {}

    def __call__(self, connection: Mapping[str, str]) -> Mapping[str, Any]:
        vehicle_id = connection["vehicle_id"]
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.reads[vehicle_id] = self.reads.get(vehicle_id, 0) + 1
        try:
            time.sleep(self.latency)
            return self.signals(vehicle_id)
        finally:
            with self.lock:
                self.in_flight -= 1

    def signals(self, vehicle_id: str) -> Mapping[str, Any]:
        return {"odometer-traveleddistance": vehicle_id, "vehicleidentification-vin": "VIN"}


def test_every_connection_is_read_once_with_bounded_concurrency() -> None:
    reader = Reader(latency=0.01)
    results = list(sweep(fleet(200), reader, concurrency=8))
    assert sorted(r.vehicle_id for r in results) == [c["vehicle_id"] for c in fleet(200)]
    assert all(r.ok and r.attempts == 1 for r in results)
    assert set(reader.reads.values()) == {1}
    assert 2 <= reader.peak <= 8


def test_results_carry_the_connection_and_the_signals() -> None:
    result = next(iter(sweep(fleet(1), Reader())))
    assert result.connection == fleet(1)[0]
    assert result.user_id == "user-0"
    assert result.signals is not None
    assert result.signals["odometer-traveleddistance"] == "vehicle-00000"


def test_codes_keep_only_the_signals_asked_for() -> None:
    results = list(sweep(fleet(3), Reader(), codes=["vehicleidentification-vin", "missing-code"]))
    assert [r.signals for r in results] == [{"vehicleidentification-vin": "VIN"}] * 3


def test_shards_cover_the_fleet_exactly_once() -> None:
    vehicles = fleet(300)
    seen: List[str] = []
    sizes = []
    for k in range(4):
        shard = [r.vehicle_id for r in sweep(vehicles, Reader(), shard=(k, 4))]
        sizes.append(len(shard))
        seen += shard
    assert sorted(seen) == sorted(c["vehicle_id"] for c in vehicles)
    assert min(sizes) > 40  # a stable hash spreads the ids, no shard is empty
    assert all(sum(in_shard(v, (k, 4)) for k in range(4)) == 1 for v in seen)


def test_one_vehicles_failure_never_stops_the_sweep() -> None:
    class Failing(Reader):
        def signals(self, vehicle_id: str) -> Mapping[str, Any]:
            if vehicle_id.endswith("3"):
                raise SmartcarException("asleep", status_code=409, code="ASLEEP")
            if vehicle_id.endswith("7"):
                raise KeyError("a bug in the caller's reader")
            return super().signals(vehicle_id)

    results = {r.vehicle_id: r for r in sweep(fleet(50), Failing(), concurrency=4)}
    assert len(results) == 50
    assert results["vehicle-00003"].error is not None
    assert results["vehicle-00003"].error.code == "ASLEEP"
    assert results["vehicle-00003"].signals is None
    wrapped = results["vehicle-00007"].error
    assert isinstance(wrapped, SmartcarException) and isinstance(wrapped.__cause__, KeyError)
    assert results["vehicle-00001"].ok


class RateLimitedOnce(Reader):
    def __init__(self, limited: str, retry_after: float) -> None:
        super().__init__(latency=0.01)
        self.limited = limited
        self.retry_after = retry_after
        self.finished: Dict[str, float] = {}

    def signals(self, vehicle_id: str) -> Mapping[str, Any]:
        if vehicle_id == self.limited and self.reads[vehicle_id] == 1:
            raise RateLimitingException(
                "slow down", status_code=429, code="VEHICLE", retry_after=self.retry_after
            )
        self.finished[vehicle_id] = time.monotonic()
        return super().signals(vehicle_id)


def test_a_429_delays_only_that_vehicle_without_holding_a_worker() -> None:
    reader = RateLimitedOnce("vehicle-00000", retry_after=0.3)
    started = time.monotonic()
    results = {r.vehicle_id: r for r in sweep(fleet(10), reader, concurrency=1)}
    assert results["vehicle-00000"].ok and results["vehicle-00000"].attempts == 2
    # With one worker, the nine others were read while vehicle 0 waited out its Retry-After.
    others = [reader.finished[v] for v in results if v != "vehicle-00000"]
    assert max(others) < reader.finished["vehicle-00000"]
    assert reader.finished["vehicle-00000"] - started >= 0.3


def test_a_retry_after_over_the_cap_is_not_waited_for() -> None:
    reader = RateLimitedOnce("vehicle-00000", retry_after=3600)
    results = {
        r.vehicle_id: r for r in sweep(fleet(3), reader, policy=RetryPolicy(retry_after_cap=10))
    }
    assert isinstance(results["vehicle-00000"].error, RateLimitingException)
    assert results["vehicle-00000"].attempts == 1


def test_retries_after_429_follow_max_retries() -> None:
    class AlwaysLimited(Reader):
        def signals(self, vehicle_id: str) -> Mapping[str, Any]:
            raise RateLimitingException("slow down", status_code=429, retry_after=0.01)

    reader = AlwaysLimited()
    (result,) = sweep(fleet(1), reader, policy=RetryPolicy(max_retries=2))
    assert result.attempts == 3 and reader.reads["vehicle-00000"] == 3
    assert isinstance(result.error, RateLimitingException)


def test_the_listing_is_consumed_lazily_and_stops_when_the_caller_does() -> None:
    taken = 0

    def endless() -> Iterator[Dict[str, str]]:
        nonlocal taken
        for i in range(10**9):
            taken += 1
            yield {"vehicle_id": f"v{i}", "user_id": "u"}

    results = sweep(endless(), Reader(), concurrency=4)
    first = [next(results) for _ in range(20)]
    assert len(first) == 20
    results.close()
    time.sleep(0.5)
    after_close = taken
    time.sleep(0.3)
    assert taken == after_close  # the listing thread stopped
    assert taken < 1000  # bounded read-ahead, not the whole fleet


def test_a_listing_failure_raises_after_the_started_reads() -> None:
    def broken() -> Iterator[Dict[str, str]]:
        yield from fleet(5)
        raise SmartcarException("listing failed", status_code=500)

    got: List[str] = []
    with pytest.raises(SmartcarException, match="listing failed"):
        for result in sweep(broken(), Reader()):
            got.append(result.vehicle_id)
    assert len(got) == 5


def test_progress_is_reported_after_each_result() -> None:
    seen: List[SweepProgress] = []
    list(sweep(fleet(12), Reader(), concurrency=3, on_progress=seen.append))
    assert [p.done for p in seen] == list(range(1, 13))
    assert seen[-1].listed == 12 and seen[-1].failed == 0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"codes": "charge-voltage"}, TypeError),
        ({"codes": [1]}, TypeError),
        ({"codes": [""]}, ValueError),
        ({"concurrency": 0}, ValueError),
        ({"concurrency": True}, ValueError),
        ({"shard": (2, 2)}, ValueError),
        ({"shard": "1/2"}, ValueError),
    ],
)
def test_bad_arguments_are_refused_before_any_read(kwargs: Dict[str, Any], error: type) -> None:
    reader = Reader()
    with pytest.raises(error):
        sweep(fleet(3), reader, **kwargs)  # refused at the call, not at the first next()
    assert reader.reads == {}


def test_closing_a_sweep_abandons_the_reads_in_flight_at_once() -> None:
    released = threading.Event()
    stuck = threading.Semaphore(0)

    def read(connection: Mapping[str, str]) -> Mapping[str, Any]:
        if connection["vehicle_id"] != "vehicle-00000":
            stuck.release()
            released.wait(10)  # a read that would only end with its read timeout
        return {}

    results = sweep(fleet(50), read, concurrency=4)
    try:
        assert next(results).vehicle_id == "vehicle-00000"
        for _ in range(3):
            assert stuck.acquire(timeout=10)
        begun = time.monotonic()
        results.close()  # what a break does, or Ctrl-C while the consumer waits
        assert time.monotonic() - begun < 0.5
        workers = [t for t in threading.enumerate() if t.name.startswith("smartcar-sweep-")]
        assert workers and all(thread.daemon for thread in workers)  # never joined at exit
    finally:
        released.set()
