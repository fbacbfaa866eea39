"""API v1.0 (``/v1.0/...``): the vehicle endpoints of the v1.0 wire protocol, ``/user``,
``/vehicles``, ``/compatibility``, with v1.0 error bodies ``{"error", "message", "code"?}``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import renderers, vehicle_data
from smartcar.emulator.fleet import (
    SMARTCAR_UNSUPPORTED,
    TEST_VEHICLES,
    WMI_MAKES,
    SimVehicle,
    is_simulated_vin,
    simulated_make,
)
from smartcar.emulator.permissions import PERMISSIONS, parse_scope
from smartcar.emulator.problems import Problem, require_method
from smartcar.emulator.routes.base import SUPPORTED_COUNTRIES, JsonSurface, RouteTable, paging
from smartcar.emulator.state import Grant
from smartcar.emulator.vin import VIN_ALPHABET
from smartcar.emulator.web import Reply, Req, iso, json_reply

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10  # /vehicles
DEFAULT_PERMISSIONS_PAGE_SIZE = 25  # /permissions: every known permission fits one page
METRIC = "metric"
IMPERIAL = "imperial"


def api_routes(prefix: str, *more: Rule) -> Map:
    """The routes of an API version under ``prefix``: compatibility, the user's vehicles,
    the user, and each vehicle's endpoints (``tail``: the path after the vehicle id, looked
    up in the reads and commands tables), plus ``more``. Methods are checked by the
    handlers (405 in the version's error form)."""
    return Map(
        [
            Rule(f"{prefix}/compatibility", endpoint="compatibility"),
            Rule(f"{prefix}/vehicles", endpoint="vehicles"),
            Rule(f"{prefix}/user", endpoint="user"),
            Rule(f"{prefix}/vehicles/<vehicle_id>", endpoint="vehicle", defaults={"tail": ""}),
            Rule(f"{prefix}/vehicles/<vehicle_id>/<path:tail>", endpoint="vehicle"),
            *more,
        ]
    )


# The v1.0 routes: a path leads to its handler in one look (V1Surface.dispatch); problems
# in v1.0 bodies.
ROUTES = api_routes("/v1.0")
TABLE = RouteTable(ROUTES, renderers.V1)


class V1Surface(JsonSurface):
    """The v1.0 API over the shared state. Also the fallback for unknown paths (404)."""

    prefix = "/v1.0"
    table = TABLE
    reads = vehicle_data.READS
    commands = vehicle_data.COMMANDS

    def answer(self, request: Req) -> Reply:
        path = request.path
        if not self.handles(path):
            raise Problem("RESOURCE_NOT_FOUND", f"No route for {path}.")
        try:
            endpoint, args = self.table.match(path.rstrip("/") or "/")
        except HTTPException:
            # the service authenticates before it looks at the path
            self.state.grant_for_access_token(request.header("Authorization"))
            raise Problem("RESOURCE_NOT_FOUND", "Unknown API path.") from None
        return self.dispatch(request, endpoint, args)

    def dispatch(self, request: Req, endpoint: str, args: Dict[str, str]) -> Reply:
        """The answer of an endpoint of :attr:`table` (``args``: its path arguments)."""
        imperial = (request.header("sc-unit-system") or "").strip().lower() == IMPERIAL
        method = request.method
        state = self.state
        if endpoint == "compatibility":
            require_method(method, "GET")
            return self.compatibility(request)
        grant = state.grant_for_access_token(request.header("Authorization"))
        if endpoint == "vehicles":
            require_method(method, "GET")
            limit, offset = paging(request, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
            with state.lock:
                ids = state.connected_vehicle_ids(grant)
            page = ids[offset : offset + limit]
            payload = {"vehicles": page, "paging": {"count": len(ids), "offset": offset}}
            return self.data_reply(payload, state.clock.now(), imperial)
        if endpoint == "user":
            require_method(method, "GET")
            return self.data_reply({"id": grant.user_id}, state.clock.now(), imperial)
        vehicle_id, tail = args["vehicle_id"], args["tail"]
        tail = f"/{tail}" if tail else ""
        if not is_vehicle_id(vehicle_id):
            raise Problem("VALIDATION", f"{vehicle_id!r} is not a vehicle id.")
        with state.lock:
            vehicle = state.authorized_vehicle(grant, vehicle_id)
            return self.vehicle_request(request, grant, vehicle, tail, imperial)

    def vehicle_request(
        self, request: Req, grant: Grant, vehicle: SimVehicle, tail: str, imperial: bool
    ) -> Reply:
        """A request under ``/vehicles/{id}`` (``tail``: the rest, ``""`` for the vehicle)."""
        method = request.method
        now = self.state.clock.now()
        if tail == "/permissions":
            require_method(method, "GET")
            limit, offset = paging(request, DEFAULT_PERMISSIONS_PAGE_SIZE, MAX_PAGE_SIZE)
            names = list(grant.scopes)
            listing: Dict[str, Any] = {
                "permissions": names[offset : offset + limit],
                "paging": {"count": len(names), "offset": offset},
            }
            return self.data_reply(listing, now, imperial)
        if tail == "/application":
            require_method(method, "DELETE")
            self.state.revoke(grant, vehicle.id)
            return json_reply(200, {"status": "success"})
        if tail == "/batch":
            require_method(method, "POST")
            return self.batch(request, grant, vehicle, imperial, now)
        if tail not in self.reads and tail not in self.commands:
            raise Problem("RESOURCE_NOT_FOUND", f"Unknown vehicle path {tail}.")
        if method == "POST" and tail in self.commands:
            return self.command(request, grant, vehicle, tail)
        if tail not in self.reads:
            raise Problem("VALIDATION", f"{method} is not allowed on {tail}.", status=405)
        require_method(method, "GET")
        payload, _ = vehicle_data.read(self.reads, grant.scopes, vehicle, tail, imperial)
        return self.data_reply(payload, vehicle.data_age(now), imperial)

    def command(self, request: Req, grant: Grant, vehicle: SimVehicle, tail: str) -> Reply:
        spec = self.commands[tail]
        vehicle_data.require_permission(grant.scopes, spec.permission)
        vehicle_data.require_capable(vehicle, tail, spec.kinds)
        payload = request.json()
        action = payload.get("action") if isinstance(payload, dict) else None
        if action not in spec.actions:
            raise Problem(
                "VALIDATION", f'The body must be {{"action": one of {list(spec.actions)}}}.'
            )
        vehicle_data.perform(vehicle, action)
        return json_reply(200, self.command_success())

    def data_reply(self, payload: Any, age: datetime, imperial: bool) -> Reply:
        """A 200 with the data headers (``sc-data-age``, ``sc-unit-system``)."""
        return data_reply(payload, age, imperial)

    def command_success(self) -> Dict[str, Any]:
        return {"status": "success"}

    def batch(
        self, request: Req, grant: Grant, vehicle: SimVehicle, imperial: bool, now: datetime
    ) -> Reply:
        payload = request.json()
        items = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not items:
            raise Problem("VALIDATION", 'The body must be {"requests": [{"path"}]}.')
        paths: List[str] = []
        for item in items:
            path = item.get("path") if isinstance(item, dict) else None
            if not isinstance(path, str) or not path.startswith("/"):
                raise Problem("VALIDATION", "Each request needs a path like /odometer.")
            paths.append(path)
        age = iso(vehicle.data_age(now))
        units = IMPERIAL if imperial else METRIC
        responses = []
        for path in paths:
            tail = path.rstrip("/")
            try:
                if tail not in self.reads:
                    raise Problem("RESOURCE_NOT_FOUND", f"Unknown batch path {path}.")
                body, has_units = vehicle_data.read(
                    self.reads, grant.scopes, vehicle, tail, imperial
                )
                headers = {"sc-data-age": age}
                if has_units:
                    headers["sc-unit-system"] = units
                responses.append({"path": path, "code": 200, "headers": headers, "body": body})
            except Problem as problem:
                responses.append(self.batch_failure(path, problem))
        return self.data_reply({"responses": responses}, vehicle.data_age(now), imperial)

    def batch_failure(self, path: str, problem: Problem) -> Dict[str, Any]:
        body = renderers.v1_error(problem)
        return {"path": path, "code": problem.status, "headers": {}, "body": body}

    def compatibility_query(self, request: Req) -> Tuple[VinProfile, List[str], str]:
        """``(what the VIN is, permission names, country)`` of a compatibility request.

        Raises:
            Problem: AUTHENTICATION without this app's credentials; VALIDATION for a malformed
                VIN, an unknown or empty scope, a country that is not two letters, a bad
                ``mode`` or ``test_mode_compatibility_level``.
        """
        if not self.has_app_credentials(request):
            raise Problem("AUTHENTICATION", "Invalid application credentials.")
        args = request.args
        vin = (args.get("vin") or "").upper()
        if not is_simulated_vin(vin) and (
            len(vin) != 17 or any(char not in VIN_ALPHABET for char in vin)
        ):
            raise Problem("VALIDATION", "vin must be a 17-character VIN.")
        scopes, unknown = parse_scope(args.get("scope") or "")
        if unknown or not scopes:
            raise Problem("VALIDATION", "scope must name known permissions.")
        country = (args.get("country") or "US").upper()
        if len(country) != 2 or not country.isalpha():
            raise Problem("VALIDATION", "country must be an ISO 3166-1 alpha-2 code.")
        mode = args.get("mode") or "live"
        if mode not in ("live", "test", "simulated"):
            raise Problem("VALIDATION", "mode must be live, test or simulated.")
        level = args.get("test_mode_compatibility_level")
        if level is not None or mode != "live":
            if level not in TEST_LEVELS:
                raise Problem(
                    "VALIDATION",
                    "test mode needs test_mode_compatibility_level, one of "
                    + ", ".join(sorted(TEST_LEVELS))
                    + ".",
                )
            return test_level_profile(level), scopes, country
        return self.vin_profile(vin), scopes, country

    def vin_profile(self, vin: str) -> VinProfile:
        """What the service knows of ``vin``: a simulated VIN has its make's test vehicle's
        powertrain and capabilities, a connected vehicle its own, any other VIN its
        manufacturer's (kind unknown)."""
        known = self.state.vehicle_by_vin(vin)
        if known is not None:
            return VinProfile(known.make, known.kind, known.smartcar_unsupported)
        make = simulated_make(vin)
        if make is not None:
            spec = TEST_VEHICLES[make]
            unsupported = spec.unsupported
            if unsupported is None:
                unsupported = SMARTCAR_UNSUPPORTED.get(make, ())
            return VinProfile(make, spec.catalogue.kind, unsupported)
        if is_simulated_vin(vin):
            return VinProfile(None, None, ())
        make = WMI_MAKES.get(vin[:3])
        return VinProfile(make, None, SMARTCAR_UNSUPPORTED.get(make or "", ()))

    def compatibility(self, request: Req) -> Reply:
        profile, scopes, country = self.compatibility_query(request)
        compatible = country in SUPPORTED_COUNTRIES and profile.make is not None
        if compatible and profile.kind is not None:
            supported = vehicle_data.KIND_PERMISSIONS[profile.kind]
            compatible = all(name in supported for name in scopes if name in PERMISSIONS)
        return json_reply(200, {"compatible": compatible and profile.capable})


@dataclass(frozen=True)
class VinProfile:
    """What the compatibility endpoints know of a VIN: its make (None: not one Smartcar
    serves), its powertrain kind (None: unknown, so any may be capable), the endpoints
    Smartcar does not serve for it, and whether it is capable at all."""

    make: Optional[str]
    kind: Optional[str]
    unsupported: Tuple[str, ...]
    capable: bool = True


# Smartcar's test-mode compatibility levels (its Integration Guide): compatible and phev
# give every permission, incompatible none, fuel a gasoline car's, bev an electric car's.
TEST_LEVELS: Dict[str, Tuple[str, bool]] = {
    "compatible": ("hybrid", True),
    "phev": ("hybrid", True),
    "incompatible": ("hybrid", False),
    "fuel": ("gas", True),
    "bev": ("electric", True),
}


def test_level_profile(level: str) -> VinProfile:
    """The vehicle a test-mode compatibility level stands for."""
    kind, capable = TEST_LEVELS[level]
    return VinProfile("TEST", kind, (), capable)


def is_vehicle_id(text: str) -> bool:
    """Whether ``text`` has the form of a Smartcar vehicle id (a UUID): a malformed id
    is a 400 validation error, a well-formed unknown one a 404."""
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def data_reply(payload: Any, age: datetime, imperial: bool) -> Reply:
    """A 200 with the data headers (``sc-data-age``, ``sc-unit-system``)."""
    headers = {"sc-data-age": iso(age), "sc-unit-system": IMPERIAL if imperial else METRIC}
    return json_reply(200, payload, headers)
