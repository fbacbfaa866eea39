"""API v2.0 connection management: ``get_connections`` and ``delete_connections``.

Both call ``{const.MANAGEMENT_API_URL}/connections/`` (``https://management.smartcar.com/
v2.0/management/connections/``, with the official 6.x SDK's trailing slash) authenticated by
HTTP Basic ``default:<application management token>`` (described in
``smartcar/_endpoints/v2_management.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Hashable, List, Optional, Tuple, cast

from . import _calls, _pages
from ._answers import ApiResponse, body_field, body_object, malformed
from ._checks import non_empty_str, optional_str
from ._config import Config, Timeout
from ._endpoints import Endpoint
from ._endpoints.v2_management import ENDPOINTS

if TYPE_CHECKING:
    from .types import Connection, DeletedConnection

__all__ = ["delete_connections", "get_connections"]

CONNECTION_MODES = ("live", "simulated", "test")


def get_connections(
    management_token: str,
    *,
    user_id: Optional[str] = None,
    vehicle_id: Optional[str] = None,
    mode: Optional[str] = None,
    limit: Optional[int] = None,
    timeout: Optional[Timeout] = None,
) -> List[Connection]:
    """Return every connection of the application, following the cursor across all pages.

    Args:
        management_token: the application management token (Dashboard).
        user_id: only this user's connections.
        vehicle_id: only this vehicle's connections.
        mode: only connections of this mode, ``"live"``, ``"simulated"`` or ``"test"``.
        limit: connections per page (the service's default is 10, its maximum 100).
        timeout: seconds, or ``(connect, read)``, per page.

    Pages are followed by the listing rule of :mod:`smartcar._pages`: a connection (user and
    vehicle) comes back once; a cursor that repeats, or a page with no new connection, ends
    the list.

    Returns:
        The connections of all pages in order, each as it came
        (``{"userId", "vehicleId", "connectedAt", "mode"}``).

    Raises:
        SmartcarException: the matching subclass; the base class for an answer without a
            ``connections`` list of objects, or with a cursor that is not a string.
        TypeError: an argument of the wrong type.
        ValueError: an empty ``management_token``, another ``mode``, or ``limit`` below 1.
    """
    token = non_empty_str(management_token, "management_token")
    filters = {"user_id": optional_str(user_id, "user_id")}
    filters["vehicle_id"] = optional_str(vehicle_id, "vehicle_id")
    filters["mode"] = optional_str(mode, "mode")
    if mode is not None and mode not in CONNECTION_MODES:
        raise ValueError(f"mode must be one of {', '.join(CONNECTION_MODES)}, not {mode!r}")
    page_size = _page_size(limit)

    def fetch(cursor: Hashable) -> Tuple[ApiResponse, List[Dict[str, Any]], Optional[str]]:
        params: Dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        if cursor:
            params["cursor"] = cursor
        if page_size is not None:
            params["limit"] = page_size
        response = _send(ENDPOINTS["connections"], token, params, timeout)
        connections = _connection_list(response)
        paging = body_object(response).get("paging")
        next_cursor = paging.get("cursor") if isinstance(paging, dict) else None
        if next_cursor is None or next_cursor == "":
            return response, connections, None
        if not isinstance(next_cursor, str):
            raise malformed(response, "a string cursor")
        return response, connections, next_cursor

    listing = _pages.walk("", fetch, _connection_key)
    return [cast("Connection", entry) for _, page in listing for entry in page]


def delete_connections(
    management_token: str,
    *,
    user_id: Optional[str] = None,
    vehicle_id: Optional[str] = None,
    timeout: Optional[Timeout] = None,
) -> List[DeletedConnection]:
    """Delete the connections of a user, of a vehicle, or (both given) of that vehicle for
    that user. Sent once: a DELETE is never repeated.

    Returns:
        The deleted connections, each as it came (``{"userId", "vehicleId"}``).

    Raises:
        SmartcarException: the matching subclass; the base class for an answer without a
            ``connections`` list of objects.
        TypeError: an argument of the wrong type.
        ValueError: an empty ``management_token``, or neither ``user_id`` nor ``vehicle_id``.
    """
    token = non_empty_str(management_token, "management_token")
    params: Dict[str, Any] = {}
    if user_id is not None:
        params["user_id"] = non_empty_str(user_id, "user_id")
    if vehicle_id is not None:
        params["vehicle_id"] = non_empty_str(vehicle_id, "vehicle_id")
    if not params:
        raise ValueError("delete_connections needs a user_id or a vehicle_id (or both)")
    response = _send(ENDPOINTS["delete_connections"], token, params, timeout)
    return cast("List[DeletedConnection]", _connection_list(response))


def _page_size(limit: Any) -> Optional[int]:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be a positive integer, not {type(limit).__name__}")
    if limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit}")
    return limit


def _send(
    endpoint: Endpoint, token: str, params: Dict[str, Any], timeout: Optional[Timeout]
) -> ApiResponse:
    return _calls.call(
        endpoint,
        config=Config(timeout=timeout),
        management_token=token,
        params=params,
        secrets=(token,),
    )


def _connection_list(response: ApiResponse) -> List[Dict[str, Any]]:
    connections = body_field(response, "connections", list)
    if not all(isinstance(entry, dict) for entry in connections):
        raise malformed(response, "a list of connection objects")
    return list(connections)


def _connection_key(connection: Dict[str, Any]) -> Hashable:
    user, vehicle = connection.get("userId"), connection.get("vehicleId")
    return (user, vehicle) if isinstance(user, str) and isinstance(vehicle, str) else None
