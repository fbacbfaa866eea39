"""The admin endpoints under ``/_emulator`` (clock, faults, rate limits, tokens, vehicles,
log, reset, redirect URIs; v3 webhooks, deliveries, connections and latency come from
:mod:`smartcar.emulator.v3.admin`). Never logged, never faulted; the AdminGuard middleware
keeps web pages and foreign Host names out."""

from __future__ import annotations

from datetime import timezone
from typing import TYPE_CHECKING, Any, Dict, Iterable

from smartcar.emulator.faults import Fault
from smartcar.emulator.state import vehicle_state
from smartcar.emulator.v3 import admin as v3_admin
from smartcar.emulator.web import BadJson, Reply, Req, iso, json_reply, parse_json, request_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from smartcar.emulator.app import EmulatorApp

PREFIX = "/_emulator"
_FAULT_FIELDS = {
    "pattern", "status", "count", "latency", "drop", "retry_after", "body", "method",
    "error", "code", "message", "headers", "content_type",
}  # fmt: skip


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_admin_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class AdminApp:
    """The admin endpoints of one :class:`~smartcar.emulator.app.EmulatorApp`."""

    def __init__(self, emulator: EmulatorApp) -> None:
        self.emulator = emulator

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Req.of(environ)
        try:
            reply = self.answer(request)
        except AdminError as exc:
            error = "validation_error" if exc.status == 400 else "resource_not_found_error"
            reply = json_reply(exc.status, {"error": error, "message": exc.message})
        except Exception as exc:  # pragma: no cover - admin misuse
            reply = json_reply(500, {"error": "server_error", "message": repr(exc)})
        return reply.send(start_response)

    def answer(self, request: Req) -> Reply:
        emulator = self.emulator
        method = request.method
        sub = request.path[len(PREFIX) :].rstrip("/")
        body: Dict[str, Any] = {}
        raw = request_body(request.environ) if method in ("POST", "PUT") else b""
        if raw.strip():
            try:
                payload = parse_json(raw)
            except BadJson as exc:
                raise AdminError(400, f"The body is {exc}.") from None
            if not isinstance(payload, dict):
                raise AdminError(400, "The body must be a JSON object.")
            body = payload
        if sub == "" and method == "GET":
            return json_reply(200, emulator.describe())
        if sub == "/log":
            if method == "DELETE":
                emulator.clear_log()
                return json_reply(200, {"status": "success"})
            records = [record.to_json() for record in list(emulator.request_log)]
            return json_reply(200, {"requests": records})
        if sub == "/faults":
            if method == "POST":
                return json_reply(201, self.add_fault(body).to_json())
            if method == "DELETE":
                emulator.faults.clear()
                return json_reply(200, {"status": "success"})
            return json_reply(
                200, {"faults": [fault.to_json() for fault in emulator.faults.active]}
            )
        if sub.startswith("/faults/") and method == "DELETE":
            try:
                emulator.faults.remove(int(sub[len("/faults/") :]))
            except ValueError:
                raise AdminError(400, "Fault ids are integers.") from None
            return json_reply(200, {"status": "success"})
        if sub == "/reset" and method == "POST":
            emulator.reset(keep_tokens=bool(body.get("keep_tokens", False)))
            return json_reply(200, {"status": "success"})
        if sub == "/clock":
            if method == "POST":
                try:
                    emulator.clock.advance(float(body.get("advance", 0)))
                except (TypeError, ValueError) as exc:
                    raise AdminError(400, str(exc)) from None
            clock = emulator.clock
            return json_reply(200, {"now": iso(clock.now()), "offset": clock.offset})
        if sub == "/rate-limit" and method == "POST":
            per_second = body.get("per_second")
            try:
                emulator.rate_limit(
                    body.get("vehicle_id"), None if per_second is None else float(per_second)
                )
            except (TypeError, ValueError) as exc:
                raise AdminError(400, str(exc)) from None
            return json_reply(200, {"status": "success"})
        if sub == "/app-rate-limit" and method == "POST":
            try:
                emulator.app_rate_limit(body.get("capacity"), body.get("refill_per_minute", 2.0))
            except (TypeError, ValueError) as exc:
                raise AdminError(400, str(exc)) from None
            return json_reply(200, {"status": "success"})
        if sub == "/monthly-limit" and method == "POST":
            try:
                emulator.monthly_limit(body.get("calls"), body.get("vehicle_id"))
            except (TypeError, ValueError) as exc:
                raise AdminError(400, str(exc)) from None
            return json_reply(200, {"status": "success"})
        if sub == "/calls" and method == "GET":
            vehicle_id = request.args.get("vehicle_id")
            if not vehicle_id:
                raise AdminError(400, "Name a vehicle_id.")
            month = request.args.get("month") or None
            return json_reply(
                200, {"vehicle_id": vehicle_id, "calls": emulator.calls(vehicle_id, month)}
            )
        if sub == "/tokens" and method == "POST":
            try:
                issued = emulator.issue_tokens(
                    scope=body.get("scope"), user=body.get("user"), make=body.get("make")
                )
            except (TypeError, ValueError) as exc:
                raise AdminError(400, str(exc)) from None
            for name in ("expiration", "refresh_expiration"):
                issued[name] = iso(issued[name].replace(tzinfo=timezone.utc))
            return json_reply(200, issued)
        if sub == "/vehicles" and method == "GET":
            garage = emulator.vehicles(request.args.get("user"))
            return json_reply(200, {"vehicles": [vehicle_state(vehicle) for vehicle in garage]})
        if sub == "/redirect-uris" and method == "POST":
            uri = body.get("uri")
            if not isinstance(uri, str) or not uri:
                raise AdminError(400, 'Send {"uri": "..."}.')
            emulator.add_redirect_uri(uri)
            return json_reply(200, {"redirect_uris": emulator.redirect_uris})
        try:
            v3 = v3_admin.answer(emulator, method, sub, body)
        except v3_admin.AdminProblem as exc:
            raise AdminError(exc.status, exc.message) from None
        if v3 is not None:
            return json_reply(*v3)
        raise AdminError(404, f"No admin route {method} {request.path}.")

    def add_fault(self, body: Dict[str, Any]) -> Fault:
        unknown = set(body) - _FAULT_FIELDS
        if unknown:
            raise AdminError(400, f"Unknown fault fields: {sorted(unknown)}.")
        try:
            return self.emulator.faults.add(**body)
        except (TypeError, ValueError) as exc:
            raise AdminError(400, str(exc)) from None
