"""v3 charge schedules: the request bodies, checked before anything is sent.

``POST /vehicles/{id}/charge-schedules/{daily|weekly|workweek}`` takes
``{"data": {"attributes": {...}}}`` with the place the schedule applies at
(``location: {latitude, longitude}``) and charging windows of ``{"startTime", "stopTime"}``
(``"HH:MM"``, 24 h):

* daily: one window, its two times beside ``location``;
* weekly: ``days``, weekday name (``"monday"`` ... ``"sunday"``) -> window;
* workweek: ``weekdays`` and ``weekends``, one window each.

``DELETE /vehicles/{id}/charge-schedules/{scheduleId}`` removes one. Both answer a
``charge-schedule-execution`` resource, read like a command's (see ``_commands``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Dict, Mapping, Tuple

from . import _commands

__all__ = ["KINDS", "WEEKDAYS", "daily", "weekly", "workweek"]

KINDS = ("daily", "weekly", "workweek")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def daily(latitude: Any, longitude: Any, start_time: Any, stop_time: Any) -> Dict[str, Any]:
    """The attributes of a daily schedule.

    Raises:
        ValueError: a bad coordinate, or a time that is not ``"HH:MM"`` (or a
            ``datetime.time`` on the minute).
    """
    attributes = _located(latitude, longitude)
    attributes.update(_window(("start_time", start_time), ("stop_time", stop_time)))
    return attributes


def weekly(latitude: Any, longitude: Any, days: Any) -> Dict[str, Any]:
    """The attributes of a weekly schedule: ``days`` maps weekday names to
    ``(start_time, stop_time)``.

    Raises:
        ValueError: a bad coordinate; ``days`` empty, not a mapping, naming something other
            than a weekday, or holding a window that is not two ``"HH:MM"`` times.
    """
    attributes = _located(latitude, longitude)
    if not isinstance(days, Mapping) or not days:
        raise ValueError("days must map weekday names to (start_time, stop_time)")
    windows: Dict[str, Dict[str, str]] = {}
    for day, window in days.items():
        name = day.strip().lower() if isinstance(day, str) else None
        if name not in WEEKDAYS:
            raise ValueError(f"days keys must be weekday names ({', '.join(WEEKDAYS)})")
        windows[name] = _pair(f"days[{name!r}]", window)
    attributes["days"] = windows
    return attributes


def workweek(latitude: Any, longitude: Any, weekdays: Any, weekends: Any) -> Dict[str, Any]:
    """The attributes of a workweek schedule: one window for Monday to Friday, one for the
    weekend, each ``(start_time, stop_time)``.

    Raises:
        ValueError: a bad coordinate, or a window that is not two ``"HH:MM"`` times.
    """
    attributes = _located(latitude, longitude)
    attributes["weekdays"] = _pair("weekdays", weekdays)
    attributes["weekends"] = _pair("weekends", weekends)
    return attributes


def _located(latitude: Any, longitude: Any) -> Dict[str, Any]:
    return {"location": _commands.destination(latitude, longitude)}


def _pair(name: str, window: Any) -> Dict[str, str]:
    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise ValueError(f"{name} must be a (start_time, stop_time) pair")
    start, stop = window
    return _window((f"{name} start_time", start), (f"{name} stop_time", stop))


def _window(start: Tuple[str, Any], stop: Tuple[str, Any]) -> Dict[str, str]:
    return {"startTime": _time(*start), "stopTime": _time(*stop)}


def _time(name: str, value: Any) -> str:
    if isinstance(value, datetime.time) and not (value.second or value.microsecond):
        return value.strftime("%H:%M")
    if isinstance(value, str) and _HH_MM.match(value):
        return value
    raise ValueError(f"{name} must be a 24-hour time as 'HH:MM' (e.g. '08:00')")
