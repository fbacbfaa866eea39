"""``get_compatibility``: the compatibility endpoint with v2's per-permission capabilities."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, List, Mapping, Optional, Union, cast

from . import _calls
from ._answers import body_object
from ._checks import non_empty_str, optional_str, str_items
from ._config import Config, Timeout
from ._results import Result

if TYPE_CHECKING:
    from .types import Compatibility

__all__ = ["get_compatibility"]

CLIENT_ID_ENV = "SMARTCAR_CLIENT_ID"
CLIENT_SECRET_ENV = "SMARTCAR_CLIENT_SECRET"

Flags = Union[str, Iterable[str], Mapping[str, Any]]


def get_compatibility(
    vin: str,
    scope: Union[str, Iterable[str]],
    country: str = "US",
    *,
    client_id: Optional[str] = None,
    client_secret: Optional[str] = None,
    flags: Optional[Flags] = None,
    version: Optional[str] = None,
    timeout: Optional[Timeout] = None,
) -> Compatibility:
    """Return whether the vehicle can be used with Smartcar, and which permissions it supports.

    ``GET {API}/compatibility?vin=&scope=&country=[&flags=]`` with HTTP Basic app auth, as the
    official 6.x SDK sends it.

    Args:
        vin: the vehicle's VIN.
        scope: the permissions to check; one string is one permission.
        country: an ISO 3166-1 alpha-2 country code.
        client_id: the application's client id; defaults to ``$SMARTCAR_CLIENT_ID``.
        client_secret: its client secret; defaults to ``$SMARTCAR_CLIENT_SECRET``.
        flags: feature flags, as ``["name:value", ...]`` or ``{"name": value}``.
        version: the API version (``"2.0"`` answers with capabilities); defaults to the
            version in force.
        timeout: seconds, or ``(connect, read)``.

    Returns:
        The answer as it came: on v2.0 ``{"compatible", "reason", "capabilities":
        [{"permission", "endpoint", "capable", "reason"}]}``; its request id is the
        ``request_id`` attribute. (``AuthClient.is_compatible`` returns just the bool.)

    Raises:
        SmartcarException: the matching subclass; the base class for an answer that is not a
            JSON object or lacks ``compatible``.
        TypeError: an argument of the wrong type.
        ValueError: an empty argument, or no client id/secret given or in the environment.
    """
    params = {
        "vin": non_empty_str(vin, "vin"),
        "scope": " ".join(str_items(scope, "scope")),
        "country": non_empty_str(country, "country"),
    }
    flag_text = _flags(flags)
    if flag_text:
        params["flags"] = flag_text
    credentials = (
        _credential(client_id, "client_id", CLIENT_ID_ENV),
        _credential(client_secret, "client_secret", CLIENT_SECRET_ENV),
    )
    config = Config(api_version=version, timeout=timeout)
    response = _calls.call("compatibility", config=config, basic_auth=credentials, params=params)
    return cast("Compatibility", Result(body_object(response), response.request_id))


def _credential(value: Any, name: str, env_var: str) -> str:
    given = optional_str(value, name)
    if given is None:
        given = os.environ.get(env_var)
    if not given:
        raise ValueError(f"{name} is needed: pass {name}= or set {env_var}")
    return given


def _flags(flags: Any) -> str:
    """``flags`` as the query value ``name:value name:value`` (booleans in lower case)."""
    if flags is None:
        return ""
    if isinstance(flags, Mapping):
        parts: List[str] = []
        for name, value in flags.items():
            if not isinstance(name, str):
                raise TypeError(f"flags names must be strings, not {type(name).__name__}")
            text = str(value).lower() if isinstance(value, bool) else str(value)
            parts.append(f"{name}:{text}")
        return " ".join(parts)
    return " ".join(str_items(flags, "flags"))
