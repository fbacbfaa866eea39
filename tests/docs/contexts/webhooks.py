# Context "webhooks": a running emulator (`emu`), the application management token that signs
# its deliveries (`management_token`), and one signed VEHICLE_STATE delivery as it arrives:
# its bytes (`raw_body`) and headers (`headers`, with its `SC-Signature`). The delivery is an
# electric car just locked (trigger `closure-islocked`), carrying its lock, battery level and
# range, odometer and VIN, in the form the live service sends.
import json
from typing import Dict

from smartcar.emulator import Emulator
from smartcar.webhooks import hash_hmac

emu = Emulator().start()
management_token = emu.management_token


def _signal(code: str, name: str, group: str, body: Dict[str, object], at: int) -> object:
    return {
        "code": code,
        "name": name,
        "group": group,
        "body": body,
        "status": {"value": "SUCCESS"},
        "meta": {"oemUpdatedAt": at, "retrievedAt": at},
    }


_NOW = 1796630400000  # 2026-12-07, epoch milliseconds
raw_body = json.dumps(
    {
        "eventId": "2f6c1d7e-5b1a-4d8e-9c3f-0a7e4b6d2c11",
        "eventType": "VEHICLE_STATE",
        "data": {
            "vehicle": {
                "id": "36ab27d0-fd9d-4455-823a-ce30af709ffc",
                "make": "TESLA",
                "model": "Model 3",
                "year": 2022,
                "mode": "LIVE",
                "powertrainType": "BEV",
            },
            "user": {"id": "93b3ee2b-7a5c-4c38-8b1a-2d1c0f6f5e01"},
            "signals": [
                _signal("closure-islocked", "IsLocked", "Closure", {"value": True}, _NOW),
                _signal(
                    "tractionbattery-stateofcharge",
                    "StateOfCharge",
                    "TractionBattery",
                    {"value": 78, "unit": "percent"},
                    _NOW,
                ),
                _signal(
                    "tractionbattery-range",
                    "Range",
                    "TractionBattery",
                    {"value": 312.4, "unit": "km"},
                    _NOW,
                ),
                _signal(
                    "odometer-traveleddistance",
                    "TraveledDistance",
                    "Odometer",
                    {"value": 32208.5, "unit": "km"},
                    _NOW,
                ),
                _signal(
                    "vehicleidentification-vin",
                    "Vin",
                    "VehicleIdentification",
                    {"value": "5YJ3E1EA7NF000316"},
                    0,  # a static attribute: no time
                ),
            ],
        },
        "triggers": [
            {
                "type": "SIGNAL_UPDATED",
                "signal": {"code": "closure-islocked", "name": "IsLocked", "group": "Closure"},
            }
        ],
        "meta": {
            "version": "4.0",
            "webhookId": "5a8e5e38-1e12-4011-a36d-56f120053f9e",
            "webhookName": "Vehicle state",
            "mode": "LIVE",
            "deliveryId": "0f4b6e1c-3c1e-4a57-9a89-4d2b9a1e7c55",
            "deliveredAt": _NOW + 1529,
            "signalCount": 5,
        },
    }
).encode()
headers: Dict[str, str] = {
    "Content-Type": "application/json",
    "SC-Signature": hash_hmac(management_token, raw_body),
}
