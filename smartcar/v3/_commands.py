"""v3 commands: their checked parameters, and reading their outcome.

Every command is ``POST /vehicles/{id}/commands/...`` (described in
``smartcar/_endpoints/v3.py``) with ``sc-user-id`` and, when it takes
parameters, the JSON:API body ``{"data": {"attributes": {...}}}``. The answer is a
``command-execution`` resource, with HTTP 200 or, for a long-running command, 202: both are
read the same way, since the body holds the outcome. Only ``status.value == "SUCCESS"`` is a
success; anything else raises.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping

from .._answers import ApiResponse
from .._checks import finite, http_status, shown
from .._errors import decode_error, exception_from_v3_entry
from .._results import Result
from ..exceptions import SmartcarException
from . import _parse, _resources
from ._signals import SUCCESS

__all__ = ["charge_limit", "command_result", "destination"]

CHARGE_LIMIT_RANGE = (50, 100)


def charge_limit(percent: Any) -> Dict[str, Any]:
    """Return ``{"percent": <int>}`` for ``set_charge_limit``.

    Raises:
        ValueError: ``percent`` is not an integer (or integral number) from 50 to 100.
    """
    low, high = CHARGE_LIMIT_RANGE
    number = finite(percent)
    if number is None or not number.is_integer() or not low <= number <= high:
        raise ValueError(f"percent must be an integer from {low} to {high}, not {shown(percent)}")
    return {"percent": int(number)}


def destination(latitude: Any, longitude: Any) -> Dict[str, Any]:
    """Return ``{"latitude", "longitude"}`` for ``set_destination``.

    Raises:
        ValueError: ``latitude`` outside -90..90 or ``longitude`` outside -180..180, or either
            not a finite number.
    """
    return {
        "latitude": _coordinate("latitude", latitude, 90.0),
        "longitude": _coordinate("longitude", longitude, 180.0),
    }


def _coordinate(name: str, value: Any, limit: float) -> float:
    number = finite(value)
    if number is None or not -limit <= number <= limit:
        raise ValueError(
            f"{name} must be a number from {-limit:g} to {limit:g}, not {shown(value)}"
        )
    return number


def command_result(
    response: ApiResponse,
    kind: str = "command-execution",
    build: Callable[[Mapping[str, Any], int], Any] = _resources.command_execution_from,
) -> Any:
    """Return the execution of a 200/202 answer, or raise its failure.

    Args:
        response: the answer to a command (or a charge schedule request).
        kind: the resource type expected, for messages (``"charge-schedule-execution"``).
        build: reads the resource, given it and the HTTP status, once it is a success.

    Raises:
        SmartcarException: the body holds v3 errors (the class their status and type map
            to), or an execution whose status is not ``SUCCESS`` (the class its error maps to;
            the base class when it carries no error), or no command execution at all.
    """
    body = response.body
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(errors, list) and any(isinstance(entry, Mapping) for entry in errors):
        first = next(entry for entry in errors if isinstance(entry, Mapping))
        raise decode_error(
            http_status(first.get("status")), response.headers, body, "", redactor=response.redactor
        )
    item = _resources.one(response, kind)
    status = _resources.command_status(item)
    value = status.get("value") if isinstance(status, Mapping) else status
    if isinstance(value, str) and value.upper() == SUCCESS:
        return Result(build(item, response.status_code), response.request_id)
    error = status.get("error") if isinstance(status, Mapping) else None
    if isinstance(error, Mapping):
        raise exception_from_v3_entry(
            error, request_id=response.request_id, redactor=response.redactor
        )
    command = _parse.optional_str(_parse.attributes(item).get("commandType")) or "command"
    outcome = value.lower() if isinstance(value, str) and value else "failed"
    raise SmartcarException(
        response.redacted(f"The {command} execution ended with status {value!r}, not SUCCESS"),
        status_code=response.status_code,
        error=response.redacted("command_" + outcome),
        request_id=response.request_id,
        body=response.redacted(body),
    )
