"""JSON:API resources of the v3 registries: connections, webhooks, subscriptions.

``base`` is the absolute ``.../v3`` URL the request came to (links are absolute, as the
live service writes them)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.v3.jsonapi import iso
from smartcar.emulator.v3.registry import Connection, Subscription, Webhook
from smartcar.emulator.v3.signals import BY_CODE, POWERTRAINS


def vehicle_summary(vehicle: Optional[SimVehicle], mode: str) -> Dict[str, Any]:
    """``{make, model, year, mode, powertrainType}`` (nulls for a vanished vehicle)."""
    if vehicle is None:
        return {"make": None, "model": None, "year": None, "mode": mode, "powertrainType": None}
    return {
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
        "mode": mode,
        "powertrainType": POWERTRAINS.get(vehicle.kind, "ICE"),
    }


def connection_resource(
    connection: Connection,
    vehicle: Optional[SimVehicle],
    base: str,
    external_id: Optional[str] = None,
) -> Dict[str, Any]:
    user: Dict[str, Any] = {"id": connection.user_id}
    if external_id is not None:
        user["externalId"] = external_id
    return {
        "id": connection.id,
        "type": "connection",
        "attributes": {
            "permissions": list(connection.permissions),
            "vehicle": vehicle_summary(vehicle, connection.mode),
            "user": user,
        },
        "relationships": {
            "vehicle": {
                "data": {"id": connection.vehicle_id, "type": "vehicle"},
                "links": {"related": f"{base}/vehicles/{connection.vehicle_id}"},
            },
            "user": {"data": {"id": connection.user_id, "type": "user"}},
        },
        "meta": {"createdAt": iso(connection.created_at), "updatedAt": iso(connection.updated_at)},
        "links": {"self": f"{base}/connections/{connection.id}"},
    }


def _signal_ref(code: str) -> Dict[str, str]:
    signal = BY_CODE.get(code)
    if signal is None:
        return {"group": "", "name": "", "code": code}
    return {"group": signal.group, "name": signal.name, "code": code}


def webhook_resource(webhook: Webhook, base: str) -> Dict[str, Any]:
    return {
        "id": webhook.id,
        "type": "webhook",
        "attributes": {
            "name": webhook.name,
            "callbackUri": webhook.callback_uri,
            "isEnabled": webhook.is_enabled,
            "triggers": [_signal_ref(code) for code in webhook.triggers],
            "data": [_signal_ref(code) for code in webhook.data],
            "errorCallbackUri": webhook.error_callback_uri,
            "autoSubscribe": webhook.auto_subscribe,
        },
        "links": {"self": f"{base}/webhooks/{webhook.id}"},
        "meta": {"createdAt": iso(webhook.created_at)},
    }


def subscription_resource(
    subscription: Subscription, vehicle: Optional[SimVehicle], mode: str, base: str
) -> Dict[str, Any]:
    return {
        "type": "subscription",
        "id": subscription.id,
        "attributes": {"vehicle": vehicle_summary(vehicle, mode)},
        "meta": {
            "createdAt": iso(subscription.created_at),
            "updatedAt": iso(subscription.updated_at),
        },
        "relationships": {
            "webhook": {
                "data": {"type": "webhook", "id": subscription.webhook_id},
                "links": {"related": f"{base}/webhooks/{subscription.webhook_id}"},
            },
            "user": {"data": {"type": "user", "id": subscription.user_id}},
            "vehicle": {"data": {"type": "vehicle", "id": subscription.vehicle_id}},
        },
        "links": {"self": f"{base}/subscriptions/{subscription.id}"},
    }
