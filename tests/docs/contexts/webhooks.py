# Context "webhooks": a running emulator (`emu`), the application management token that signs
# its deliveries (`management_token`), and one signed VEHICLE_STATE delivery as it arrives:
# its bytes (`raw_body`) and headers (`headers`, with its `SC-Signature`).
import json
from typing import Dict

from smartcar.emulator import Emulator
from smartcar.webhooks import hash_hmac

emu = Emulator().start()
management_token = emu.management_token
raw_body = json.dumps(
    {
        "eventId": "event-1",
        "eventType": "VEHICLE_STATE",
        "data": {
            "vehicle": {"id": "vehicle-1", "make": "TESLA", "model": "Model 3", "year": 2022},
            "user": {"id": "user-1"},
            "signals": [
                {
                    "code": "closure-islocked",
                    "name": "IsLocked",
                    "group": "Closure",
                    "body": {"value": True},
                    "status": {"value": "SUCCESS"},
                }
            ],
        },
        "meta": {"version": "4.0", "webhookId": "webhook-1", "deliveryId": "delivery-1"},
    }
).encode()
headers: Dict[str, str] = {
    "Content-Type": "application/json",
    "SC-Signature": hash_hmac(management_token, raw_body),
}
