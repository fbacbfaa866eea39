"""The Celery fleet example end to end: a real redis-server, a real Celery worker (3 processes)
and the emulator; every vehicle read exactly once, one application token for all workers, and
one pause of every worker after a burst of app-wide 429s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import redis
from redis_fixture import running_redis

from smartcar.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
FLEET = 300
SHARDS = 6


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as server:
        yield server.url


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=3, patch_const=False) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def fleet(emu: Emulator) -> List[str]:
    """FLEET connected vehicles (the only connections of the emulator)."""
    return [vehicle.id for vehicle in emu.v3.add_vehicles(FLEET)]


def example_env(emu: Emulator, redis_url: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCAR_", "FLEET_"))}
    env.update(emu.environment())
    env.update(
        SMARTCAR_CLIENT_ID=emu.client_id,
        SMARTCAR_CLIENT_SECRET=emu.client_secret,
        FLEET_REDIS_URL=redis_url,
        PYTHONPATH=str(REPO),
    )
    return env


@pytest.fixture(scope="module")
def worker(emu: Emulator, redis_url: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "examples.celery_sweep.tasks", "worker",
         "--pool", "prefork", "--concurrency", "3", "--loglevel", "WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=REPO,
        env=example_env(emu, redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_shards(emu: Emulator, redis_url: str) -> subprocess.CompletedProcess[str]:
    """Run the example's runner: SHARDS tasks for the worker; what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "examples.celery_sweep.run", "--shards", str(SHARDS),
         "--timeout", "240"],
        cwd=REPO,
        env=example_env(emu, redis_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip


def test_a_fleet_is_read_exactly_once_with_one_token_request(
    emu: Emulator,
    fleet: List[str],
    redis_url: str,
    worker: subprocess.Popen[str],
    signal_reads: Any,
) -> None:
    tokens_before = emu.v3.token_requests
    emu.request_log.clear()
    done = run_shards(emu, redis_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"total: {FLEET} vehicles, 0 failed, 0 read more than once" in done.stdout
    assert done.stdout.count("shard ") == SHARDS
    reads = signal_reads(emu)
    assert set(reads) == set(fleet)
    assert set(reads.values()) == {1}
    assert emu.v3.token_requests - tokens_before == 1
    stored = redis.Redis.from_url(redis_url).hgetall("fleet:results")
    assert len(stored) == FLEET
    summaries: List[dict] = [json.loads(value) for value in stored.values()]
    assert all(summary["ok"] and summary["signals"] for summary in summaries)
    assert worker.poll() is None  # the worker is still serving


BURST = 5
RETRY_AFTER = 2.0


def test_an_app_wide_429_burst_pauses_every_worker_once(
    emu: Emulator,
    fleet: List[str],
    redis_url: str,
    worker: subprocess.Popen[str],
    signal_reads: Any,
) -> None:
    """The first BURST reads get 429 RATE_LIMIT/SMARTCAR_API: the pause they start reaches
    every process through Redis, so no request of any worker reaches the service until it
    ends; then every vehicle is read, the refused ones once more."""
    emu.faults.add(
        "/v3/vehicles/*/signals",
        status=429,
        code="SMARTCAR_API",
        retry_after=RETRY_AFTER,
        count=BURST,
    )
    emu.request_log.clear()
    emu.latency = 0.2  # the first reads of every task are in flight together, and the sweep
    try:  # lasts long enough for the pause to matter
        done = run_shards(emu, redis_url)
    finally:
        emu.latency = 0.0
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"total: {FLEET} vehicles, 0 failed, 0 read more than once" in done.stdout
    api_requests = [r for r in emu.request_log if r.path.startswith("/v3/")]
    refused = [r for r in api_requests if r.status == 429]
    assert len(refused) == BURST
    answered = sorted(r.time + r.duration for r in refused)
    assert answered[-1] - answered[0] < 0.5  # one burst, so one pause
    # Requests already sent when the pause began land just after it; none is sent during it.
    during = [r for r in api_requests if answered[-1] + 0.3 < r.time < answered[0] + 1.9]
    assert during == [], [(r.path, r.time - answered[0]) for r in during]
    after = [r for r in api_requests if r.time >= answered[0] + 1.9]
    assert len(after) > FLEET // 2  # most of the fleet was still to read: the pause held it
    reads = signal_reads(emu)
    assert set(reads) == set(fleet)
    assert sorted(reads.values()).count(2) == BURST and max(reads.values()) == 2
