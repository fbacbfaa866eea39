"""Constants and builders shared by the v3 unit tests (fake origins, canned v3 bodies)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import responses

IAM = "https://iam.test/oauth2/token"
VEHICLES = "https://vehicle.test/v3"
MANAGEMENT = "https://management.test/v3"
CONNECT = "https://connect.test"

CLIENT_ID = "client_abc123"
CLIENT_SECRET = "s3cr3t-client-secret-value"
APPLICATION_ID = "2f9c1e4a-7d65-4a0b-9a3e-6b1f0c8d2e71"
REDIRECT_URI = "https://example.com/callback"
APP_TOKEN = "app-token-1"
VEHICLE_ID = "36ab27d0-fd9d-4455-823a-ce30af709ffc"
USER_ID = "218eda3b-1f4a-4c5e-9d7b-3a2c1b0e9f8d"


def token_body(token: str = APP_TOKEN, expires_in: int = 3600, **extra: Any) -> Dict[str, Any]:
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, **extra}


def add_token(
    mocked: responses.RequestsMock, token: str = APP_TOKEN, expires_in: int = 3600
) -> None:
    mocked.add(responses.POST, IAM, json=token_body(token, expires_in))


def calls_to(mocked: responses.RequestsMock, url_prefix: str) -> List[Any]:
    return [call for call in mocked.calls if call.request.url.startswith(url_prefix)]


def json_of(call: Any) -> Any:
    body = call.request.body
    if body is None:
        return None
    return json.loads(body if isinstance(body, (str, bytes)) else bytes(body))


def signal(
    code: str,
    body: Optional[Dict[str, Any]] = None,
    *,
    status: str = "SUCCESS",
    error: Optional[Dict[str, Any]] = None,
    retrieved_at: Any = 1696156800,
    oem_updated_at: Any = 1696156799,
) -> Dict[str, Any]:
    """One REST signal resource, as ``GET /vehicles/{id}/signals`` lists it."""
    group, _, name = code.partition("-")
    attributes: Dict[str, Any] = {
        "code": code,
        "name": name.title(),
        "group": group.title(),
        "status": {"value": status, **({"error": error} if error else {})},
    }
    if body is not None:
        attributes["body"] = body
    return {
        "id": code,
        "type": "signal",
        "attributes": attributes,
        "meta": {"retrievedAt": retrieved_at, "oemUpdatedAt": oem_updated_at},
        "links": {"self": f"/vehicles/{VEHICLE_ID}/signals/{code}"},
    }


def signal_list(items: List[Dict[str, Any]], **meta: Any) -> Dict[str, Any]:
    return {
        "data": items,
        "meta": {"page": 1, "pageSize": max(len(items), 1), "totalCount": len(items), **meta},
    }


def v3_error(status: int, error_type: str, code: Optional[str], detail: str) -> Dict[str, Any]:
    return {
        "errors": [
            {
                "status": str(status),
                "type": error_type,
                "code": code,
                "title": "Error",
                "detail": detail,
                "links": {"about": "https://smartcar.com/docs/errors/x"},
                "resolution": {"type": "RETRY_LATER"},
                "suggestedUserMessage": "Try later.",
            }
        ]
    }


def command_body(
    command_type: str,
    *,
    status: str = "SUCCESS",
    parameters: Optional[Dict[str, Any]] = None,
    error: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    attributes: Dict[str, Any] = {
        "commandType": command_type,
        "status": {"value": status, **({"error": error} if error else {})},
        "executionMode": "sync",
    }
    if parameters is not None:
        attributes["parameters"] = parameters
    return {
        "data": {
            "id": "exec_9876543210",
            "type": "command-execution",
            "attributes": attributes,
            "meta": {
                "executedAt": "2024-01-01T12:00:00Z",
                "completedAt": "2024-01-01T12:00:02Z",
                "durationInSeconds": 2,
            },
        }
    }


def single_signal(item: Dict[str, Any]) -> Dict[str, Any]:
    """``GET …/signals/{code}`` as the live service answers it (2026-06): wrapped, with the
    vehicle included."""
    vehicle = {
        "id": VEHICLE_ID,
        "type": "vehicle",
        "attributes": {"make": "TESLA", "model": "Model 3", "year": 2022},
    }
    return {"data": item, "included": {"vehicle": vehicle}}


def serve_signals(
    mocked: responses.RequestsMock, items: List[Dict[str, Any]], request_id: str = "r1"
) -> None:
    """Answer ``GET …/signals`` with ``items``, and ``GET …/signals/{code}`` with each one."""
    base = f"{VEHICLES}/vehicles/{VEHICLE_ID}/signals"
    headers = {"sc-request-id": request_id}
    mocked.add(responses.GET, base, json=signal_list(items), headers=headers)
    for item in items:
        url = f"{base}/{item['id']}"
        mocked.add(responses.GET, url, json=single_signal(item), headers=headers)


SEED_SIGNALS = [
    signal("vehicleidentification-vin", {"value": "5YJSA1E26FF101307"}),
    signal(
        "location-preciselocation",
        {"latitude": 37.4292, "longitude": -122.1381, "locationType": "LAST_PARKED"},
        oem_updated_at="2026-09-22T10:00:00Z",
    ),
    signal("odometer-traveleddistance", {"value": 1609.344, "unit": "km"}),
    signal("tractionbattery-stateofcharge", {"value": 45, "unit": "percent"}),
    signal(
        "tractionbattery-range",
        {"value": 160.9344, "unit": "km", "type": "DEFAULT", "additionalValues": []},
        oem_updated_at=1696156000000,
    ),
    signal(
        "tractionbattery-nominalcapacity",
        {"capacity": 86, "availableCapacities": [], "source": "SMARTCAR", "unit": "kWh"},
    ),
    signal("internalcombustionengine-fuellevel", {"value": 30, "unit": "percent"}),
    signal("internalcombustionengine-amountremaining", {"value": 37.85411784, "unit": "liters"}),
    signal("internalcombustionengine-range", {"value": 321.8688, "unit": "kilometers"}),
    signal("internalcombustionengine-oillife", {"value": 80, "unit": "percent"}),
    signal("charge-ischargingcableconnected", {"value": True}),
    signal("charge-detailedchargingstatus", {"value": "CHARGING"}),
    signal("charge-ischarging", {"value": True}),
    signal(
        "wheel-tires",
        {
            "values": [
                {"row": 0, "column": 0, "tirePressure": 241.3165},
                {"row": 0, "column": 1, "tirePressure": 248.2113},
                {"row": 1, "column": 0, "tirePressure": 234.4217},
                {"row": 1, "column": 1, "tirePressure": 227.5270},
            ],
            "rowCount": 2,
            "columnCount": 2,
            "unit": "kPa",
        },
    ),
]
"""One of each signal the seed's reads use, as ``GET …/signals`` lists them."""
