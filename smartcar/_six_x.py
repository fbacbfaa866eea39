"""The names the official 6.x SDK spells differently, and what to write here instead.

Used only to word an ``AttributeError``: an app moving from 6.x learns the equivalent and where
every 6.x call is mapped (:data:`MIGRATION_PAGE`).
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["MIGRATION_PAGE", "MODULE_NAMES", "VEHICLE_METHODS", "no_attribute"]

MIGRATION_PAGE = "docs/migrating-from-6x.md"

MODULE_NAMES: Mapping[str, str] = {
    "get_vehicles": "smartcar.get_vehicle_ids(access_token) (a dict: 'vehicles', 'paging')",
    "get_user": "smartcar.get_user_id(access_token) (the id itself, a str)",
    "exception": "the module smartcar.exceptions",
    "config": "the module smartcar.const (API_URL, AUTH_URL, CONNECT_URL...) or the "
    "SMARTCAR_*_ORIGIN variables",
}
"""Attributes of the 6.x ``smartcar`` module."""

VEHICLE_METHODS: Mapping[str, str] = {
    "get_signals": "API v3 signals through smartcar.v3: "
    "client.vehicle(vehicle_id, user_id).signals()",
    "get_signal": "API v3 signals through smartcar.v3: "
    "client.vehicle(vehicle_id, user_id).signal(code)",
    "engine_oil": "vehicle.oil() (smartcar 4.3's name)",
}
"""Methods of the 6.x ``smartcar.Vehicle``."""


def no_attribute(owner: str, name: str, equivalents: Mapping[str, str]) -> str:
    """The message of the ``AttributeError`` for ``owner.name`` (``owner`` as Python words it,
    e.g. ``"module 'smartcar'"``), naming the equivalent when ``name`` is a 6.x name."""
    message = f"{owner} has no attribute {name!r}"
    equivalent = equivalents.get(name)
    if equivalent is None:
        return message
    return (
        f"{message}: {name!r} is the official 6.x SDK's name; here use {equivalent} "
        f"(every 6.x call and its equivalent: {MIGRATION_PAGE})"
    )
