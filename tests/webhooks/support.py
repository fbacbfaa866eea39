"""What the webhook tests share: an independent signer and the documented payloads.

The payloads are the examples of api-v2-v3.md section 5.3 (and its variants), written out
here as the service sends them.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import socket
import threading
from typing import Any, Dict, Mapping

MANAGEMENT_TOKEN = "amt-7f3c2a9e-webhooks-test-token"

Payload = Dict[str, Any]


def sign(body: bytes, key: str = MANAGEMENT_TOKEN) -> str:
    """The SC-Signature of ``body``, computed with the hmac module (not by the SDK)."""
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(payload: Mapping[str, Any]) -> bytes:
    """A payload as the service sends it: compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def verify_v3(challenge: str = "3b2f8c1e-challenge-9d41") -> Payload:
    return {
        "eventId": "0c6a1d4e-verify",
        "eventType": "VERIFY",
        "data": {"challenge": challenge},
        "meta": {
            "version": "4.0",
            "webhookId": "5a8e5e38-webhook",
            "webhookName": "Battery Monitor",
            "deliveryId": "5d569643-delivery",
            "deliveredAt": "2025-07-31T19:38:42.332Z",
        },
    }


def verify_v2(challenge: str = "legacy-challenge-42") -> Payload:
    return {
        "version": "2.0",
        "webhookId": "legacy-webhook",
        "eventName": "verify",
        "payload": {"challenge": challenge},
    }


SOC_SIGNAL: Payload = {
    "code": "tractionbattery-stateofcharge",
    "name": "StateOfCharge",
    "group": "TractionBattery",
    "body": {"value": 78, "unit": "percent"},
    "status": {"value": "SUCCESS"},
    "meta": {"oemUpdatedAt": 1790080005073, "retrievedAt": 1790080005073},
}
ERROR_SIGNAL: Payload = {
    "code": "location-isathome",
    "name": "IsAtHome",
    "group": "Location",
    "status": {"value": "ERROR", "error": {"code": "VEHICLE_NOT_CAPABLE", "type": "COMPATIBILITY"}},
}
DOORS_SIGNAL: Payload = {
    "code": "closure-doors",
    "name": "Doors",
    "group": "Closure",
    "body": {
        "values": [{"row": 0, "column": 0, "isOpen": False, "isLocked": True}],
        "rowCount": 2,
        "columnCount": 2,
    },
    "status": {"value": "SUCCESS"},
    "meta": {"oemUpdatedAt": 1790080001000, "retrievedAt": 1790080002000},
}
LOCATION_SIGNAL: Payload = {
    "code": "location-preciselocation",
    "name": "PreciseLocation",
    "group": "Location",
    "body": {"latitude": 32.7767, "longitude": -96.797, "locationType": "LAST_PARKED"},
    "status": {"value": "SUCCESS"},
    "meta": {"oemUpdatedAt": 1790080001000, "retrievedAt": 1790080002000},
}


def vehicle_state(event_id: str = "52f6e0bb-state") -> Payload:
    """The D-wh-resp / dashboard sample: triggers as {"type", "signal"}."""
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_STATE",
        "data": {
            "user": {"id": "f3fc39e5-user", "externalId": "user-external-id-123"},
            "vehicle": {
                "id": "bd77cd6e-vehicle",
                "make": "Tesla",
                "model": "Model 3",
                "year": 2020,
                "mode": "test",
                "powertrainType": "BEV",
            },
            "signals": [
                copy.deepcopy(SOC_SIGNAL),
                copy.deepcopy(ERROR_SIGNAL),
                copy.deepcopy(DOORS_SIGNAL),
                copy.deepcopy(LOCATION_SIGNAL),
            ],
        },
        "triggers": [
            {
                "type": "SIGNAL_UPDATED",
                "signal": {
                    "name": "StateOfCharge",
                    "code": "tractionbattery-stateofcharge",
                    "group": "TractionBattery",
                },
            }
        ],
        "meta": {
            "version": "4.0",
            "deliveryId": "7e1d-delivery",
            "deliveredAt": 1761896351529,
            "webhookId": "5a8e5e38-webhook",
            "webhookName": "Battery Monitor",
            "signalCount": 4,
            "mode": "LIVE",
            "applicationId": "app_123",
        },
    }


def vehicle_error(state: str = "ERROR", event_id: str = "9a1b-error") -> Payload:
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_ERROR",
        "data": {
            "user": {"id": "f3fc39e5-user"},
            "vehicle": {
                "id": "bd77cd6e-vehicle",
                "make": "Tesla",
                "model": "Model 3",
                "year": 2020,
            },
            "errors": [
                {
                    "type": "VEHICLE_STATE",
                    "code": "ASLEEP",
                    "description": "The vehicle is asleep.",
                    "docURL": "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors",
                    "resolution": {"type": "RETRY_LATER"},
                    "suggestedUserMessage": "Wake your car up.",
                    "state": state,
                    "signals": [
                        {
                            "name": "StateOfCharge",
                            "group": "TractionBattery",
                            "code": "tractionbattery-stateofcharge",
                        }
                    ],
                },
                {
                    "type": "PERMISSION",
                    "code": None,
                    "description": "Permission revoked.",
                    "resolution": {"type": "REAUTHENTICATE"},
                    "state": state,
                    "signals": [],
                },
            ],
        },
        "meta": {
            "version": "4.0",
            "deliveryId": "d-err",
            "deliveredAt": 1761896351529,
            "webhookId": "5a8e5e38-webhook",
            "webhookName": "Battery Monitor",
        },
    }


def legacy_event() -> Payload:
    return {
        "version": "2.0",
        "webhookId": "legacy-webhook",
        "eventName": "eventBased",
        "mode": "test",
        "payload": {
            "eventId": "legacy-event-1",
            "vehicleId": "legacy-vehicle",
            "eventType": "CHARGING_STARTED",
            "eventTime": "2022-04-01T12:00:00.000Z",
        },
    }


class ReplyDroppingProxy:
    """A loopback TCP proxy to a server that, for the first request containing ``marker``,
    forwards the request, waits for the server's reply, and closes the client's connection
    instead of passing the reply on: the request took effect, its answer was lost."""

    def __init__(self, host: str, port: int, marker: bytes) -> None:
        self.target = (host, port)
        self.marker = marker
        self.dropped = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        server = socket.create_connection(self.target)
        marked = threading.Event()

        def upstream() -> None:
            try:
                while True:
                    chunk = client.recv(65536)
                    if not chunk:
                        break
                    if self.marker in chunk and self.dropped == 0:
                        self.dropped += 1
                        marked.set()
                    server.sendall(chunk)
            except OSError:
                pass
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_WR)

        threading.Thread(target=upstream, daemon=True).start()
        try:
            while True:
                chunk = server.recv(65536)
                if not chunk:
                    break
                if marked.is_set():
                    break  # the server acted on the request; the client never hears back
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def vehicle_state_2025(event_id: str = "2025-state") -> Payload:
    """An early (2025-09) delivery, api-v2-v3.md section 12 item 11: a short meta, a trigger
    naming its signal by the string "Group.Name", success signals without status."""
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_STATE",
        "data": {
            "user": {"id": "f3fc39e5-user"},
            "vehicle": {"id": "bd77cd6e-vehicle", "make": "VOLKSWAGEN", "model": "ID.4",
                        "year": 2023},
            "signals": [
                {"code": "odometer-traveleddistance", "name": "TraveledDistance",
                 "group": "Odometer", "body": {"value": 32208.5, "unit": "km"},
                 "meta": {"oemUpdatedAt": 1758000000000, "retrievedAt": 1758000001000}},
                {"code": "vehicleidentification-vin", "name": "VIN",
                 "group": "VehicleIdentification", "body": {"value": "WVGAWVEB4SH018592"},
                 "meta": {"oemUpdatedAt": 0, "retrievedAt": 0}},
            ],
        },
        "triggers": [{"type": "SIGNAL_UPDATED", "signal": "Odometer.TraveledDistance"}],
        "meta": {"deliveryId": "d-2025", "deliveredAt": 1758000002000,
                 "deliveryTime": 1758000002000},
    }  # fmt: skip


def vehicle_error_2025(event_id: str = "2025-error") -> Payload:
    """An early VEHICLE_ERROR: its signals named by "Group.Name" strings."""
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_ERROR",
        "data": {
            "vehicle": {"id": "bd77cd6e-vehicle"},
            "errors": [{"type": "PERMISSION", "code": None, "state": "ERROR",
                        "resolution": {"type": "REAUTHENTICATE"},
                        "signals": ["Closure.IsLocked", "TractionBattery.StateOfCharge"]}],
        },
        "meta": {"deliveryId": "d-2025-e", "deliveredAt": 1758000003000},
    }  # fmt: skip


def documentation_example(event_id: str = "docs-state") -> Payload:
    """The documentation's own example (section 12 item 12): triggers and meta inside data,
    the delivery time as ``deliveryTimestamp``, an ISO string."""
    return {
        "eventId": event_id,
        "eventType": "VEHICLE_STATE",
        "vehicleId": "bc6ea99e-vehicle",
        "data": {
            "signals": [copy.deepcopy(SOC_SIGNAL)],
            "triggers": [{"code": "tractionbattery-stateofcharge", "name": "StateOfCharge",
                          "group": "TractionBattery"}],
            "meta": {"version": "4.0", "webhookId": "w-docs",
                     "deliveryTimestamp": "2025-07-31T19:38:42.332Z"},
        },
    }  # fmt: skip
