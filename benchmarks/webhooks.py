"""Webhook ingestion benchmark: ``smartcar.webhooks`` vs bare ``hmac`` + ``json.loads``.

Usage::

    .venv/bin/python benchmarks/webhooks.py              # 7 rounds of ~0.5 s per contender
    .venv/bin/python benchmarks/webhooks.py --rounds 3 --seconds 0.2 --signals 12 85

A typical VEHICLE_STATE delivery (the documented envelope with 12 signals of the documented
body shapes) and a large one (85 signals) are each ingested over and over in one thread, by:

* ``bare``: ``hmac.new(key, body, sha256).hexdigest()``, ``hmac.compare_digest`` and
  ``json.loads(body)``: the least any correct receiver does;
* ``parse_event``: ``smartcar.webhooks.parse_event`` (verify, then the typed event, whose
  parts are read when the app reads them);
* ``+ all signals``: ``parse_event``, then every signal decoded and one seed read
  (``event.battery()``): an app that reads everything;
* ``receiver``: ``Receiver.handle`` with its in-memory seen-set, each delivery a new
  ``eventId`` (pre-signed bodies), so the de-duplication is paid for too.

The contenders run interleaved in rounds (bare, parse_event, receiver, bare, ...) so that load
from other processes hits them alike. Each round reports events per second of CPU time of this
thread (``time.thread_time``): events/s on one core. Medians over the rounds are printed with
min-max, and each contender's CPU per event relative to bare's, for both sizes in one run.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import statistics
import sys
import time
from typing import Any, Callable, Dict, List

from smartcar.webhooks import MemorySeenSet, Receiver, VehicleStateEvent, parse_event

KEY = "benchmark-management-token"

_SIGNALS: List[Dict[str, Any]] = [
    {"code": "tractionbattery-stateofcharge", "name": "StateOfCharge", "group": "TractionBattery",
     "body": {"value": 78, "unit": "percent"}},
    {"code": "tractionbattery-range", "name": "Range", "group": "TractionBattery",
     "body": {"value": 280, "type": "DEFAULT", "additionalValues": [], "unit": "km"}},
    {"code": "charge-ischarging", "name": "IsCharging", "group": "Charge", "body": {"value": True}},
    {"code": "charge-chargelimits", "name": "ChargeLimits", "group": "Charge",
     "body": {"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": 80, "unit": "percent"}},
    {"code": "closure-islocked", "name": "IsLocked", "group": "Closure", "body": {"value": True}},
    {"code": "closure-doors", "name": "Doors", "group": "Closure",
     "body": {"values": [{"row": r, "column": c, "isOpen": False, "isLocked": True}
                         for r in (0, 1) for c in (0, 1)], "rowCount": 2, "columnCount": 2}},
    {"code": "location-preciselocation", "name": "PreciseLocation", "group": "Location",
     "body": {"latitude": 32.7767, "longitude": -96.797, "locationType": "LAST_PARKED"}},
    {"code": "odometer-traveleddistance", "name": "TraveledDistance", "group": "Odometer",
     "body": {"value": 32208, "unit": "km"}},
    {"code": "vehicleidentification-vin", "name": "Vin", "group": "VehicleIdentification",
     "body": {"value": "WVGAWVEB4SH018592"}},
    {"code": "charge-voltage", "name": "Voltage", "group": "Charge",
     "body": {"value": 230, "unit": "volts"}},
    {"code": "climate-internaltemperature", "name": "InternalTemperature", "group": "Climate",
     "body": {"value": 21.5, "unit": "degrees-celsius"}},
    {"code": "location-isathome", "name": "IsAtHome", "group": "Location",
     "status": {"value": "ERROR",
                "error": {"code": "VEHICLE_NOT_CAPABLE", "type": "COMPATIBILITY"}}},
]  # fmt: skip


def payload(event_id: str, signal_count: int) -> Dict[str, Any]:
    """A VEHICLE_STATE delivery as documented, with ``signal_count`` signals."""
    signals = []
    for index in range(signal_count):
        signal = copy.deepcopy(_SIGNALS[index % len(_SIGNALS)])
        signal.setdefault("status", {"value": "SUCCESS"})
        signal["meta"] = {"oemUpdatedAt": 1790080005073 + index, "retrievedAt": 1790080005999}
        signals.append(signal)
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_STATE",
        "data": {
            "user": {"id": "f3fc39e5-2b6a-4f0e-9b1a-0c1d2e3f4a5b", "externalId": "user-123"},
            "vehicle": {"id": "bd77cd6e-1b2c-4d5e-8f90-a1b2c3d4e5f6", "make": "Tesla",
                        "model": "Model 3", "year": 2020, "mode": "live",
                        "powertrainType": "BEV"},
            "signals": signals,
        },
        "triggers": [{"type": "SIGNAL_UPDATED", "signal": {
            "name": "StateOfCharge", "code": "tractionbattery-stateofcharge",
            "group": "TractionBattery"}}],
        "meta": {"version": "4.0", "deliveryId": "5d569643-delivery", "deliveredAt": 1761896351529,
                 "webhookId": "5a8e5e38-webhook", "webhookName": "Battery Monitor",
                 "signalCount": signal_count, "mode": "LIVE"},
    }  # fmt: skip


def encode(document: Dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def sign(body: bytes) -> str:
    return hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest()


def bare(body: bytes, signature: str) -> Any:
    expected = hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise AssertionError("bad signature")
    return json.loads(body)


def rate(operation: Callable[[int], None], seconds: float) -> float:
    """Events per CPU-second of this thread, running ``operation(i)`` for about ``seconds``."""
    count, batch = 0, 64
    started = time.thread_time()
    deadline = started + seconds
    while True:
        for _ in range(batch):
            operation(count)
            count += 1
        now = time.thread_time()
        if now >= deadline:
            return count / (now - started)


def measure(signal_count: int, rounds: int, seconds: float) -> Dict[str, List[float]]:
    """Events per CPU-second of each contender, ``rounds`` times, on deliveries of
    ``signal_count`` signals."""
    body = encode(payload("52f6e0bb-0001", signal_count))
    signature = sign(body)
    # Distinct event ids for the receiver (a repeat would be a cheap "duplicate" answer).
    pool = 4096
    bodies = [encode(payload(f"52f6e0bb-{n:06d}", signal_count)) for n in range(pool)]
    headers = [{"SC-Signature": sign(b)} for b in bodies]
    receiver = Receiver(KEY, seen=MemorySeenSet())

    def run_receiver(i: int) -> None:
        if i % pool == 0:  # a fresh seen-set per pass over the pool: every id is new
            receiver.seen = MemorySeenSet()
        status, _, event = receiver.handle(headers[i % pool], bodies[i % pool])
        if status != 200 or event is None:
            raise AssertionError(f"receiver answered {status}")

    def read_everything(i: int) -> None:
        event = parse_event(body, signature=signature, management_token=KEY)
        if not isinstance(event, VehicleStateEvent) or len(event.signals) != signal_count:
            raise AssertionError("the event lost signals")
        event.battery()

    contenders: Dict[str, Callable[[int], None]] = {
        "bare": lambda i: bare(body, signature),
        "parse_event": lambda i: parse_event(body, signature=signature, management_token=KEY),
        "+ all signals": read_everything,
        "receiver": run_receiver,
    }
    results: Dict[str, List[float]] = {name: [] for name in contenders}
    for operation in contenders.values():  # warm-up
        rate(operation, min(0.1, seconds))
    for _ in range(rounds):
        for name, operation in contenders.items():
            results[name].append(rate(operation, seconds))
    return results


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5, help="CPU time per contender")
    parser.add_argument(
        "--signals", type=int, nargs="+", default=[12, 85], help="signals per delivery"
    )
    args = parser.parse_args(argv)

    measured = {count: measure(count, args.rounds, args.seconds) for count in args.signals}
    print(f"webhook ingestion: VEHICLE_STATE deliveries of {', '.join(map(str, args.signals))} "
          f"signals; {args.rounds} rounds of {args.seconds} s CPU each; "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    print("events/s per core: median [min-max]; cost = CPU per event / bare's")
    for count, results in measured.items():
        size = len(encode(payload("52f6e0bb-0001", count)))
        print(f"\n{count} signals ({size:,} bytes)")
        base = statistics.median(results["bare"])
        for name, values in results.items():
            median = statistics.median(values)
            spread = f"{median:>10,.0f} [{min(values):,.0f}-{max(values):,.0f}]"
            print(f"  {name:<14} {spread:>34} {base / median:>7.2f}x")
    cost = {
        count: statistics.median(r["bare"]) / statistics.median(r["parse_event"])
        for count, r in measured.items()
    }
    ratios = "  ".join(f"{count} signals: {ratio:.2f}x" for count, ratio in cost.items())
    print(f"\nparse_event vs bare hmac + compare_digest + json.loads (CPU per event): {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
