"""The v2.0 management API: ``GET``/``DELETE /v2.0/management/connections`` (with or
without the trailing slash), authorized by ``Basic base64("default:" + AMT)``; cursor
paging; v2 error bodies."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from typing import Any, Dict, List, Optional

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import renderers
from smartcar.emulator.problems import Problem, require_method
from smartcar.emulator.routes.base import JsonSurface, RouteTable
from smartcar.emulator.state import Connection
from smartcar.emulator.web import Reply, Req, iso, json_reply, parse_json

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MODES = ("live", "simulated", "test")


# The v2.0 management API's one route (GET lists, DELETE disconnects); v2.0 error bodies.
ROUTES = Map([Rule("/v2.0/management/connections", endpoint="connections")])
TABLE = RouteTable(ROUTES, renderers.V2)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor stands for.

    Raises:
        Problem: VALIDATION for a cursor this API did not hand out.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = parse_json(base64.urlsafe_b64decode(padded.encode()))["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise Problem("VALIDATION", "cursor is not one this API returned.") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise Problem("VALIDATION", "cursor is not one this API returned.")
    return offset


class ManagementV2Surface(JsonSurface):
    """``/v2.0/management`` over the shared state's connections."""

    prefix = "/v2.0/management"
    table = TABLE

    def vehicle_id(self, path: str) -> Optional[str]:
        return None

    def authorized(self, request: Req) -> bool:
        auth = request.request.authorization
        if auth is None or (auth.type or "").lower() != "basic":
            return False
        password = (auth.password or "").encode()
        return auth.username == "default" and hmac.compare_digest(
            password, self.state.management_token.encode()
        )

    def answer(self, request: Req) -> Reply:
        try:
            self.table.match(request.path.rstrip("/"))
        except HTTPException:
            raise Problem("RESOURCE_NOT_FOUND", f"No management route {request.path}.") from None
        if not self.authorized(request):
            raise Problem(
                "AUTHENTICATION",
                'Authorize with Basic base64("default:" + application management token).',
            )
        require_method(request.method, "GET", "DELETE")
        user_id = request.args.get("user_id") or None
        vehicle_id = request.args.get("vehicle_id") or None
        if request.method == "DELETE":
            if user_id is None and vehicle_id is None:
                raise Problem("VALIDATION", "Give user_id, vehicle_id or both.")
            removed = self.state.disconnect(user_id=user_id, vehicle_id=vehicle_id)
            return json_reply(
                200,
                {
                    "connections": [
                        {"userId": c.user_id, "vehicleId": c.vehicle_id} for c in removed
                    ]
                },
            )
        return self.list_connections(request, user_id, vehicle_id)

    def list_connections(
        self, request: Req, user_id: Optional[str], vehicle_id: Optional[str]
    ) -> Reply:
        args = request.args
        try:
            limit = int(args.get("limit", DEFAULT_LIMIT))
        except ValueError:
            raise Problem("VALIDATION", "limit must be an integer.") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise Problem("VALIDATION", f"limit must be 1-{MAX_LIMIT}.")
        mode = args.get("mode") or None
        if mode is not None and mode not in MODES:
            raise Problem("VALIDATION", f"mode must be one of {', '.join(MODES)}.")
        cursor = args.get("cursor")
        offset = decode_cursor(cursor) if cursor else 0
        with self.state.lock:
            matching: List[Connection] = [
                item
                for item in self.state.connections()
                if (user_id is None or item.user_id == user_id)
                and (vehicle_id is None or item.vehicle_id == vehicle_id)
                and (mode is None or item.mode == mode)
            ]
        page = matching[offset : offset + limit]
        following = offset + limit
        body: Dict[str, Any] = {
            "connections": [
                {
                    "userId": item.user_id,
                    "vehicleId": item.vehicle_id,
                    "connectedAt": iso(item.connected_at),
                    "mode": item.mode,
                }
                for item in page
            ],
            "paging": {"cursor": encode_cursor(following) if following < len(matching) else None},
        }
        return json_reply(200, body)
