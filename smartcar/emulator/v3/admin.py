"""The v3 admin endpoints under ``/_emulator`` (the routes/admin.py app delegates here):
webhooks as the Dashboard configures them, the delivery log, v3 connections and fleets,
and the per-request latency.

- ``GET /_emulator/webhooks``; ``POST /_emulator/webhooks`` ``{"name", "callback_uri",
  "triggers", "data", "error_callback_uri", "auto_subscribe", "verify"}`` (VERIFY is sent
  unless ``verify`` is false); ``POST /_emulator/webhooks/{id}`` ``{"callback_uri"}``
  (changes it and verifies again) or ``{}`` (verify again);
- ``GET /_emulator/deliveries`` (the delivery log, oldest first);
- ``POST /_emulator/v3/connect`` ``{"user", "permissions", "mode", "external_id"}``;
  ``POST /_emulator/v3/vehicles`` ``{"count", "user", "kind", "make"}``;
- ``GET``/``POST /_emulator/latency`` ``{"seconds"}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from smartcar.emulator.v3.jsonapi import iso
from smartcar.emulator.v3.registry import Webhook

if TYPE_CHECKING:
    from smartcar.emulator.app import EmulatorApp

Answer = Tuple[int, Dict[str, Any]]
_WEBHOOK_FIELDS = {
    "name", "callback_uri", "triggers", "data", "error_callback_uri", "auto_subscribe", "verify",
}  # fmt: skip


class AdminProblem(Exception):
    """A bad admin request: ``status`` (400/404) and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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


def answer(emulator: EmulatorApp, method: str, sub: str, body: Dict[str, Any]) -> Optional[Answer]:
    """The answer to a v3 admin request, or None when ``sub`` is not one of these routes.

    Raises:
        AdminProblem: a malformed body or an unknown webhook.
    """
    controls = emulator.v3
    if sub == "/webhooks":
        if method == "POST":
            return 201, webhook_json(_add_webhook(emulator, body))
        hooks = [webhook_json(hook) for hook in controls.webhooks()]
        return 200, {"webhooks": hooks}
    if sub.startswith("/webhooks/") and method == "POST":
        webhook_id = sub[len("/webhooks/") :]
        uri = body.get("callback_uri")
        try:
            if uri is None:
                hook = controls.verify_webhook(webhook_id)
            elif isinstance(uri, str) and uri:
                hook = controls.set_webhook_uri(webhook_id, uri)
            else:
                raise AdminProblem(400, "callback_uri must be a non-empty string.")
        except KeyError:
            raise AdminProblem(404, f"No webhook {webhook_id}.") from None
        return 200, webhook_json(hook)
    if sub == "/deliveries" and method in ("GET", "HEAD"):
        return 200, {"deliveries": [item.to_json() for item in controls.deliveries.log()]}
    if sub == "/v3/connect" and method == "POST":
        try:
            user_id = controls.connect(
                user=body.get("user"),
                permissions=body.get("permissions"),
                mode=str(body.get("mode", "live")),
                external_id=body.get("external_id"),
            )
        except (TypeError, ValueError) as exc:
            raise AdminProblem(400, str(exc)) from None
        return 200, {"user_id": user_id}
    if sub == "/v3/vehicles" and method == "POST":
        try:
            vehicles = controls.add_vehicles(
                body.get("count", 1),
                user=str(body.get("user") or "fleet@example.com"),
                kind=body.get("kind"),
                make=body.get("make"),
            )
        except (TypeError, ValueError) as exc:
            raise AdminProblem(400, str(exc)) from None
        owner = controls.user_id(vehicles[0].owner) if vehicles else None
        return 200, {"user_id": owner, "vehicle_ids": [vehicle.id for vehicle in vehicles]}
    if sub == "/latency":
        if method == "POST":
            try:
                emulator.latency = float(body.get("seconds", 0))
            except (TypeError, ValueError) as exc:
                raise AdminProblem(400, str(exc)) from None
        return 200, {"seconds": emulator.latency}
    return None


def _add_webhook(emulator: EmulatorApp, body: Dict[str, Any]) -> Webhook:
    unknown = set(body) - _WEBHOOK_FIELDS
    if unknown:
        raise AdminProblem(400, f"Unknown webhook fields: {sorted(unknown)}.")
    name, uri = body.get("name"), body.get("callback_uri")
    if not isinstance(name, str) or not isinstance(uri, str):
        raise AdminProblem(400, 'Send at least {"name": "...", "callback_uri": "..."}.')
    try:
        return emulator.v3.add_webhook(
            name,
            uri,
            triggers=_codes(body.get("triggers")),
            data=_codes(body.get("data")),
            error_callback_uri=body.get("error_callback_uri"),
            auto_subscribe=bool(body.get("auto_subscribe", False)),
            verify=bool(body.get("verify", True)),
        )
    except ValueError as exc:
        raise AdminProblem(400, str(exc)) from None


def _codes(value: Any) -> List[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AdminProblem(400, "triggers and data are lists of signal codes.")
    return list(value)
