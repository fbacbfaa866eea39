"""The v2.0 management API (``get_connections``, ``delete_connections``): its own version
(v2.0) whatever the vehicle API version in force, HTTP Basic ``default:<management token>``,
the official 6.x SDK's trailing slash."""

from __future__ import annotations

from typing import Dict

from . import Endpoint, delete, read

__all__ = ["ENDPOINTS"]

_SERVICE = "MANAGEMENT_API_URL"

ENDPOINTS: Dict[str, Endpoint] = {
    "connections": read("connections/", unit_system=False, auth="management", service=_SERVICE),
    "delete_connections": delete("connections/", auth="management", service=_SERVICE),
}
