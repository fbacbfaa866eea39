"""The load test of ``benchmarks/load.py``, bounded for CI: 32 threads x 100 checked calls on
every API version the benchmark covers (v1.0, v2.0).

One process, one pooled SDK, 32 users with their own tokens and vehicles, alternating unit
systems; zero errors, zero cross-talk, at most one connection per thread (over both versions),
and a flat Python heap over the second half of the calls. ``make load`` runs the full 32 x 500
and 50,000 calls on each version.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, List

import pytest

import smartcar
from smartcar import _transport
from smartcar.emulator import Emulator

THREADS = 32
CALLS_PER_THREAD = 100
# Steady heap growth over the second half (1,600 calls here, so < 82 bytes a call); a one-off
# allocation in one quarter of it does not count (see LoadReport.heap_steady_growth_kib).
HEAP_GROWTH_BOUND_KIB = 128
RSS_GROWTH_BOUND_KIB = 8 * 1024  # a loose sanity bound; the heap bound is the real check


def _load_benchmark() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "load.py"
    spec = importlib.util.spec_from_file_location("smartcar_benchmarks_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


load = _load_benchmark()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("version", load.API_VERSIONS)
def test_32_threads_no_errors_no_cross_talk_pooled_flat_memory(emu: Emulator, version: str) -> None:
    report = load.run_load(
        emu, threads=THREADS, calls_per_thread=CALLS_PER_THREAD, trace=True, api_version=version
    )
    print("\n".join(report.lines()))
    assert report.api_version == version
    served = {record.path.split("/")[1] for record in emu.requests("/v*/vehicles/*")[-50:]}
    assert served == {"v" + version}
    assert report.calls == THREADS * CALLS_PER_THREAD
    assert (report.errors, report.mismatches) == (0, 0), report.samples
    # One pool for every version: a later version's run reuses the connections already open.
    assert report.connections_opened <= THREADS
    assert 1 <= emu.connections_accepted <= THREADS
    assert report.heap_steady_growth_kib is not None
    assert report.heap_steady_growth_kib < HEAP_GROWTH_BOUND_KIB
    assert report.rss_growth_kib < RSS_GROWTH_BOUND_KIB


def test_cross_talk_is_detected(emu: Emulator) -> None:
    """The per-call check flags an answer about another user's vehicle."""
    emu.clock.freeze()
    try:
        mine, theirs = load._drivers(emu, 2)
        wrong = smartcar.Vehicle(theirs.vehicle_id, theirs.token)
        problems = [load._one_call(wrong, mine, call) for call in range(3)]
        right = smartcar.Vehicle(mine.vehicle_id, mine.token)
        fine = [load._one_call(right, mine, call) for call in range(6)]
    finally:
        emu.clock.unfreeze()
    assert [p.split()[0] if p else None for p in problems] == ["odometer", "info", "vin"]
    assert fine == [None] * 6


def test_heap_bound_catches_a_leak(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 KiB-per-call leak in the request helper breaks the heap bound of the load test."""
    kept: List[Any] = []
    real_send = _transport.send

    def leaky_request(*args: Any, **kwargs: Any) -> Any:
        kept.append(bytearray(1024))
        return real_send(*args, **kwargs)

    monkeypatch.setattr(_transport, "send", leaky_request)
    report = load.run_load(emu, threads=8, calls_per_thread=80, trace=True)
    assert (report.errors, report.mismatches) == (0, 0), report.samples
    assert len(kept) == 640
    assert report.heap_steady_growth_kib is not None
    assert report.heap_steady_growth_kib > HEAP_GROWTH_BOUND_KIB
