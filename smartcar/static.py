"""Module-level calls of the seed: ``is_expired``, ``get_vehicle_ids``, ``get_user_id``."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Optional, Union, cast

from . import _calls, timeutil
from ._answers import body_field, body_object
from ._checks import non_empty_str, optional_count
from ._config import Config, Timeout
from ._results import Result
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
    return timeutil.now() > expiration


def get_vehicle_ids(
    access_token: str,
    limit: int = 10,
    offset: int = 0,
    *,
    timeout: Optional[Timeout] = None,
    version: Optional[str] = None,
) -> VehicleIds:
    """Return one page of the user's vehicle ids.

    Returns:
        The answer as it came, ``{"vehicles": [ids], "paging": {"count", "offset"}}``; its
        request id is the ``request_id`` attribute.

    Raises:
        SmartcarException: the matching subclass, or the base class for an answer that is
            not a JSON object.
        TypeError: ``access_token`` is not a string, or ``limit``/``offset`` not an integer.
        ValueError: ``access_token`` is empty, or ``limit``/``offset`` negative.

    ``version`` (``"1.0"``/``"2.0"``) picks this call's API version; by default, the version
    in force (:func:`smartcar.get_api_version`).
    """
    token = non_empty_str(access_token, "access_token")
    params = {"limit": optional_count(limit, "limit"), "offset": optional_count(offset, "offset")}
    response = _calls.call(
        "vehicles",
        config=Config(timeout=timeout, api_version=version),
        token=token,
        params={name: value for name, value in params.items() if value is not None},
    )
    return cast("VehicleIds", Result(body_object(response), response.request_id))


def get_user_id(
    access_token: str, *, timeout: Optional[Timeout] = None, version: Optional[str] = None
) -> str:
    """Return the id of the user who granted ``access_token``.

    Raises:
        SmartcarException: the matching subclass.
        TypeError: ``access_token`` is not a string.
        ValueError: ``access_token`` is empty.

    ``version`` (``"1.0"``/``"2.0"``) picks this call's API version; by default, the version
    in force (:func:`smartcar.get_api_version`).
    """
    token = non_empty_str(access_token, "access_token")
    response = _calls.call("user", config=Config(timeout=timeout, api_version=version), token=token)
    user_id: str = body_field(response, "id", str)
    return user_id
