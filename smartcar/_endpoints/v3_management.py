"""The v3 management API (``MANAGEMENT_API_V3_URL``): webhooks and subscriptions, with the
application token."""

from __future__ import annotations

from typing import Dict

from . import Endpoint, command, delete, read

__all__ = ["ENDPOINTS"]

_SERVICE = "MANAGEMENT_API_V3_URL"


def _read(path: str) -> Endpoint:
    return read(path, unit_system=False, auth="app", service=_SERVICE)


ENDPOINTS: Dict[str, Endpoint] = {
    "webhooks": _read("webhooks"),
    "webhook": _read("webhooks/{webhook_id}"),
    "subscribe": command("subscriptions", fields=(), auth="app", service=_SERVICE),
    "subscriptions": _read("subscriptions"),
    "subscription": _read("subscriptions/{subscription_id}"),
    "unsubscribe": delete("subscriptions/{subscription_id}", auth="app", service=_SERVICE),
}
