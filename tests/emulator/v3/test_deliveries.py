"""Webhook deliveries over loopback: VERIFY, signed VEHICLE_STATE events on trigger changes,
the retry schedule on the emulator's clock, and the delivery log."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from smartcar.emulator.v3.deliveries import Deliveries, is_loopback_url, sign
from smartcar.webhooks import Receiver

from .conftest import USER, Harness

AMT = "emulator-management-token-test"


class Callback:
    """A loopback webhook endpoint: answers VERIFY, then the scripted statuses (then 200)."""

    def __init__(self) -> None:
        self.received: List[Tuple[Dict[str, str], bytes]] = []
        self.statuses: List[int] = []
        self.hang = 0.0
        self.verify_right = True
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((dict(self.headers), body))
                payload = json.loads(body)
                if payload["eventType"] == "VERIFY":
                    challenge = payload["data"]["challenge"]
                    key = AMT if owner.verify_right else "wrong"
                    digest = hmac.new(key.encode(), challenge.encode(), hashlib.sha256)
                    self._answer(200, json.dumps({"challenge": digest.hexdigest()}).encode())
                    return
                if owner.hang:
                    time.sleep(owner.hang)
                status = owner.statuses.pop(0) if owner.statuses else 200
                self._answer(status, b"{}")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the emulator gave up (timeout test)
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def events(self, event_type: str = "VEHICLE_STATE") -> List[Dict[str, Any]]:
        found = [json.loads(body) for _, body in self.received]
        return [item for item in found if item["eventType"] == event_type]


@pytest.fixture
def callback() -> Iterator[Callback]:
    endpoint = Callback()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


@pytest.fixture
def deliveries(v3: Harness) -> Iterator[Deliveries]:
    service = v3.service
    worker = Deliveries(v3.clock, service.registry, v3.vehicles.get, service.lock, AMT)
    worker.start()
    yield worker
    worker.stop()


def _webhook(v3: Harness, deliveries: Deliveries, url: str, **options: Any) -> Any:
    hook = v3.service.add_webhook(
        "Locks", url, triggers=["closure-islocked"],
        data=["closure-islocked", "odometer-traveleddistance"], is_enabled=False, **options,
    )  # fmt: skip
    enabled = deliveries.verify(hook)
    if enabled:
        from dataclasses import replace

        hook = replace(hook, is_enabled=True)
        v3.service.registry.update_webhook(hook)
    return hook, enabled


def test_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"eventId":"e"}'
    expected = hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert sign("key", body) == expected


def test_only_loopback_callbacks() -> None:
    assert is_loopback_url("http://127.0.0.1:5000/x")
    assert is_loopback_url("http://localhost/x")
    assert is_loopback_url("https://[::1]:8443/x")
    assert not is_loopback_url("https://example.com/hook")
    assert not is_loopback_url("ftp://127.0.0.1/x")


def test_verify_activates_only_a_right_answer(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    _, enabled = _webhook(v3, deliveries, callback.url)
    assert enabled
    callback.verify_right = False
    _, enabled = _webhook(v3, deliveries, callback.url)
    assert not enabled
    _, enabled = _webhook(v3, deliveries, "http://127.0.0.1:9/closed")
    assert not enabled
    assert [item.event_type for item in deliveries.log()] == ["VERIFY"] * 3


def test_state_events_on_trigger_changes_are_signed(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    hook, _ = _webhook(v3, deliveries, callback.url)
    vehicle = v3.of_kind("gas")
    vehicle.locked = True
    v3.service.registry.subscribe(hook.id, USER, vehicle.id, v3.clock.now())
    assert deliveries.wait()
    first = callback.events()
    assert [event["triggers"] for event in first] == [[{"type": "FIRST_DELIVERY"}]]
    v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock")
    assert deliveries.wait()
    events = callback.events()
    assert len(events) == 2
    event = events[1]
    assert event["triggers"] == [
        {"type": "SIGNAL_UPDATED",
         "signal": {"name": "IsLocked", "code": "closure-islocked", "group": "Closure"}},
    ]  # fmt: skip
    assert event["data"]["user"] == {"id": USER}
    assert event["data"]["vehicle"]["id"] == vehicle.id
    signals = {item["code"]: item for item in event["data"]["signals"]}
    assert signals["closure-islocked"]["body"] == {"value": False}
    assert set(signals) == {"closure-islocked", "odometer-traveleddistance"}
    assert isinstance(signals["closure-islocked"]["meta"]["retrievedAt"], int)
    assert event["meta"]["webhookId"] == hook.id and event["meta"]["signalCount"] == 2
    receiver = Receiver(AMT)
    for headers, body in callback.received[1:]:
        assert headers["SC-Signature"] == sign(AMT, body)
        status, _, parsed = receiver.handle(headers, body)
        assert status == 200 and parsed is not None
    nothing_changed = len(callback.received)
    v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock")  # already unlocked
    assert deliveries.wait()
    assert len(callback.received) == nothing_changed


def test_retries_at_25_50_100_seconds_with_the_same_event_id(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    hook, _ = _webhook(v3, deliveries, callback.url)
    vehicle = v3.of_kind("gas")
    callback.statuses = [500, 302]  # fails twice (a redirect is a failure), then 200
    v3.service.registry.subscribe(hook.id, USER, vehicle.id, v3.clock.now())
    assert deliveries.wait()
    delivery = deliveries.log("VEHICLE_STATE")[0]
    assert (delivery.state, len(delivery.attempts)) == ("pending", 1)
    v3.clock.advance(24)
    assert deliveries.wait()
    assert len(delivery.attempts) == 1
    v3.clock.advance(1)
    assert deliveries.wait()
    assert len(delivery.attempts) == 2
    v3.clock.advance(50)
    assert deliveries.wait()
    assert delivery.state == "delivered"
    assert [item.status for item in delivery.attempts] == [500, 302, 200]
    gaps = [
        (later.at - earlier.at).total_seconds()
        for earlier, later in zip(delivery.attempts, delivery.attempts[1:])
    ]
    assert gaps == [25.0, 50.0]
    ids = {event["eventId"] for event in callback.events()}
    assert ids == {delivery.event_id}
    assert len(callback.events()) == 3


def test_dropped_after_four_failures(v3: Harness, deliveries: Deliveries) -> None:
    hook = v3.service.add_webhook(
        "Gone", "http://127.0.0.1:9/closed", triggers=["closure-islocked"]
    )
    v3.service.registry.subscribe(hook.id, USER, v3.of_kind("gas").id, v3.clock.now())
    assert deliveries.wait()
    for delay in (25, 50, 100):
        v3.clock.advance(delay)
        assert deliveries.wait()
    delivery = deliveries.log("VEHICLE_STATE")[0]
    assert delivery.state == "dropped"
    assert len(delivery.attempts) == 4
    assert all(item.status is None and item.error for item in delivery.attempts)
    assert delivery.to_json()["attempts"][0]["error"]


def test_a_hanging_callback_times_out(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    hook, _ = _webhook(v3, deliveries, callback.url)
    deliveries.timeout = 0.3
    callback.hang = 1.0
    v3.service.registry.subscribe(hook.id, USER, v3.of_kind("gas").id, v3.clock.now())
    assert deliveries.wait()
    attempt = deliveries.log("VEHICLE_STATE")[0].attempts[0]
    assert attempt.status is None and "timed out" in str(attempt.error)


def test_vehicle_error_and_resolved_go_to_the_error_callback(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    errors = Callback()
    try:
        hook, _ = _webhook(v3, deliveries, callback.url, error_callback_uri=errors.url)
        vehicle = v3.of_kind("gas")
        v3.service.registry.subscribe(hook.id, USER, vehicle.id, v3.clock.now())
        assert deliveries.wait()
        vehicle.state_error = "ASLEEP"
        assert deliveries.wait()
        asleep = v3.get(f"/vehicles/{vehicle.id}/signals")
        assert asleep.status_code == 409
        assert asleep.json["errors"][0]["code"] == "ASLEEP"
        vehicle.state_error = None
        assert deliveries.wait()
        events = errors.events("VEHICLE_ERROR")
        assert [event["data"]["errors"][0]["state"] for event in events] == ["ERROR", "RESOLVED"]
        first = events[0]["data"]["errors"][0]
        assert (first["type"], first["code"]) == ("VEHICLE_STATE", "ASLEEP")
        assert {"description", "docURL", "resolution", "signals"} <= set(first)
        assert "triggers" not in events[0]
        assert callback.events("VEHICLE_ERROR") == []
        for headers, body in errors.received:
            assert headers["SC-Signature"] == sign(AMT, body)
    finally:
        errors.server.shutdown()
        errors.server.server_close()


def test_charging_with_the_clock_and_moving_trigger_events(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    hook = v3.service.add_webhook(
        "Charge", callback.url,
        triggers=["tractionbattery-stateofcharge", "location-preciselocation"],
    )  # fmt: skip
    tesla = v3.of_kind("electric")
    tesla.is_plugged_in, tesla.charging, tesla.battery_percent = True, True, 0.4
    tesla.charge_limit = 1.0
    v3.service.registry.subscribe(hook.id, USER, tesla.id, v3.clock.now())
    assert deliveries.wait()
    v3.clock.advance(3600)  # an hour of charging: +18 points
    assert deliveries.wait()
    tesla.latitude += 0.5
    assert deliveries.wait()
    triggers = [
        [item["signal"]["code"] for item in event["triggers"]] for event in callback.events()[1:]
    ]
    assert triggers == [["tractionbattery-stateofcharge"], ["location-preciselocation"]]
    charged = callback.events()[1]["data"]["signals"]
    soc = next(item for item in charged if item["code"] == "tractionbattery-stateofcharge")
    assert soc["body"]["value"] == 58.0


class StreamingCallback:
    """A callback that answers 200 and then never stops sending (slowly or fast)."""

    def __init__(self, chunk: bytes, pause: float) -> None:
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(b'{"challenge": "')
                    while not owner.stop.is_set():
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        time.sleep(pause)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    "chunk, pause", [(b"a", 0.05), (b"a" * 65536, 0.0)], ids=["trickle", "flood"]
)
def test_a_streaming_verify_answer_is_cut_off_in_time_and_size(
    v3: Harness, deliveries: Deliveries, chunk: bytes, pause: float
) -> None:
    endpoint = StreamingCallback(chunk, pause)
    try:
        deliveries.timeout = 1.0
        result: List[bool] = []
        started = time.monotonic()
        worker = threading.Thread(
            target=lambda: result.append(_webhook(v3, deliveries, endpoint.url)[1]), daemon=True
        )
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "VERIFY still held after 10 s"
        assert result == [False]
        assert time.monotonic() - started < 5
    finally:
        endpoint.close()


def test_deliveries_have_the_live_2026_envelope(
    v3: Harness, deliveries: Deliveries, callback: Callback
) -> None:
    """Spec section 12 items 9-10: meta 4.0 with deliveryId/signalCount, no top-level
    vehicleId, epoch-ms signal times, 0 for static attributes, PERMISSION code null."""
    hook = v3.service.add_webhook(
        "Live", callback.url, triggers=["closure-islocked"],
        data=["closure-islocked", "vehicleidentification-vin", "tractionbattery-nominalcapacity",
              "tractionbattery-stateofcharge"],
    )  # fmt: skip
    vehicle = v3.of_kind("electric")
    v3.service.registry.delete_user(USER)
    v3.service.registry.connect(
        USER, [vehicle.id], ["read_security", "read_vin"], v3.clock.now()
    )
    v3.service.registry.subscribe(hook.id, USER, vehicle.id, v3.clock.now())
    assert deliveries.wait()
    [event] = callback.events()
    assert "vehicleId" not in event
    meta = event["meta"]
    assert meta["version"] == "4.0" and meta["mode"] == "LIVE" and meta["signalCount"] == 4
    assert isinstance(meta["deliveryId"], str) and isinstance(meta["deliveredAt"], int)
    signals = {item["code"]: item for item in event["data"]["signals"]}
    now_ms = round(v3.clock.now().timestamp() * 1000)
    assert signals["closure-islocked"]["meta"]["retrievedAt"] == now_ms
    assert signals["vehicleidentification-vin"]["meta"] == {"retrievedAt": 0, "oemUpdatedAt": 0}
    assert signals["vehicleidentification-vin"]["body"] == {"value": vehicle.vin}
    assert signals["tractionbattery-nominalcapacity"]["meta"] == {
        "retrievedAt": 0, "oemUpdatedAt": 0,
    }  # fmt: skip
    assert signals["tractionbattery-stateofcharge"]["status"] == {
        "value": "ERROR", "error": {"code": None, "type": "PERMISSION"},
    }  # fmt: skip
