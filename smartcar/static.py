"""Module-level calls of the seed: ``is_expired``, ``get_vehicle_ids``, ``get_user_id``."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Optional, Union

from . import api, const
from .timeutil import UTC, parse_timestamp

if TYPE_CHECKING:
    from .types import VehicleIds

__all__ = ["get_user_id", "get_vehicle_ids", "is_expired"]


def is_expired(expiration: Union[datetime.datetime, str]) -> bool:
    """Return whether ``expiration`` is in the past.

    Args:
        expiration: a naive datetime (taken as UTC, as ``exchange_code`` returns), an aware
            datetime, or an ISO-8601 string such as ``"2018-05-02T18:04:25+00:00"``.

    Raises:
        ValueError: a string that is not an ISO-8601 time.
        TypeError: any other type.
    """
    if isinstance(expiration, str):
        parsed = parse_timestamp(expiration)
        if parsed is None:
            raise ValueError(f"expiration is not an ISO-8601 time: {expiration!r}")
        expiration = parsed
    if not isinstance(expiration, datetime.datetime):
        raise TypeError(
            f"expiration must be a datetime or an ISO-8601 string, not {type(expiration).__name__}"
        )
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    return datetime.datetime.now(UTC) > expiration


def get_vehicle_ids(
    access_token: str,
    limit: int = 10,
    offset: int = 0,
    *,
    timeout: Optional[api.Timeout] = None,
) -> VehicleIds:
    """Return one page of the user's vehicle ids.

    Returns:
        ``{"vehicles": [ids], "paging": {"count", "offset"}}``.

    Raises:
        SmartcarException: the matching subclass.
    """
    response = api.request(
        "GET",
        f"{const.API_URL}/vehicles",
        token=access_token,
        params={"limit": limit, "offset": offset},
        timeout=timeout,
    )
    body = api.body_object(response)
    vehicles = api.body_field(response, "vehicles", list)
    if not all(isinstance(v, str) for v in vehicles):
        raise api.malformed(response, "a list of vehicle ids")
    paging: Any = body.get("paging")
    if not isinstance(paging, dict):
        paging = {"count": len(vehicles), "offset": offset}
    return {"vehicles": vehicles, "paging": paging, "request_id": response.request_id}


def get_user_id(access_token: str, *, timeout: Optional[api.Timeout] = None) -> str:
    """Return the id of the user who granted ``access_token``.

    Raises:
        SmartcarException: the matching subclass.
    """
    response = api.request("GET", f"{const.API_URL}/user", token=access_token, timeout=timeout)
    user_id: str = api.body_field(response, "id", str)
    return user_id
