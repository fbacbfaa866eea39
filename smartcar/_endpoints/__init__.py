"""Every endpoint the SDK calls, described once per API version.

An :class:`Endpoint` says what goes on the wire (method, path, which headers, which
credentials) and what the SDK may do with it: whether it is a read that may be repeated (the
retry policy comes from here, never from the HTTP method), how a 401 is handled (one fresh
token and one more attempt: :data:`REPLAY` and its siblings) and which answer
fields the SDK needs to build its result. The tables:

* ``v1.py``, ``v2.py``: the vehicle API as 4.3.5 and the official 6.x speak it
  (:func:`table` picks one by version);
* ``v2_management.py``: the v2.0 management API (connections), whatever the version in force;
* ``v3.py``: the v3 vehicle API and the application token (``smartcar.v3``);
* ``v3_management.py``: the v3 management API (webhooks, subscriptions).

Adding an endpoint is one line in a version's table, e.g. in ``v2.py``::

    "lock_status": read("vehicles/{vehicle_id}/security"),
    "set_charge_limit": command("vehicles/{vehicle_id}/charge/limit"),

then a method that calls it by name (see :func:`smartcar._calls.call`).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

__all__ = [
    "REPLAY",
    "REPLAY_IF_REFUSED",
    "REPLAY_NEVER",
    "Endpoint",
    "batch",
    "command",
    "delete",
    "read",
    "table",
    "versions",
]

REPLAY = "replay"
"""A 401 is answered by one fresh token and one more attempt (reads: nothing happened)."""
REPLAY_IF_REFUSED = "replay_if_refused"
"""Only a 401 that refused the token itself (the request went no further) is replayed."""
REPLAY_NEVER = "never"
"""A 401 is the call's answer (the token endpoint itself)."""


class Endpoint(NamedTuple):
    """One HTTP endpoint of one API version.

    Attributes:
        method: the HTTP method.
        path: the path under the service URL, with ``{vehicle_id}`` (and other ``{name}``)
            placeholders; ``"vehicles/{vehicle_id}/"`` keeps its trailing slash.
        repeatable: a read without effects: the transport may send it again after a
            connection failure or an answer that shows it had no effect (429, 502, 503).
        on_401: with a token source, how a 401 is handled: :data:`REPLAY` (one fresh token
            and one more attempt), :data:`REPLAY_IF_REFUSED` (only when the 401 refused the
            token itself) or :data:`REPLAY_NEVER`.
        fields: answer fields the SDK needs to build its result (the rest is passed on).
        unit_system: it sends ``sc-unit-system``.
        units: its result carries ``unit_system`` (the numbers have units).
        wrap_in: the key the answer is nested under in ``data`` (``tire_pressure``).
        body: the fixed JSON body of a command (``{"action": "LOCK"}``), if any.
        auth: ``"bearer"`` (a user's access token), ``"app"`` (the v3 application token,
            sent as a bearer token), ``"basic"`` (the app's client id and secret),
            ``"management"`` (``Basic base64("default:" + management token)``) or ``"none"``
            (credentials in the body: the v3 token endpoint).
        service: the ``smartcar.const`` URL constant the path is under.
    """

    method: str
    path: str
    repeatable: bool = False
    on_401: str = REPLAY_NEVER
    fields: Tuple[str, ...] = ()
    unit_system: bool = False
    units: bool = False
    wrap_in: Optional[str] = None
    body: Optional[Mapping[str, Any]] = None
    auth: str = "bearer"
    service: str = "API_URL"


def read(
    path: str,
    *,
    fields: Tuple[str, ...] = (),
    units: bool = False,
    wrap_in: Optional[str] = None,
    unit_system: bool = True,
    auth: str = "bearer",
    service: str = "API_URL",
) -> Endpoint:
    """A GET without effects: repeatable, replayed after a refreshed 401."""
    return Endpoint(
        "GET",
        path,
        repeatable=True,
        on_401=REPLAY,
        fields=fields,
        unit_system=unit_system,
        units=units,
        wrap_in=wrap_in,
        auth=auth,
        service=service,
    )


def command(
    path: str,
    body: Optional[Mapping[str, Any]] = None,
    *,
    fields: Tuple[str, ...] = ("status",),
    method: str = "POST",
    auth: str = "bearer",
    service: str = "API_URL",
    on_401: str = REPLAY_IF_REFUSED,
) -> Endpoint:
    """A request with an effect: never sent twice once it may have arrived; after a 401 that
    refused the token (so it went no further), once more with a fresh one."""
    return Endpoint(
        method, path, fields=fields, body=body, auth=auth, service=service, on_401=on_401
    )


def delete(
    path: str, *, auth: str = "bearer", service: str = "API_URL", on_401: str = REPLAY_IF_REFUSED
) -> Endpoint:
    """A DELETE: never sent twice once it may have arrived (a 401 as for :func:`command`)."""
    return Endpoint("DELETE", path, auth=auth, service=service, on_401=on_401)


def batch(path: str) -> Endpoint:
    """A POST that only reads (batch): billed per sub-request, so not repeated by the retry
    policy, but replayed after a refreshed 401 (the rejected attempt read nothing)."""
    return Endpoint("POST", path, on_401=REPLAY, fields=("responses",), unit_system=True)


def versions() -> Tuple[str, ...]:
    """The API versions that have a table."""
    return ("1.0", "2.0")


def table(version: str) -> Dict[str, Endpoint]:
    """Return the endpoint table of API ``version`` (``"1.0"`` or ``"2.0"``).

    Raises:
        ValueError: an unknown version.
    """
    if version == "1.0":
        from .v1 import ENDPOINTS as V1

        return V1
    if version == "2.0":
        from .v2 import ENDPOINTS as V2

        return V2
    raise ValueError(f"no endpoint table for API version {version!r}")
