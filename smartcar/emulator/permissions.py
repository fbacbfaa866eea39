"""Permission (scope) names the emulator knows, and what each one grants."""

from __future__ import annotations

from typing import Dict, Iterable, List, Tuple

# Permissions with endpoints in the v1.0 wire protocol, in the order the API lists them.
PERMISSIONS: Tuple[str, ...] = (
    "read_vehicle_info",
    "read_vin",
    "read_location",
    "read_odometer",
    "read_fuel",
    "read_battery",
    "read_charge",
    "control_charge",
    "read_engine_oil",
    "read_tires",
    "control_security",
)
# Permissions that only v2.0 endpoints need (lock status, navigation, service history,
# diagnostics).
V2_PERMISSIONS: Tuple[str, ...] = (
    "read_security",
    "control_navigation",
    "read_service_history",
    "read_diagnostics",
)
# What a token gets when no scope is asked for: every permission an endpoint here needs.
DEFAULT_SCOPE: Tuple[str, ...] = PERMISSIONS + V2_PERMISSIONS
# Further real permission names that Connect accepts (no v1.0 endpoint needs them).
OTHER_PERMISSIONS: Tuple[str, ...] = (
    "read_user_profile",
    "read_thermometer",
    "read_speedometer",
    "read_compass",
    "read_security",
    "read_climate",
    "control_climate",
    "control_trunk",
    "control_navigation",
    "read_extended_vehicle_info",
    "read_service_history",
    "read_diagnostics",
)
KNOWN_PERMISSIONS = frozenset(PERMISSIONS + OTHER_PERMISSIONS)

DESCRIPTIONS: Dict[str, str] = {
    "read_vehicle_info": "Know your vehicle's make, model and year",
    "read_vin": "Read your vehicle's VIN",
    "read_location": "Access your vehicle's location",
    "read_odometer": "Read the total distance your vehicle has travelled",
    "read_fuel": "Read the fuel level and range",
    "read_battery": "Read the battery's charge level, range and capacity",
    "read_charge": "Know whether your vehicle is plugged in and charging",
    "control_charge": "Start or stop charging",
    "read_engine_oil": "Read the remaining engine oil life",
    "read_tires": "Read the tire pressures",
    "control_security": "Lock or unlock your vehicle",
    "read_user_profile": "Read your account profile",
    "read_thermometer": "Read the temperatures inside and outside",
    "read_speedometer": "Read your vehicle's speed",
    "read_compass": "Read your vehicle's heading",
    "read_security": "Know whether doors, windows and trunk are locked or open",
    "read_climate": "Read the climate control settings",
    "control_climate": "Change the climate control settings",
    "control_trunk": "Open or close the trunk",
    "control_navigation": "Send destinations to the navigation system",
    "read_extended_vehicle_info": "Read your vehicle's configuration",
    "read_service_history": "Read your vehicle's service records",
    "read_diagnostics": "Read your vehicle's diagnostic system status and trouble codes",
}


def parse_scope(value: str) -> Tuple[List[str], List[str]]:
    """Split a space-separated scope string into (permission names, unknown names).

    A ``required:`` prefix marks a permission as required; it is stripped here.
    """
    names: List[str] = []
    unknown: List[str] = []
    for word in value.split():
        name = word[len("required:") :] if word.startswith("required:") else word
        if name not in KNOWN_PERMISSIONS:
            unknown.append(word)
        elif name not in names:
            names.append(name)
    return names, unknown


def ordered(names: Iterable[str]) -> List[str]:
    """``names`` in the canonical order (known endpoint permissions first)."""
    rank: Dict[str, int] = {}
    for name in DEFAULT_SCOPE + OTHER_PERMISSIONS:
        rank.setdefault(name, len(rank))
    return sorted(set(names), key=lambda name: rank.get(name, len(rank)))
