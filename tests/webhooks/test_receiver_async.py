"""``Receiver.ahandle``/``aforget`` from async views: the same answers as ``handle``, and a
seen-set that blocks on I/O never blocks the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any, List, Optional

import pytest

from smartcar.webhooks import MemorySeenSet, Receiver, SQLiteSeenSet

from .support import MANAGEMENT_TOKEN, encode, sign, vehicle_state, verify_v3

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SlowSeenSet:
    """A seen-set whose storage takes 0.2 s per call (a remote store), on any thread."""

    def __init__(self) -> None:
        self.inner = MemorySeenSet()
        self.threads: List[Optional[str]] = []

    def add(self, event_id: str, mark: Optional[str] = None) -> bool:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.2)
        return self.inner.add(event_id, mark)

    def discard(self, event_id: str) -> None:
        time.sleep(0.2)
        self.inner.discard(event_id)


def headers(body: bytes) -> Any:
    return {"SC-Signature": sign(body)}


async def test_the_answers_are_those_of_handle(tmp_path: Path) -> None:
    receiver = Receiver(MANAGEMENT_TOKEN, seen=SQLiteSeenSet(tmp_path / "seen.db"))
    body = encode(vehicle_state("evt-async"))
    status, answer, event = await receiver.ahandle(headers(body), body)
    assert (status, answer) == (200, {"status": "received"}) and event is not None
    assert await receiver.ahandle(headers(body), body) == (200, {"status": "duplicate"}, None)
    await receiver.aforget("evt-async")
    assert (await receiver.ahandle(headers(body), body))[2] is not None
    challenge = encode(verify_v3())
    assert (await receiver.ahandle({}, challenge))[0] == 200
    assert (await receiver.ahandle({"SC-Signature": "bad"}, body))[0] == 401


async def test_a_slow_seen_set_does_not_block_the_loop() -> None:
    seen = SlowSeenSet()
    receiver = Receiver(MANAGEMENT_TOKEN, seen=seen)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.ensure_future(tick())
    bodies = [encode(vehicle_state(f"evt-{n}")) for n in range(3)]
    results = await asyncio.gather(*(receiver.ahandle(headers(b), b) for b in bodies))
    ticker.cancel()
    assert all(event is not None for _, _, event in results)
    assert ticks >= 10  # the loop kept running while the seen-set waited
    assert threading.main_thread().name not in seen.threads
