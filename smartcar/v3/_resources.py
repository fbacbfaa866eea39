"""JSON:API resources of v3 answers -> the typed dicts of :mod:`smartcar.v3.types`.

Each ``*_from`` function reads one resource object (already unwrapped from ``data``) and never
raises on a missing optional field: absent values become ``None``. Only a resource without an
``id`` is refused (``ValueError``), since nothing could be done with it.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Mapping, Optional, cast

from .._answers import ApiResponse, malformed, unusable
from .._checks import finite, whole_number
from .._results import Result
from ..exceptions import SmartcarException
from . import _parse
from ._parse import attributes, meta, optional_str, related_id
from .types import (
    ChargeScheduleExecution,
    CommandExecution,
    Connection,
    ConnectionVehicle,
    SubscribeResult,
    Subscription,
    VehicleInfo,
    Webhook,
)

__all__ = [
    "bad_answer",
    "charge_schedule_execution_from",
    "command_execution_from",
    "connection_from",
    "one",
    "subscribe_result",
    "subscription_from",
    "vehicle_info_from",
    "webhook_from",
]


def one(response: ApiResponse, kind: str) -> Mapping[str, Any]:
    """Return the single resource of a 2xx answer, wrapped in ``data`` or not.

    Raises:
        SmartcarException: the answer holds no such resource.
    """
    try:
        return _parse.resource(response.body, kind)
    except ValueError:
        raise malformed(response, f"a {kind} resource") from None


def many(response: ApiResponse, kind: str) -> List[Mapping[str, Any]]:
    """Return the resources in ``data`` of a 2xx list answer.

    Raises:
        SmartcarException: ``data`` is not a list of objects.
    """
    try:
        return _parse.resource_list(response.body, kind)
    except ValueError:
        raise malformed(response, f"a list of {kind} resources") from None


def converted(response: ApiResponse, item: Mapping[str, Any], build: Any) -> Any:
    """Return ``build(item)`` as a :class:`smartcar.Result` carrying the answer's request id.

    Raises:
        SmartcarException: ``build`` refused the resource (``ValueError``).
    """
    try:
        return Result(build(item), response.request_id)
    except ValueError as error:
        raise bad_answer(response, f"a bad resource ({error})") from None


def bad_answer(response: ApiResponse, what: str) -> SmartcarException:
    """Return the exception for a 2xx answer whose content is unusable (``what`` says how)."""
    return unusable(response, f"with {what}")


def _id(item: Mapping[str, Any], kind: str) -> str:
    value = optional_str(item.get("id"))
    if value is None:
        raise ValueError(f"a {kind} without an id")
    return value


def _required(what: str, value: Optional[str]) -> str:
    if value is None:
        raise ValueError(f"a connection without a {what}")
    return value


def _year(value: Any) -> Optional[int]:
    return None if isinstance(value, float) else whole_number(value)


def _time(value: Any) -> Optional[datetime.datetime]:
    try:
        return _parse.parse_time(value)
    except ValueError:
        return None


def _bool(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


def _objects(value: Any) -> List[Dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [dict(entry) for entry in value if isinstance(entry, Mapping)]


def vehicle_summary(value: Any) -> ConnectionVehicle:
    """Read ``{make, model, year, mode, powertrainType}`` (any of them may be missing)."""
    fields: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    return {
        "make": optional_str(fields.get("make")),
        "model": optional_str(fields.get("model")),
        "year": _year(fields.get("year")),
        "mode": optional_str(fields.get("mode")),
        "powertrain_type": optional_str(fields.get("powertrainType")),
    }


def vehicle_info_from(item: Mapping[str, Any]) -> VehicleInfo:
    """Read a ``vehicle`` resource."""
    summary = vehicle_summary(attributes(item))
    return {
        "id": _id(item, "vehicle"),
        "make": summary["make"],
        "model": summary["model"],
        "year": summary["year"],
        "powertrain_type": summary["powertrain_type"],
        "mode": summary["mode"],
    }


def connection_from(item: Mapping[str, Any]) -> Connection:
    """Read a ``connection`` resource (user and vehicle ids from relationships or attributes)."""
    attrs = attributes(item)
    user = attrs.get("user")
    user_fields: Mapping[str, Any] = user if isinstance(user, Mapping) else {}
    vehicle = attrs.get("vehicle")
    vehicle_fields: Mapping[str, Any] = vehicle if isinstance(vehicle, Mapping) else {}
    permissions = attrs.get("permissions")
    times = meta(item)
    return {
        "id": _id(item, "connection"),
        "vehicle_id": _required(
            "vehicle id",
            related_id(item, "vehicle")
            or optional_str(vehicle_fields.get("id"))
            or optional_str(attrs.get("vehicleId")),
        ),
        "user_id": _required(
            "user id",
            related_id(item, "user")
            or optional_str(user_fields.get("id"))
            or optional_str(attrs.get("userId")),
        ),
        "external_id": optional_str(user_fields.get("externalId"))
        or optional_str(attrs.get("externalId")),
        "permissions": [p for p in permissions if isinstance(p, str)]
        if isinstance(permissions, list)
        else [],
        "vehicle": vehicle_summary(vehicle_fields),
        "created_at": _time(times.get("createdAt") or attrs.get("createdAt")),
        "updated_at": _time(times.get("updatedAt") or attrs.get("updatedAt")),
    }


def webhook_from(item: Mapping[str, Any]) -> Webhook:
    """Read a ``webhook`` resource."""
    attrs = attributes(item)
    return {
        "id": _id(item, "webhook"),
        "name": optional_str(attrs.get("name")),
        "callback_uri": optional_str(attrs.get("callbackUri")),
        "error_callback_uri": optional_str(attrs.get("errorCallbackUri")),
        "is_enabled": _bool(attrs.get("isEnabled")),
        "auto_subscribe": _bool(attrs.get("autoSubscribe")),
        "triggers": _objects(attrs.get("triggers")),
        "data": _objects(attrs.get("data")),
        "created_at": _time(meta(item).get("createdAt")),
    }


def subscription_from(item: Mapping[str, Any]) -> Subscription:
    """Read a ``subscription`` resource."""
    attrs = attributes(item)
    times = meta(item)
    return {
        "id": _id(item, "subscription"),
        "webhook_id": related_id(item, "webhook") or optional_str(attrs.get("webhookId")),
        "vehicle_id": related_id(item, "vehicle") or optional_str(attrs.get("vehicleId")),
        "user_id": related_id(item, "user") or optional_str(attrs.get("userId")),
        "vehicle": vehicle_summary(attrs.get("vehicle")),
        "created_at": _time(times.get("createdAt")),
        "updated_at": _time(times.get("updatedAt")),
    }


def command_status(item: Mapping[str, Any]) -> Any:
    """Return a command execution's ``status`` as sent (``{"value", "error"}`` or a string)."""
    return attributes(item).get("status")


def command_execution_from(item: Mapping[str, Any], status_code: int) -> CommandExecution:
    """Read a ``command-execution`` resource (the status must already have been checked)."""
    attrs = attributes(item)
    outcome = _execution(item, status_code)
    return {
        "id": outcome["id"],
        "command_type": optional_str(attrs.get("commandType")),
        "status": outcome["status"],
        "execution_mode": outcome["execution_mode"],
        "parameters": outcome["parameters"],
        "executed_at": outcome["executed_at"],
        "completed_at": outcome["completed_at"],
        "duration_seconds": outcome["duration_seconds"],
        "status_code": status_code,
    }


def charge_schedule_execution_from(
    item: Mapping[str, Any], status_code: int
) -> ChargeScheduleExecution:
    """Read a ``charge-schedule-execution`` resource (status already checked)."""
    attrs = attributes(item)
    outcome = _execution(item, status_code)
    return {
        "id": outcome["id"],
        "action": optional_str(attrs.get("action")),
        "schedule_type": optional_str(attrs.get("scheduleType")),
        "schedule_id": optional_str(attrs.get("scheduleId")),
        "status": outcome["status"],
        "execution_mode": outcome["execution_mode"],
        "parameters": outcome["parameters"],
        "executed_at": outcome["executed_at"],
        "completed_at": outcome["completed_at"],
        "duration_seconds": outcome["duration_seconds"],
        "status_code": status_code,
    }


def schedule_deleted(schedule_id: str, status_code: int) -> ChargeScheduleExecution:
    """The execution of a schedule deletion the service answered without a body (204)."""
    return {
        "id": None,
        "action": "delete",
        "schedule_type": None,
        "schedule_id": schedule_id,
        "status": "SUCCESS",
        "execution_mode": None,
        "parameters": {},
        "executed_at": None,
        "completed_at": None,
        "duration_seconds": None,
        "status_code": status_code,
    }


def _execution(item: Mapping[str, Any], status_code: int) -> Dict[str, Any]:
    """The fields every execution resource (command or schedule) has."""
    attrs = attributes(item)
    status = attrs.get("status")
    value = status.get("value") if isinstance(status, Mapping) else status
    times = meta(item)
    duration = times.get("durationInSeconds")
    parameters = attrs.get("parameters")
    return {
        "id": optional_str(item.get("id")),
        "status": str(value).upper() if isinstance(value, str) else "",
        "execution_mode": optional_str(attrs.get("executionMode")),
        "parameters": dict(parameters) if isinstance(parameters, Mapping) else {},
        "executed_at": _time(times.get("executedAt")),
        "completed_at": _time(times.get("completedAt")),
        "duration_seconds": finite(duration),
    }


def subscribe_result(response: ApiResponse) -> SubscribeResult:
    """The result of ``POST /subscriptions``: its status, the service's message, and the
    subscription when the answer holds the resource (a 202 "in progress" may not)."""
    body = response.body if isinstance(response.body, Mapping) else {}
    message = meta(body).get("message")
    subscription: Optional[Subscription] = None
    data = body.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("id"), str):
        subscription = converted(response, data, subscription_from)
    result = {
        "status_code": response.status_code,
        "message": message if isinstance(message, str) else None,
        "subscription": subscription,
    }
    return cast(SubscribeResult, Result(result, response.request_id))
