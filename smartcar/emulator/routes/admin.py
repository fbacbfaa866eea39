"""The admin endpoints under ``/_emulator`` (clock, faults, limits, tokens, vehicles, log,
reset, redirect URIs; v3 webhooks, deliveries, connections, fleets and latency), all in
:data:`ROUTES`. Never logged, never faulted; the AdminGuard middleware keeps web pages and
foreign Host names out."""

from __future__ import annotations

from datetime import timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Protocol, Sequence, Union

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import renderers
from smartcar.emulator.faults import Fault
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes.base import RoutedSurface, RouteTable
from smartcar.emulator.state import vehicle_state
from smartcar.emulator.v3.registry import Webhook
from smartcar.emulator.web import BadJson, Reply, Req, iso, json_reply, parse_json, request_body

if TYPE_CHECKING:
    from smartcar.emulator._clock import Clock
    from smartcar.emulator.faults import FaultSet
    from smartcar.emulator.fleet import SimVehicle
    from smartcar.emulator.middleware import RequestRecord
    from smartcar.emulator.v3.controls import V3Controls

PREFIX = "/_emulator"
_WEBHOOK_FIELDS = {
    "name", "callback_uri", "triggers", "data", "error_callback_uri", "auto_subscribe", "verify",
}  # fmt: skip
_FAULT_FIELDS = {
    "pattern", "status", "count", "latency", "drop", "retry_after", "body", "method",
    "error", "code", "message", "headers", "content_type",
}  # fmt: skip


# Every admin route: a path and method lead to the AdminApp method of that name. HEAD is
# taken wherever GET is.
ROUTES = Map(
    [
        Rule(PREFIX, methods=["GET"], endpoint="describe"),
        Rule(f"{PREFIX}/log", methods=["GET"], endpoint="log"),
        Rule(f"{PREFIX}/log", methods=["DELETE"], endpoint="clear_log"),
        Rule(f"{PREFIX}/faults", methods=["GET"], endpoint="faults"),
        Rule(f"{PREFIX}/faults", methods=["POST"], endpoint="new_fault"),
        Rule(f"{PREFIX}/faults", methods=["DELETE"], endpoint="clear_faults"),
        Rule(f"{PREFIX}/faults/<fault_id>", methods=["DELETE"], endpoint="remove_fault"),
        Rule(f"{PREFIX}/reset", methods=["POST"], endpoint="reset"),
        Rule(f"{PREFIX}/clock", methods=["GET", "POST"], endpoint="clock"),
        Rule(f"{PREFIX}/rate-limit", methods=["POST"], endpoint="rate_limit"),
        Rule(f"{PREFIX}/app-rate-limit", methods=["POST"], endpoint="app_rate_limit"),
        Rule(f"{PREFIX}/monthly-limit", methods=["POST"], endpoint="monthly_limit"),
        Rule(f"{PREFIX}/calls", methods=["GET"], endpoint="calls"),
        Rule(f"{PREFIX}/tokens", methods=["POST"], endpoint="tokens"),
        Rule(f"{PREFIX}/vehicles", methods=["GET"], endpoint="vehicles"),
        Rule(f"{PREFIX}/redirect-uris", methods=["POST"], endpoint="redirect_uris"),
        Rule(f"{PREFIX}/webhooks", methods=["GET"], endpoint="webhooks"),
        Rule(f"{PREFIX}/webhooks", methods=["POST"], endpoint="new_webhook"),
        Rule(f"{PREFIX}/webhooks/<webhook_id>", methods=["POST"], endpoint="verify_webhook"),
        Rule(f"{PREFIX}/deliveries", methods=["GET"], endpoint="deliveries"),
        Rule(f"{PREFIX}/v3/connect", methods=["POST"], endpoint="v3_connect"),
        Rule(f"{PREFIX}/v3/vehicles", methods=["POST"], endpoint="v3_vehicles"),
        Rule(f"{PREFIX}/latency", methods=["GET", "POST"], endpoint="latency"),
    ]
)
TABLE = RouteTable(ROUTES, renderers.ADMIN)  # problems as {"error", "message"}


def is_admin_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class Emulated(Protocol):
    """What the admin endpoints drive: the parts of an
    :class:`~smartcar.emulator.app.EmulatorApp` they use."""

    faults: FaultSet
    v3: V3Controls
    latency: float

    @property
    def clock(self) -> Clock: ...

    @property
    def redirect_uris(self) -> List[str]: ...

    @property
    def request_log(self) -> List[RequestRecord]: ...

    def describe(self) -> Dict[str, Any]: ...

    def reset(self, keep_tokens: bool = False) -> None: ...

    def clear_log(self) -> None: ...

    def add_redirect_uri(self, uri: str) -> None: ...

    def vehicles(self, user: Optional[str] = None) -> List[SimVehicle]: ...

    def issue_tokens(
        self,
        scope: Union[str, Sequence[str], None] = None,
        user: Optional[str] = None,
        make: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]: ...

    def rate_limit(
        self, vehicle_id: Optional[str] = None, per_second: Optional[float] = 1.0
    ) -> None: ...

    def app_rate_limit(self, capacity: Optional[int], refill_per_minute: float = 2.0) -> None: ...

    def monthly_limit(self, calls: Optional[int], vehicle_id: Optional[str] = None) -> None: ...

    def calls(self, vehicle_id: str, month: Optional[str] = None) -> int: ...


class AdminApp(RoutedSurface):
    """The admin endpoints of one :class:`~smartcar.emulator.app.EmulatorApp`."""

    table = TABLE

    def __init__(self, emulator: Emulated) -> None:
        self.emulator = emulator

    def handles(self, path: str) -> bool:
        return is_admin_path(path)

    def answer(self, request: Req) -> Reply:
        method = request.method
        try:
            endpoint, args = self.table.match(request.path.rstrip("/") or PREFIX, method)
        except HTTPException:
            raise Problem(
                "RESOURCE_NOT_FOUND", f"No admin route {method} {request.path}."
            ) from None
        body: Dict[str, Any] = {}
        raw = request_body(request.environ) if method in ("POST", "PUT") else b""
        if raw.strip():
            try:
                payload = parse_json(raw)
            except BadJson as exc:
                raise Problem("VALIDATION", f"The body is {exc}.") from None
            if not isinstance(payload, dict):
                raise Problem("VALIDATION", "The body must be a JSON object.")
            body = payload
        handler: Callable[..., Reply] = getattr(self, endpoint)
        return handler(request, body, **args)

    # ------------------------------------------------------------------ the endpoints
    def describe(self, request: Req, body: Dict[str, Any]) -> Reply:
        return json_reply(200, self.emulator.describe())

    def log(self, request: Req, body: Dict[str, Any]) -> Reply:
        records = [record.to_json() for record in list(self.emulator.request_log)]
        return json_reply(200, {"requests": records})

    def clear_log(self, request: Req, body: Dict[str, Any]) -> Reply:
        self.emulator.clear_log()
        return json_reply(200, {"status": "success"})

    def faults(self, request: Req, body: Dict[str, Any]) -> Reply:
        return json_reply(
            200, {"faults": [fault.to_json() for fault in self.emulator.faults.active]}
        )

    def new_fault(self, request: Req, body: Dict[str, Any]) -> Reply:
        return json_reply(201, self.add_fault(body).to_json())

    def clear_faults(self, request: Req, body: Dict[str, Any]) -> Reply:
        self.emulator.faults.clear()
        return json_reply(200, {"status": "success"})

    def remove_fault(self, request: Req, body: Dict[str, Any], fault_id: str) -> Reply:
        try:
            self.emulator.faults.remove(int(fault_id))
        except ValueError:
            raise Problem("VALIDATION", "Fault ids are integers.") from None
        return json_reply(200, {"status": "success"})

    def reset(self, request: Req, body: Dict[str, Any]) -> Reply:
        self.emulator.reset(keep_tokens=bool(body.get("keep_tokens", False)))
        return json_reply(200, {"status": "success"})

    def clock(self, request: Req, body: Dict[str, Any]) -> Reply:
        clock = self.emulator.clock
        if request.method == "POST":
            try:
                clock.advance(float(body.get("advance", 0)))
            except (TypeError, ValueError) as exc:
                raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"now": iso(clock.now()), "offset": clock.offset})

    def rate_limit(self, request: Req, body: Dict[str, Any]) -> Reply:
        per_second = body.get("per_second")
        try:
            self.emulator.rate_limit(
                body.get("vehicle_id"), None if per_second is None else float(per_second)
            )
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"status": "success"})

    def app_rate_limit(self, request: Req, body: Dict[str, Any]) -> Reply:
        try:
            self.emulator.app_rate_limit(body.get("capacity"), body.get("refill_per_minute", 2.0))
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"status": "success"})

    def monthly_limit(self, request: Req, body: Dict[str, Any]) -> Reply:
        try:
            self.emulator.monthly_limit(body.get("calls"), body.get("vehicle_id"))
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"status": "success"})

    def calls(self, request: Req, body: Dict[str, Any]) -> Reply:
        vehicle_id = request.args.get("vehicle_id")
        if not vehicle_id:
            raise Problem("VALIDATION", "Name a vehicle_id.")
        month = request.args.get("month") or None
        calls = self.emulator.calls(vehicle_id, month)
        return json_reply(200, {"vehicle_id": vehicle_id, "calls": calls})

    def tokens(self, request: Req, body: Dict[str, Any]) -> Reply:
        try:
            issued = self.emulator.issue_tokens(
                scope=body.get("scope"), user=body.get("user"), make=body.get("make")
            )
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        for name in ("expiration", "refresh_expiration"):
            issued[name] = iso(issued[name].replace(tzinfo=timezone.utc))
        return json_reply(200, issued)

    def vehicles(self, request: Req, body: Dict[str, Any]) -> Reply:
        garage = self.emulator.vehicles(request.args.get("user"))
        return json_reply(200, {"vehicles": [vehicle_state(vehicle) for vehicle in garage]})

    def redirect_uris(self, request: Req, body: Dict[str, Any]) -> Reply:
        uri = body.get("uri")
        if not isinstance(uri, str) or not uri:
            raise Problem("VALIDATION", 'Send {"uri": "..."}.')
        self.emulator.add_redirect_uri(uri)
        return json_reply(200, {"redirect_uris": self.emulator.redirect_uris})

    # ------------------------------------------------------------------ v3: webhooks, fleet
    def webhooks(self, request: Req, body: Dict[str, Any]) -> Reply:
        hooks = [webhook_json(hook) for hook in self.emulator.v3.webhooks()]
        return json_reply(200, {"webhooks": hooks})

    def new_webhook(self, request: Req, body: Dict[str, Any]) -> Reply:
        """A webhook as the Dashboard configures it (VERIFY is sent unless ``verify`` is
        false): ``{"name", "callback_uri", "triggers", "data", "error_callback_uri",
        "auto_subscribe", "verify"}``."""
        unknown = set(body) - _WEBHOOK_FIELDS
        if unknown:
            raise Problem("VALIDATION", f"Unknown webhook fields: {sorted(unknown)}.")
        name, uri = body.get("name"), body.get("callback_uri")
        if not isinstance(name, str) or not isinstance(uri, str):
            raise Problem("VALIDATION", 'Send at least {"name": "...", "callback_uri": "..."}.')
        try:
            hook = self.emulator.v3.add_webhook(
                name,
                uri,
                triggers=_codes(body.get("triggers")),
                data=_codes(body.get("data")),
                error_callback_uri=body.get("error_callback_uri"),
                auto_subscribe=bool(body.get("auto_subscribe", False)),
                verify=bool(body.get("verify", True)),
            )
        except ValueError as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(201, webhook_json(hook))

    def verify_webhook(self, request: Req, body: Dict[str, Any], webhook_id: str) -> Reply:
        """``{"callback_uri"}`` changes the URI and verifies again; ``{}`` verifies again."""
        controls = self.emulator.v3
        uri = body.get("callback_uri")
        try:
            if uri is None:
                hook = controls.verify_webhook(webhook_id)
            elif isinstance(uri, str) and uri:
                hook = controls.set_webhook_uri(webhook_id, uri)
            else:
                raise Problem("VALIDATION", "callback_uri must be a non-empty string.")
        except KeyError:
            raise Problem("RESOURCE_NOT_FOUND", f"No webhook {webhook_id}.") from None
        except ValueError as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, webhook_json(hook))

    def deliveries(self, request: Req, body: Dict[str, Any]) -> Reply:
        log = self.emulator.v3.deliveries.log()
        return json_reply(200, {"deliveries": [item.to_json() for item in log]})

    def v3_connect(self, request: Req, body: Dict[str, Any]) -> Reply:
        try:
            user_id = self.emulator.v3.connect(
                user=body.get("user"),
                permissions=body.get("permissions"),
                mode=str(body.get("mode", "live")),
                external_id=body.get("external_id"),
            )
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"user_id": user_id})

    def v3_vehicles(self, request: Req, body: Dict[str, Any]) -> Reply:
        controls = self.emulator.v3
        try:
            vehicles = controls.add_vehicles(
                body.get("count", 1),
                user=str(body.get("user") or "fleet@example.com"),
                kind=body.get("kind"),
                make=body.get("make"),
            )
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None
        owner = controls.user_id(vehicles[0].owner) if vehicles else None
        return json_reply(200, {"user_id": owner, "vehicle_ids": [item.id for item in vehicles]})

    def latency(self, request: Req, body: Dict[str, Any]) -> Reply:
        if request.method == "POST":
            try:
                self.emulator.latency = float(body.get("seconds", 0))
            except (TypeError, ValueError) as exc:
                raise Problem("VALIDATION", str(exc)) from None
        return json_reply(200, {"seconds": self.emulator.latency})

    def add_fault(self, body: Dict[str, Any]) -> Fault:
        unknown = set(body) - _FAULT_FIELDS
        if unknown:
            raise Problem("VALIDATION", f"Unknown fault fields: {sorted(unknown)}.")
        try:
            return self.emulator.faults.add(**body)
        except (TypeError, ValueError) as exc:
            raise Problem("VALIDATION", str(exc)) from None


def webhook_json(hook: Webhook) -> Dict[str, Any]:
    return {
        "id": hook.id,
        "name": hook.name,
        "callback_uri": hook.callback_uri,
        "error_callback_uri": hook.error_callback_uri,
        "triggers": list(hook.triggers),
        "data": list(hook.data),
        "auto_subscribe": hook.auto_subscribe,
        "is_enabled": hook.is_enabled,
        "created_at": iso(hook.created_at),
    }


def _codes(value: Any) -> List[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Problem("VALIDATION", "triggers and data are lists of signal codes.")
    return list(value)
