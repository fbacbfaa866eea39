"""A local, stateful Smartcar: Connect pages, the token endpoint and the v1.0 API on one origin.

Run it standalone with ``python -m smartcar.emulator`` or in-process::

    from smartcar.emulator import Emulator

    with Emulator(seed=0) as emu:   # serves on a free loopback port, re-points smartcar.const
        tokens = emu.issue_tokens()
        ...

Importing this package is cheap: the server (and werkzeug) load on first use of
``Emulator``, ``EmulatorApp`` or ``connect``, so the pytest plugin costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

DEFAULT_CLIENT_ID = "emulator-client-id"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/callback"
DEFAULT_USER = "driver@example.com"
DEFAULT_PASSWORD = "secret"
DEFAULT_MANAGEMENT_TOKEN = "emulator-management-token"
WERKZEUG_MISSING = (
    "smartcar.emulator needs werkzeug, which is not installed: run "
    "`pip install werkzeug` (or `pip install 'smartcar-sdk-next[emulator]'`)"
)


def is_werkzeug_missing(exc: ImportError) -> bool:
    """Whether ``exc`` is the failure to import werkzeug (not some other import error)."""
    name = str(exc.name or "")
    return name == "werkzeug" or name.startswith("werkzeug.")


if TYPE_CHECKING:
    from smartcar.emulator._clock import Clock
    from smartcar.emulator.app import EmulatorApp
    from smartcar.emulator.client import ConnectError, connect
    from smartcar.emulator.faults import Fault, FaultSet
    from smartcar.emulator.fleet import SimVehicle
    from smartcar.emulator.middleware import RequestRecord
    from smartcar.emulator.server import Emulator
    from smartcar.emulator.state import EmulatorState

_LAZY = {
    "Clock": "smartcar.emulator._clock",
    "EmulatorApp": "smartcar.emulator.app",
    "RequestRecord": "smartcar.emulator.middleware",
    "EmulatorState": "smartcar.emulator.state",
    "ConnectError": "smartcar.emulator.client",
    "connect": "smartcar.emulator.client",
    "Fault": "smartcar.emulator.faults",
    "FaultSet": "smartcar.emulator.faults",
    "SimVehicle": "smartcar.emulator.fleet",
    "Emulator": "smartcar.emulator.server",
}

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_MANAGEMENT_TOKEN",
    "DEFAULT_PASSWORD",
    "DEFAULT_REDIRECT_URI",
    "DEFAULT_USER",
    "Clock",
    "ConnectError",
    "Emulator",
    "EmulatorApp",
    "EmulatorState",
    "Fault",
    "FaultSet",
    "RequestRecord",
    "SimVehicle",
    "connect",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'smartcar.emulator' has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if not is_werkzeug_missing(exc):
            raise
        raise ImportError(WERKZEUG_MISSING, name=exc.name) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
