"""The emulator's webhook deliveries against ``smartcar.webhooks.Receiver`` behind a loopback
HTTP server, where delivery is at-least-once: an app whose processing fails, a callback that
answers too late, answers that are lost on the way back, several worker processes.

The plain cases (VERIFY, a signed lock event, failing twice before the receiver then three
attempts and one event, 1,000 clean deliveries) are in ``test_emulator_webhooks.py``; these
tests build on them. Time is the emulator's (frozen, moved by the test), except the delivery
timeout, which is real time: the test shortens it from its 15 s default.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import pytest
from emu_support import JsonPostServer

from smartcar.emulator import Emulator
from smartcar.emulator.v3.deliveries import DEFAULT_TIMEOUT, RETRY_DELAYS
from smartcar.webhooks import Receiver, SQLiteSeenSet, VehicleStateEvent

LOCKED = "closure-islocked"


class Endpoint:
    """A webhook endpoint as an app writes it, on a real loopback port.

    Each delivery goes to ``receivers[i % len(receivers)]`` (several workers), which answers
    it; an event handed over goes to ``process`` (raising means "not processed": the event
    is forgotten and the answer is 500, so that Smartcar retries). ``after`` may then delay
    the answer (a slow app) or replace it (an answer lost on the way back).
    """

    def __init__(self, receivers: List[Receiver]) -> None:
        self.receivers = receivers
        self.processed: List[VehicleStateEvent] = []
        self.handed: List[str] = []  # event ids each time a receiver handed one over
        self.answers: List[int] = []
        self.process: Callable[[VehicleStateEvent], None] = self.processed.append
        self.after: Callable[[VehicleStateEvent], Optional[int]] = lambda event: None
        self._lock = threading.Lock()
        self._count = 0
        self._server = JsonPostServer(self.handle, "/webhooks/smartcar")
        self.url = self._server.url

    def handle(self, headers: Any, body: bytes) -> Tuple[int, Dict[str, Any]]:
        with self._lock:
            receiver = self.receivers[self._count % len(self.receivers)]
            self._count += 1
        status, answer, event = receiver.handle(headers, body)
        if isinstance(event, VehicleStateEvent):
            with self._lock:
                self.handed.append(event.event_id)
            try:
                self.process(event)
            except Exception:
                receiver.forget(event.event_id)
                status, answer = 500, {"error": "not processed"}
            else:
                replaced = self.after(event)
                if replaced is not None:
                    status, answer = replaced, {"error": "answer lost"}
        with self._lock:
            self.answers.append(status)
        return status, answer

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def frozen(emu: Emulator) -> Emulator:
    emu.clock.freeze()
    return emu


@contextlib.contextmanager
def endpoint_for(*receivers: Receiver) -> Iterator[Endpoint]:
    endpoint = Endpoint(list(receivers))
    try:
        yield endpoint
    finally:
        endpoint.close()


def subscribe_one(emu: Emulator, url: str) -> str:
    """A verified webhook on the doors, one subscribed vehicle; return its id."""
    hook = emu.v3.add_webhook("Doors", url, triggers=[LOCKED])
    assert hook.is_enabled
    user_id = emu.v3.connect()
    vehicle = emu.vehicles()[0]
    assert emu.v3.service.registry.subscribe(hook.id, user_id, vehicle.id, emu.clock.now())
    return vehicle.id


def test_the_schedule_is_25_50_100_seconds_of_emulator_time() -> None:
    assert RETRY_DELAYS == (25.0, 50.0, 100.0)
    assert DEFAULT_TIMEOUT == 15.0


def test_processing_fails_twice_then_the_third_attempt_is_handed_over(frozen: Emulator) -> None:
    emu = frozen
    failures = [RuntimeError("database down"), RuntimeError("still down")]
    with endpoint_for(Receiver(emu.v3.management_token)) as endpoint:

        def process(event: VehicleStateEvent) -> None:
            if failures:
                raise failures.pop(0)
            endpoint.processed.append(event)

        endpoint.process = process
        subscribe_one(emu, endpoint.url)
        deliveries = emu.v3.deliveries
        assert deliveries.wait()
        delivery = deliveries.log("VEHICLE_STATE")[0]
        for advance, attempts in ((24, 1), (1, 2), (49, 2), (1, 3)):
            emu.clock.advance(advance)
            assert deliveries.wait()
            assert len(delivery.attempts) == attempts, f"after +{advance} s"
        emu.clock.advance(500)
        assert deliveries.wait()
    assert delivery.state == "delivered"
    assert [attempt.status for attempt in delivery.attempts] == [500, 500, 200]
    gaps = [
        (later.at - earlier.at).total_seconds()
        for earlier, later in zip(delivery.attempts, delivery.attempts[1:])
    ]
    assert gaps == [25.0, 50.0]
    assert endpoint.handed == [delivery.event_id] * 3  # the same eventId every time
    assert [event.event_id for event in endpoint.processed] == [delivery.event_id]


def test_a_callback_that_answers_after_the_timeout_is_retried_and_not_processed_twice(
    frozen: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = frozen
    timeout, hang = 0.5, 1.5  # stands for 15 s and "past 15 s" (real time)
    monkeypatch.setattr(emu.v3.deliveries, "timeout", timeout)
    slow_once = [hang]

    def answer_late_once(event: VehicleStateEvent) -> Optional[int]:
        if slow_once:
            time.sleep(slow_once.pop())  # processed, then the answer comes too late
        return None

    with endpoint_for(Receiver(emu.v3.management_token)) as endpoint:
        endpoint.after = answer_late_once
        subscribe_one(emu, endpoint.url)
        deliveries = emu.v3.deliveries
        started = time.monotonic()
        assert deliveries.wait(timeout=10)
        delivery = deliveries.log("VEHICLE_STATE")[0]
        first = delivery.attempts[0]
        assert first.status is None and "timed out" in str(first.error)
        assert timeout <= first.latency < hang
        assert time.monotonic() - started < hang + 2
        emu.clock.advance(25)
        assert deliveries.wait(timeout=10)
    assert delivery.state == "delivered"
    assert [attempt.status for attempt in delivery.attempts] == [None, 200]
    # The app got the event on the first attempt; the retry was acknowledged as a duplicate.
    assert endpoint.handed == [delivery.event_id]
    assert [event.event_id for event in endpoint.processed] == [delivery.event_id]


def test_a_thousand_deliveries_with_lost_answers_and_two_workers(
    frozen: Emulator, tmp_path: Path
) -> None:
    emu = frozen
    seen_file = tmp_path / "seen.sqlite3"
    workers = [Receiver(emu.v3.management_token, seen=SQLiteSeenSet(seen_file)) for _ in range(2)]
    lost: Set[str] = set()
    guard = threading.Lock()

    def lose_the_first_hundred_answers(event: VehicleStateEvent) -> Optional[int]:
        # The app processed the event, but Smartcar never hears the 200 (a reset connection,
        # a proxy's 503): it delivers the event again 25 s later.
        with guard:
            if len(lost) < 100:
                lost.add(event.event_id)
                return 503
        return None

    with endpoint_for(*workers) as endpoint:
        endpoint.after = lose_the_first_hundred_answers
        emu.v3.add_vehicles(1000)
        hook = emu.v3.add_webhook("All", endpoint.url, triggers=[LOCKED], auto_subscribe=True)
        assert hook.is_enabled
        assert len(emu.v3.subscriptions(hook.id)) == 1000
        assert emu.v3.deliveries.wait(timeout=120)
        emu.clock.advance(25)
        assert emu.v3.deliveries.wait(timeout=120)
    log = emu.v3.deliveries.log("VEHICLE_STATE")
    assert len(log) == 1000
    assert all(item.state == "delivered" for item in log)
    retried = {item.event_id for item in log if len(item.attempts) == 2}
    assert retried == set(lost) and len(lost) == 100
    assert all(len(item.attempts) in (1, 2) for item in log)
    ids = [event.event_id for event in endpoint.processed]
    assert len(ids) == len(set(ids)) == 1000  # nothing lost, nothing doubled
    assert {event.vehicle.id for event in endpoint.processed} == {item.vehicle_id for item in log}
    assert endpoint.answers.count(503) == 100
    # VERIFY, 1,000 first attempts, and each lost answer's one redelivery (a duplicate).
    assert len(endpoint.answers) == 1 + 1000 + 100
    assert len(endpoint.handed) == 1000
