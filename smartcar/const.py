"""Service origins and protocol constants.

The URL constants are resolved each time they are read, in this order:

1. an explicit assignment, ``smartcar.const.API_URL = "http://127.0.0.1:8000/v1.0"``;
2. the origin in the environment variable, read at that moment (``SMARTCAR_API_ORIGIN``, ...);
3. the default origin.

An environment variable may also hold the whole URL of a service whose path is fixed: the
official 6.x SDK reads ``SMARTCAR_AUTH_ORIGIN`` as the token URL
(``https://auth.smartcar.com/oauth/token``), and so does this one.

The origin (scheme, host, port; any trailing ``/`` dropped) is followed by the path of that
service. ``API_URL`` ends with ``/v`` and the API version in force (see
:func:`smartcar.set_api_version`), an assigned one too: its ``/vX.Y`` follows the version.
The SDK reads these attributes when it makes a request, so an environment variable set after
``import smartcar`` (in a ``conftest.py``, say) takes effect.

Assigning the value the constant resolves to at that moment (as ``monkeypatch``'s undo and
``saved = const.X; ...; const.X = saved`` do when nothing else changed) keeps it "resolved at
read time": it does not freeze the value. Deleting the attribute
(``del smartcar.const.API_URL``) puts it back to resolution at read time too.
"""

from __future__ import annotations

import os
import re
import sys
import types
from typing import Any, Dict, List, NamedTuple

from ._settings import get_api_version

__all__ = [
    "API_URL",
    "API_VERSION",
    "AUTH_URL",
    "CONNECT_URL",
    "DATA_AGE_HEADER",
    "IAM_URL",
    "MANAGEMENT_API_URL",
    "MANAGEMENT_API_V3_URL",
    "ORIGINS",
    "REQUEST_ID_HEADER",
    "UNIT_SYSTEMS",
    "UNIT_SYSTEM_HEADER",
    "VEHICLE_API_V3_URL",
    "Origin",
    "api_url",
    "resolve",
]


class Origin(NamedTuple):
    """Where a URL constant comes from: its environment variable, default origin and path."""

    env_var: str
    default: str
    path: str


ORIGINS: Dict[str, Origin] = {
    "CONNECT_URL": Origin("SMARTCAR_CONNECT_ORIGIN", "https://connect.smartcar.com", ""),
    "AUTH_URL": Origin("SMARTCAR_AUTH_ORIGIN", "https://auth.smartcar.com", "/oauth/token"),
    "API_URL": Origin("SMARTCAR_API_ORIGIN", "https://api.smartcar.com", "/v{version}"),
    "IAM_URL": Origin("SMARTCAR_IAM_ORIGIN", "https://iam.smartcar.com", "/oauth2/token"),
    "VEHICLE_API_V3_URL": Origin(
        "SMARTCAR_VEHICLE_API_V3_ORIGIN", "https://vehicle.api.smartcar.com", "/v3"
    ),
    "MANAGEMENT_API_V3_URL": Origin(
        "SMARTCAR_MANAGEMENT_API_V3_ORIGIN", "https://management.api.smartcar.com", "/v3"
    ),
    "MANAGEMENT_API_URL": Origin(
        "SMARTCAR_MANAGEMENT_API_ORIGIN", "https://management.smartcar.com", "/v2.0/management"
    ),
}
"""Every URL constant: name -> (environment variable, default origin, path after the origin)."""

# Declared for type checkers; the values come from ``_ConstModule.__getattr__``.
CONNECT_URL: str
AUTH_URL: str
API_URL: str
IAM_URL: str
VEHICLE_API_V3_URL: str
MANAGEMENT_API_V3_URL: str
MANAGEMENT_API_URL: str
API_VERSION: str
"""The API version in force, ``"1.0"`` or ``"2.0"`` (read only; see ``set_api_version``)."""

UNIT_SYSTEM_HEADER = "sc-unit-system"
DATA_AGE_HEADER = "sc-data-age"
REQUEST_ID_HEADER = "sc-request-id"
UNIT_SYSTEMS = ("metric", "imperial")


def _api_version() -> str:
    return get_api_version()


def resolve(name: str, version: Any = None) -> str:
    """Return the URL constant ``name`` as resolved now, ignoring any explicit assignment.

    Args:
        name: a key of :data:`ORIGINS`.
        version: the API version for ``API_URL``; defaults to the version in force.

    Raises:
        KeyError: ``name`` is not a URL constant.
    """
    origin = ORIGINS[name]
    base = (os.environ.get(origin.env_var) or origin.default).strip().rstrip("/")
    path = origin.path
    if "{version}" in path:
        path = path.format(version=version if version is not None else _api_version())
    elif path and base.endswith(path):
        return base  # the full URL, as the official 6.x SDK reads SMARTCAR_AUTH_ORIGIN
    return base + path


_NAMESPACE = globals()
"""This module's ``__dict__``, where an assignment to a constant lives (read without going
through ``_ConstModule.__getattribute__``)."""


def current(name: str) -> str:
    """Return the URL constant ``name`` as it stands now: its assigned value, else as
    :func:`resolve` gives it (what ``smartcar.const.<name>`` reads, without the attribute
    lookup's detour).

    Raises:
        KeyError: ``name`` is not a URL constant.
    """
    if name not in ORIGINS:
        raise KeyError(name)
    assigned = _NAMESPACE.get(name)
    return assigned if isinstance(assigned, str) else resolve(name)


_VERSION_SUFFIX = re.compile(r"/v\d+(?:\.\d+)?/?$")


def _with_version(url: str, version: str) -> str:
    """``url`` with its trailing ``/vX.Y`` replaced by ``/v`` + ``version`` (if it has one)."""
    match = _VERSION_SUFFIX.search(url)
    if match is None:
        return url
    return url[: match.start()] + "/v" + version


def api_url(version: Any = None) -> str:
    """Return the API URL of a call on API ``version`` (default: the version in force).

    An explicit ``API_URL`` assignment gives the origin (and any path before the version);
    its trailing ``/vX.Y`` is the call's version, so ``API_URL`` always reflects the version
    in force and ``Vehicle(version="1.0")`` reaches ``/v1.0`` on the same origin. An assigned
    URL without a ``/vX.Y`` at its end is used as it is.
    """
    chosen = version if version is not None else _api_version()
    # An assignment lives in the module's __dict__ (where monkeypatch looks for it).
    explicit = sys.modules[__name__].__dict__.get("API_URL")
    if explicit is None:
        return resolve("API_URL", chosen)
    return _with_version(explicit, chosen)


def _was_resolved(name: str, value: Any) -> bool:
    """Whether ``value`` is what constant ``name`` resolves to now, without assignment."""
    try:
        return bool(value == resolve(name))
    except ValueError:  # SMARTCAR_API_VERSION holds an unsupported version
        return False


class _ConstModule(types.ModuleType):
    def __getattribute__(self, name: str) -> Any:
        if name == "API_URL":
            return api_url()  # an assigned API_URL too: its /vX.Y follows the version
        return super().__getattribute__(name)

    def __getattr__(self, name: str) -> str:
        if name in ORIGINS:
            return resolve(name)
        if name == "API_VERSION":
            return _api_version()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "API_VERSION":
            raise AttributeError("use smartcar.set_api_version() to change the API version")
        if name in ORIGINS:
            if not isinstance(value, str):
                raise TypeError(f"smartcar.const.{name} must be a string URL")
            if _was_resolved(name, value):
                # A value read from here and put back means "resolved at read time" again.
                self.__dict__.pop(name, None)
                return
        super().__setattr__(name, value)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(ORIGINS) | {"API_VERSION"})

    def __delattr__(self, name: str) -> None:
        if name in ORIGINS:
            self.__dict__.pop(name, None)
            return
        super().__delattr__(name)


sys.modules[__name__].__class__ = _ConstModule
