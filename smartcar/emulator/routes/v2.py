"""API v2.0 (``/v2.0/...``) on the same state as v1.0: every endpoint of spec 7.2 (the
v1.0 resources plus lock status, charge limit, navigation, service history, diagnostics,
nominal capacity, webhooks), v2 compatibility with capabilities, and v2 error bodies.

The application management token (AMT) may authorize ``DELETE .../application`` and
authorizes ``DELETE .../webhooks/{id}``, as ``Authorization: Bearer <AMT>``.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from werkzeug.routing import Rule

from smartcar.emulator import renderers, vehicle_data
from smartcar.emulator.fleet import CATALOG, SMARTCAR_UNSUPPORTED, SimVehicle
from smartcar.emulator.permissions import parse_scope
from smartcar.emulator.problems import Problem, require_method
from smartcar.emulator.routes.base import SUPPORTED_COUNTRIES, RouteTable
from smartcar.emulator.routes.v1 import V1Surface, VinProfile, api_routes
from smartcar.emulator.state import Grant
from smartcar.emulator.web import Reply, Req, iso, json_reply

COMMAND_SUCCESS = {"status": "success", "message": "Successfully sent request to vehicle"}
CHARGE_LIMIT = "/charge/limit"
DESTINATION = "/navigation/destination"
WEBHOOKS = "/webhooks/"
MATRIX_REGIONS = ("US", "CA", "EUROPE")
MATRIX_TYPES = {"gas": "ICE", "electric": "BEV", "hybrid": "PHEV"}


def _number(value: Any) -> Optional[float]:
    """``value`` as a finite number (numeric strings too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
        return float(value)
    return None


def _date(value: Optional[str], name: str) -> Optional[datetime]:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Problem("VALIDATION", f"{name} must be an ISO-8601 date.") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


# The v2.0 routes: v1.0's under /v2.0 and the compatibility matrix (V2Surface.dispatch);
# problems and faults in v2.0 bodies.
ROUTES = api_routes("/v2.0", Rule("/v2.0/compatibility/matrix", endpoint="compatibility_matrix"))
TABLE = RouteTable(ROUTES, renderers.V2)


class V2Surface(V1Surface):
    """The v2.0 API over the shared state (the v1.0 routes, v2 bodies and additions)."""

    prefix = "/v2.0"
    table = TABLE
    reads = vehicle_data.V2_READS

    # ------------------------------------------------------------- answers
    def batch_failure(self, path: str, problem: Problem) -> Dict[str, Any]:
        body = self.table.family.problem(problem)
        return {"path": path, "code": problem.status, "headers": {}, "body": json.loads(body.body)}

    def data_reply(self, payload: Any, age: datetime, imperial: bool) -> Reply:
        reply = super().data_reply(payload, age, imperial)
        reply.headers["sc-fetched-at"] = iso(self.state.clock.now())
        return reply

    def command_success(self) -> Dict[str, Any]:
        return dict(COMMAND_SUCCESS)

    # ------------------------------------------------------------- routes
    def is_management_token(self, request: Req) -> bool:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.state.management_token.encode()
        )

    def dispatch(self, request: Req, endpoint: str, args: Dict[str, str]) -> Reply:
        if endpoint == "compatibility_matrix":
            return self.answer_compatibility_matrix(request)
        if endpoint == "vehicle" and self.is_management_token(request):
            return self.management_request(request, args["vehicle_id"], args["tail"])
        return super().dispatch(request, endpoint, args)

    def management_request(self, request: Req, vehicle_id: str, tail: str) -> Reply:
        """A vehicle request authorized by the AMT: disconnect or unsubscribe."""
        tail = f"/{tail}" if tail else ""
        state = self.state
        with state.lock:
            if state.find_vehicle(vehicle_id) is None:
                raise Problem("RESOURCE_NOT_FOUND", "Vehicle not found.")
            if tail == "/application":
                require_method(request.method, "DELETE")
                state.disconnect(vehicle_id=vehicle_id)
                return json_reply(200, {"status": "success"})
            if tail.startswith(WEBHOOKS) and len(tail) > len(WEBHOOKS):
                require_method(request.method, "DELETE")
                state.unsubscribe_webhook(tail[len(WEBHOOKS) :], vehicle_id)
                return json_reply(200, {"status": "success"})
        raise Problem(
            "AUTHENTICATION", "The management token only authorizes disconnects and unsubscribes."
        )

    def vehicle_request(
        self, request: Req, grant: Grant, vehicle: SimVehicle, tail: str, imperial: bool
    ) -> Reply:
        method = request.method
        if tail == CHARGE_LIMIT and method == "POST":
            return self.set_charge_limit(request, grant, vehicle)
        if tail == DESTINATION:
            require_method(method, "POST")
            return self.send_destination(request, grant, vehicle)
        if tail == vehicle_data.SERVICE_HISTORY:
            require_method(method, "GET")
            return self.service_history(request, grant, vehicle, imperial)
        if tail.startswith(WEBHOOKS) and len(tail) > len(WEBHOOKS):
            require_method(method, "POST")
            webhook_id = tail[len(WEBHOOKS) :]
            self.state.subscribe_webhook(webhook_id, grant.user_id, vehicle.id)
            return json_reply(200, {"webhookId": webhook_id, "vehicleId": vehicle.id})
        return super().vehicle_request(request, grant, vehicle, tail, imperial)

    def set_charge_limit(self, request: Req, grant: Grant, vehicle: SimVehicle) -> Reply:
        vehicle_data.require_permission(grant.scopes, "control_charge")
        vehicle_data.require_capable(vehicle, CHARGE_LIMIT, vehicle_data.BATTERY_KINDS)
        payload = request.json()
        limit = _number(payload.get("limit")) if isinstance(payload, dict) else None
        if limit is None or not 0.5 <= limit <= 1.0:
            raise Problem("VALIDATION", 'The body must be {"limit": a number from 0.5 to 1}.')
        vehicle.charge_limit = limit
        if vehicle.is_full:
            vehicle.charging = False
        return json_reply(200, self.command_success())

    def send_destination(self, request: Req, grant: Grant, vehicle: SimVehicle) -> Reply:
        vehicle_data.require_permission(grant.scopes, "control_navigation")
        payload = request.json()
        if not isinstance(payload, dict):
            payload = {}
        latitude, longitude = _number(payload.get("latitude")), _number(payload.get("longitude"))
        if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
            raise Problem(
                "VALIDATION", 'The body must be {"latitude": -90..90, "longitude": -180..180}.'
            )
        vehicle.destination = (latitude, longitude)
        return json_reply(200, self.command_success())

    def service_history(
        self, request: Req, grant: Grant, vehicle: SimVehicle, imperial: bool
    ) -> Reply:
        vehicle_data.require_permission(grant.scopes, vehicle_data.SERVICE_PERMISSION)
        args = request.args
        start = _date(args.get("startDate", args.get("start_date")), "startDate")
        end = _date(args.get("endDate", args.get("end_date")), "endDate")
        now = self.state.clock.now()
        records: List[Dict[str, Any]] = []
        for record in vehicle_data.service_records(vehicle, now, imperial):
            moment = _date(str(record["serviceDate"]), "serviceDate")
            assert moment is not None
            if (start is None or moment >= start) and (end is None or moment <= end):
                records.append(record)
        return self.data_reply(records, vehicle.data_age(now), imperial)

    # ------------------------------------------------------------- compatibility
    def answer_compatibility_matrix(self, request: Req) -> Reply:
        """``GET /v2.0/compatibility/matrix?region=&make=&type=&scope=`` (Basic app auth):
        the catalogue's models by make, with the endpoints and permissions each supports."""
        require_method(request.method, "GET")
        if not self.has_app_credentials(request):
            raise Problem("AUTHENTICATION", "Invalid application credentials.")
        args = request.args
        region = (args.get("region") or "US").upper()
        if region not in MATRIX_REGIONS:
            raise Problem("VALIDATION", f"region must be one of {', '.join(MATRIX_REGIONS)}.")
        engine = (args.get("type") or "").upper() or None
        if engine is not None and engine not in MATRIX_TYPES.values():
            raise Problem("VALIDATION", "type must be ICE, BEV, PHEV or HEV.")
        wanted, unknown = parse_scope(args.get("scope") or "")
        if unknown:
            raise Problem("VALIDATION", "scope must name known permissions.")
        make = (args.get("make") or "").upper() or None
        matrix: Dict[str, List[Dict[str, Any]]] = {}
        for model in CATALOG:
            kind_type = MATRIX_TYPES[model.kind]
            if (make is not None and model.make != make) or (
                engine is not None and kind_type != engine
            ):
                continue
            unsupported = SMARTCAR_UNSUPPORTED.get(model.make, ())
            endpoints = sorted(
                {path or "/" for path, spec in self.reads.items() if model.kind in spec.kinds}
                - set(unsupported)
            )
            permissions = sorted(
                {spec.permission for path, spec in self.reads.items() if model.kind in spec.kinds}
                | {"control_security", "control_navigation"}
                | ({"control_charge"} if model.kind in vehicle_data.BATTERY_KINDS else set())
            )
            if wanted and not set(wanted) <= set(permissions):
                continue
            matrix.setdefault(model.make, []).append(
                {
                    "model": model.name,
                    "startYear": model.years[0],
                    "endYear": model.years[1],
                    "type": kind_type,
                    "endpoints": endpoints,
                    "permissions": permissions,
                }
            )
        return json_reply(200, matrix)

    def compatibility(self, request: Req) -> Reply:
        profile, scopes, country = self.compatibility_query(request)
        capabilities = [
            capability
            for permission in scopes
            for capability in self.capabilities(permission, profile)
        ]
        reason: Optional[str] = None
        if profile.make is None:
            reason = "MAKE_NOT_COMPATIBLE"
        elif country not in SUPPORTED_COUNTRIES or not all(
            item["capable"] for item in capabilities
        ):
            reason = "VEHICLE_NOT_COMPATIBLE"
        return json_reply(
            200, {"compatible": reason is None, "reason": reason, "capabilities": capabilities}
        )

    def capabilities(self, permission: str, profile: VinProfile) -> List[Dict[str, Any]]:
        """One capability per endpoint that ``permission`` opens."""
        endpoints: List[Tuple[Optional[str], Tuple[str, ...]]] = []
        for path, spec in self.reads.items():
            if spec.permission == permission:
                endpoints.append((path or "/", spec.kinds))
        for path, command in self.commands.items():
            if command.permission == permission:
                endpoints.append((path, command.kinds))
        if permission == "control_charge":
            endpoints.append((CHARGE_LIMIT, vehicle_data.BATTERY_KINDS))
        if permission == "control_navigation":
            endpoints.append((DESTINATION, vehicle_data.ALL_KINDS))
        if permission == vehicle_data.SERVICE_PERMISSION:
            endpoints.append((vehicle_data.SERVICE_HISTORY, vehicle_data.ALL_KINDS))
        result = []
        for endpoint, kinds in endpoints or [(None, vehicle_data.ALL_KINDS)]:
            reason: Optional[str] = None
            if profile.make is None:
                reason = "MAKE_NOT_COMPATIBLE"
            elif endpoint in profile.unsupported:
                reason = "SMARTCAR_NOT_CAPABLE"
            elif not profile.capable or (profile.kind is not None and profile.kind not in kinds):
                reason = "VEHICLE_NOT_CAPABLE"
            result.append(
                {
                    "permission": permission,
                    "endpoint": endpoint,
                    "capable": reason is None,
                    "reason": reason,
                }
            )
        return result
