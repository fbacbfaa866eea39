"""Load test: many threads, one process, one pooled SDK, the emulator on loopback.

Usage::

    .venv/bin/python benchmarks/load.py                      # 32 x 500 calls, then 50,000 calls
    .venv/bin/python benchmarks/load.py --threads 8 --calls 100 --memory-calls 0
    .venv/bin/python benchmarks/load.py --api-version 1.0    # one API version only

Both runs are made on every API version (v1.0 and v2.0, the emulator serves both on one
origin and one state), each with ``smartcar.Vehicle(..., version=...)``.

Each thread is a different user (its own tokens from ``emulator.issue_tokens``) driving its own
vehicle, and alternates the unit system from call to call. Every answer is checked against
the caller's own vehicle in the emulator (the clock is frozen, so values do not drift): an
odometer in the requested unit, the vehicle's own id from ``info()``, its own VIN. A wrong
value is cross-talk; an exception is an error.

Connections opened: the emulator's server-side count of accepted TCP connections
(``Emulator.connections_accepted``), taken before and after the run.

Memory: every thread waits at a barrier halfway through, at three quarters and at the end;
while they wait, the process's Python heap (``tracemalloc``, when ``--trace``) and resident
set size are measured after a ``gc.collect()``. "Flat" means no steady growth: growth that
recurs in both quarters of the second half (a one-off allocation lands in one quarter only).
The emulator's request log is capped during the run so that the emulator's own bookkeeping
does not count as growth.

Run ``--memory-calls N`` (default 50,000) for the long memory-flatness run.
The exit status is 1 if any call failed or returned someone else's data.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence

import smartcar
from smartcar.emulator import Emulator
from smartcar.emulator.fleet import KM_PER_MILE

UNIT_SYSTEMS = ("metric", "imperial")
API_VERSIONS = ("1.0", "2.0")  # the versions a run covers by default
LOG_CAP = 256  # request-log records the emulator keeps during a run (full before halfway)
MAX_SAMPLES = 5  # error and mismatch descriptions kept for the report


@dataclass
class LoadReport:
    """The figures of one run."""

    threads: int
    calls: int
    errors: int
    mismatches: int
    connections_opened: int
    duration_s: float
    calls_per_s: float
    rss_start_kib: int
    rss_half_kib: int
    rss_end_kib: int
    heap_half_kib: Optional[int]
    heap_three_quarters_kib: Optional[int]
    heap_end_kib: Optional[int]
    samples: List[str] = field(default_factory=list)
    api_version: str = "1.0"

    @property
    def rss_growth_kib(self) -> int:
        """Resident set growth over the second half of the calls."""
        return self.rss_end_kib - self.rss_half_kib

    @property
    def heap_growth_kib(self) -> Optional[int]:
        """Traced Python heap growth over the second half of the calls."""
        if self.heap_half_kib is None or self.heap_end_kib is None:
            return None
        return self.heap_end_kib - self.heap_half_kib

    @property
    def heap_steady_growth_kib(self) -> Optional[int]:
        """Heap growth that recurs in both quarters of the second half, scaled to the half.

        A leak grows the heap in every quarter; a one-off allocation (a cache filling, a
        container resizing) lands in one quarter only and does not count here.
        """
        if None in (self.heap_half_kib, self.heap_three_quarters_kib, self.heap_end_kib):
            return None
        assert self.heap_half_kib is not None and self.heap_three_quarters_kib is not None
        assert self.heap_end_kib is not None
        third_quarter = self.heap_three_quarters_kib - self.heap_half_kib
        fourth_quarter = self.heap_end_kib - self.heap_three_quarters_kib
        return 2 * min(third_quarter, fourth_quarter)

    def lines(self) -> List[str]:
        heap = (
            f"{self.heap_half_kib} -> {self.heap_end_kib} KiB "
            f"(second half: {self.heap_growth_kib:+d} KiB; "
            f"steady growth: {self.heap_steady_growth_kib:+d} KiB)"
            if self.heap_growth_kib is not None and self.heap_steady_growth_kib is not None
            else "not traced (use --trace)"
        )
        rows = [
            f"API version:        {self.api_version}",
            f"calls:              {self.calls}",
            f"threads:            {self.threads}",
            f"errors:             {self.errors}",
            f"cross-talk:         {self.mismatches}",
            f"connections opened: {self.connections_opened}"
            + (
                "  (the pool's open connections were reused)" if not self.connections_opened else ""
            ),
            f"duration:           {self.duration_s:.2f} s",
            f"calls/s:            {self.calls_per_s:.0f}",
            f"memory (RSS):       start {self.rss_start_kib} KiB, half {self.rss_half_kib} KiB, "
            f"end {self.rss_end_kib} KiB (second half: {self.rss_growth_kib:+d} KiB)",
            f"memory (heap):      {heap}",
        ]
        rows.extend(f"sample:             {sample}" for sample in self.samples)
        return rows


def rss_kib() -> int:
    """This process's resident set size in KiB (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class _Driver:
    """One simulated user: its token, its vehicle and the answers that vehicle must give."""

    index: int
    vehicle_id: str
    token: str
    vin: str
    distance: Dict[str, float]


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.errors = 0
        self.mismatches = 0
        self.samples: List[str] = []

    def add(self, error: bool, text: str) -> None:
        with self.lock:
            if error:
                self.errors += 1
            else:
                self.mismatches += 1
            if len(self.samples) < MAX_SAMPLES:
                self.samples.append(text)


def _drivers(emu: Emulator, threads: int) -> List[_Driver]:
    drivers = []
    for index in range(threads):
        user = f"load-{index}@example.com"
        tokens = emu.issue_tokens(
            scope=["read_vehicle_info", "read_vin", "read_odometer"], user=user
        )
        sim = emu.vehicles(user)[0]
        km = sim.odometer_km
        drivers.append(
            _Driver(
                index,
                sim.id,
                tokens["access_token"],
                sim.vin,
                {"metric": round(km, 1), "imperial": round(km / KM_PER_MILE, 1)},
            )
        )
    return drivers


def _one_call(vehicle: smartcar.Vehicle, driver: _Driver, call: int) -> Optional[str]:
    """Make call number ``call`` of this driver; return what was wrong with it, if anything."""
    unit = UNIT_SYSTEMS[(call + driver.index) % 2]
    vehicle.set_unit_system(unit)
    kind = call % 3
    if kind == 0:
        odometer = vehicle.odometer()
        got = (odometer["unit_system"], odometer["data"]["distance"])
        want = (unit, driver.distance[unit])
        if got != want:
            return f"odometer {got} for {want}"
        # The thread's last request id is the one of its own last answer.
        same = odometer.request_id == smartcar.last_request_id() is not None
        return None if same else f"request id {odometer.request_id} vs {smartcar.last_request_id()}"
    if kind == 1:
        vehicle_id = vehicle.info()["id"]
        return None if vehicle_id == driver.vehicle_id else f"info id {vehicle_id}"
    vin = vehicle.vin()
    return None if vin == driver.vin else f"vin {vin}"


def run_load(
    emu: Emulator,
    threads: int = 32,
    calls_per_thread: int = 500,
    trace: bool = False,
    api_version: str = "1.0",
) -> LoadReport:
    """Run ``threads`` x ``calls_per_thread`` checked calls on API ``api_version`` against
    ``emu``; return the figures."""
    if calls_per_thread < 4:
        raise ValueError("calls_per_thread must be at least 4 (memory is sampled by quarters)")
    previous_cap = emu.app.log_limit
    emu.app.log_limit = LOG_CAP
    emu.clock.freeze()
    drivers = _drivers(emu, threads)
    tally = _Tally()
    marks: Dict[str, float] = {}
    memory: Dict[str, Optional[int]] = {}

    def measure(name: str) -> None:
        gc.collect()
        memory[f"rss_{name}"] = rss_kib()
        memory[f"heap_{name}"] = tracemalloc.get_traced_memory()[0] // 1024 if trace else None
        marks[name] = time.perf_counter()

    start = threading.Barrier(threads, action=lambda: measure("start"))
    half = threading.Barrier(threads, action=lambda: measure("half"))
    three_quarters = threading.Barrier(threads, action=lambda: measure("three_quarters"))
    end = threading.Barrier(threads, action=lambda: measure("end"))

    def work(driver: _Driver) -> None:
        vehicle = smartcar.Vehicle(driver.vehicle_id, driver.token, version=api_version)
        start.wait()
        for call in range(calls_per_thread):
            if call == calls_per_thread // 2:
                half.wait()
            if call == calls_per_thread * 3 // 4:
                three_quarters.wait()
            try:
                problem = _one_call(vehicle, driver, call)
            except Exception as error:  # counted, never fatal: the run goes on
                tally.add(True, f"{type(error).__name__}: {error}")
                continue
            if problem is not None:
                tally.add(False, f"thread {driver.index}: {problem}")
        end.wait()

    if trace:
        tracemalloc.start()
    connections_before = emu.connections_accepted
    workers = [
        threading.Thread(target=work, args=(driver,), name=f"load-{driver.index}")
        for driver in drivers
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        if trace:
            tracemalloc.stop()
        emu.clock.unfreeze()
        emu.app.log_limit = previous_cap
    calls = threads * calls_per_thread
    duration = marks["end"] - marks["start"]
    return LoadReport(
        threads=threads,
        calls=calls,
        errors=tally.errors,
        mismatches=tally.mismatches,
        connections_opened=emu.connections_accepted - connections_before,
        duration_s=duration,
        calls_per_s=calls / duration if duration > 0 else 0.0,
        rss_start_kib=memory["rss_start"] or 0,
        rss_half_kib=memory["rss_half"] or 0,
        rss_end_kib=memory["rss_end"] or 0,
        heap_half_kib=memory["heap_half"],
        heap_three_quarters_kib=memory["heap_three_quarters"],
        heap_end_kib=memory["heap_end"],
        samples=tally.samples,
        api_version=api_version,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--calls", type=int, default=500, help="calls per thread")
    parser.add_argument(
        "--memory-calls",
        type=int,
        default=50_000,
        help="total calls of the memory-flatness run (0: skip it)",
    )
    parser.add_argument(
        "--api-version",
        action="append",
        choices=("1.0", "2.0"),
        help=f"API version to load (repeatable; default: {', '.join(API_VERSIONS)})",
    )
    parser.add_argument("--trace", action="store_true", help="also trace the Python heap")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)

    runs = [("load", args.calls)]
    if args.memory_calls:
        runs.append(("memory", -(-args.memory_calls // args.threads)))
    failed = False
    with Emulator() as emu:
        for version in args.api_version or API_VERSIONS:
            for title, per_thread in runs:
                report = run_load(
                    emu, args.threads, per_thread, trace=args.trace, api_version=version
                )
                failed = failed or bool(report.errors or report.mismatches)
                if args.json:
                    data = dict(asdict(report), run=title)
                    data.update(rss_growth_kib=report.rss_growth_kib)
                    print(json.dumps(data))
                else:
                    print(
                        f"== v{version} {title} run: {args.threads} threads x {per_thread} calls =="
                    )
                    print("\n".join(report.lines()))
                sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
