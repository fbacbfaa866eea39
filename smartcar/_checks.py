"""Argument checks shared by the public calls: a clear ``TypeError``/``ValueError`` naming the
argument, raised before any request, that never repeats a secret's value."""

from __future__ import annotations

import datetime
import functools
import math
from typing import Any, List, Optional, Tuple, Union
from urllib.parse import quote

__all__ = [
    "CHARGE_LIMIT_RANGE",
    "DateArgument",
    "bounded_number",
    "check_id",
    "checked_json",
    "finite",
    "http_status",
    "non_empty_str",
    "optional_count",
    "optional_str",
    "path_segment",
    "request_method",
    "request_path",
    "sendable",
    "service_date",
    "shown",
    "str_items",
    "whole_number",
]


def non_empty_str(value: Any, name: str) -> str:
    """Return ``value`` if it is a non-empty ``str``.

    Raises:
        TypeError: not a ``str`` (the message names its type, never its value).
        ValueError: the empty string.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def sendable(value: Any) -> bool:
    """Whether ``value`` can go in an HTTP header: a non-empty ``str`` of printable ASCII.

    The rule for every credential the SDK sends (tokens, client id and secret) and for every
    token it receives: one that fails it is refused on arrival, never cached or stored.
    """
    return isinstance(value, str) and bool(value) and value.isascii() and value.isprintable()


def check_id(name: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string usable in a header or path (the ids of
    ``smartcar.v3``: vehicle, user, connection, webhook, subscription, schedule).

    Raises:
        ValueError: ``value`` is missing, not a string, or holds non-printable/non-ASCII
            characters.
    """
    if value is None:
        raise ValueError(f"{name} is required")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    if not sendable(value):
        raise ValueError(f"{name} must hold printable ASCII characters only")
    return value


def path_segment(value: Any, name: str) -> str:
    """Return ``value`` escaped as one URL path segment: the one check for every id the SDK
    puts into a path (vehicle, user, connection, webhook, subscription and schedule ids,
    signal codes), in the 4.3 surface and in ``smartcar.v3``.

    Escaping keeps any character inside the segment, but ``.`` and ``..`` would still be
    taken as "this" and "the parent" folder when the URL is normalised, so they are refused,
    and so are the characters no id holds and a server might decode back into the path.

    Raises:
        TypeError: not a string.
        ValueError: empty, ``.`` or ``..``, or holding ``/``, ``?``, ``#`` or a control
            character (the message names the argument, never the value).
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return _segment(value, name)


@functools.lru_cache(maxsize=16384)
def _segment(value: str, name: str) -> str:
    """:func:`path_segment` of a string (the ids a process sends, again and again)."""
    if value in ("", ".", ".."):
        raise ValueError(f"{name} must not be empty, '.' or '..'")
    if any(char in "/?#" or not char.isprintable() for char in value):
        raise ValueError(f"{name} must not contain '/', '?', '#' or control characters")
    return quote(value, safe="")


def optional_str(value: Any, name: str) -> Optional[str]:
    """Return ``value`` if it is ``None`` or a ``str``.

    Raises:
        TypeError: any other type.
    """
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, not {type(value).__name__}")
    return value


def str_items(value: Any, name: str) -> List[str]:
    """Return ``value`` as a list of strings.

    A single ``str`` is one item (``scope="read_odometer"`` means ``["read_odometer"]``;
    smartcar 4.3 split it into letters).

    Raises:
        TypeError: ``None``, a non-iterable, ``bytes``, a mapping, or an item that is not a
            ``str``.
    """
    if isinstance(value, str):
        return [value]
    if value is None or isinstance(value, (bytes, bytearray, dict)):
        raise TypeError(f"{name} must be a string or a list of strings, not {type(value).__name__}")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"{name} must be a string or a list of strings, not {type(value).__name__}"
        ) from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"every item of {name} must be a string, not {type(item).__name__}")
    return items


def optional_count(value: Any, name: str) -> Optional[int]:
    """Return ``value`` if it is ``None`` or a non-negative ``int`` (not a ``bool``).

    Raises:
        TypeError: another type.
        ValueError: a negative number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a non-negative integer, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, not {value}")
    return value


CHARGE_LIMIT_RANGE = (0.5, 1.0)
"""The charge limits the v2 API accepts, as fractions."""

REQUEST_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

DateArgument = Union[str, datetime.date]
"""A date for the service history: ``"YYYY-MM-DD"``, an ISO-8601 time, a date or datetime."""


def finite(value: Any) -> Optional[float]:
    """Return ``value`` as a ``float`` if it is an ``int``/``float`` (not a ``bool``) that is
    finite as a float, else ``None``.

    Every number the SDK takes from an answer or an argument to compute with goes through
    here: JSON allows integers such as ``10**400`` that ``float()`` refuses (``OverflowError``).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


_MAX_DIGITS = 30
"""A string of more digits is no count, year or status the SDK reads (and ``int()`` of a few
thousand digits raises)."""


def whole_number(value: Any) -> Optional[int]:
    """Return ``value`` as an ``int`` if it is one (not a ``bool``), an integral finite float,
    or a string of ASCII digits (surrounding spaces allowed); else ``None``.

    ``str.isdigit`` alone is not enough: it accepts ``"²"``, which ``int()`` refuses.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
            return int(text)
    return None


def http_status(value: Any) -> Optional[int]:
    """Return ``value`` (``409`` or ``"409"``) as an HTTP status in 100..599, else ``None``."""
    number = whole_number(value)
    return number if number is not None and 100 <= number <= 599 else None


def bounded_number(value: Any, name: str, bounds: Tuple[float, float]) -> float:
    """Return ``value`` if it is a finite ``int``/``float`` (not a ``bool``) within ``bounds``.

    Raises:
        TypeError: not a number.
        ValueError: not finite, or outside ``bounds`` (inclusive).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    low, high = bounds
    number = finite(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, not {shown(value)}")
    return value


def service_date(value: Any, name: str) -> str:
    """Return ``value`` as the service's date parameter: a string as given if it is an ISO-8601
    date or time; a ``date`` as ``YYYY-MM-DD``; a ``datetime`` in UTC as
    ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (a naive one is taken as UTC).

    Raises:
        TypeError: another type.
        ValueError: a string that is not an ISO-8601 date or time.
    """
    from .timeutil import parse_timestamp

    if isinstance(value, datetime.datetime):
        moment: datetime.datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a 'YYYY-MM-DD' string, a date or a datetime, "
            f"not {type(value).__name__}"
        )
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        if parse_timestamp(value) is None:
            raise ValueError(f"{name} must be an ISO-8601 date or time, not {value!r}") from None
    return value


def request_method(value: Any) -> str:
    """Return the HTTP method ``value`` in upper case if it is one the API uses.

    Raises:
        TypeError: not a string.
        ValueError: another method.
    """
    if not isinstance(value, str):
        raise TypeError(f"method must be a string, not {type(value).__name__}")
    if value.upper() not in REQUEST_METHODS:
        raise ValueError(f"method must be one of {', '.join(REQUEST_METHODS)}, not {value!r}")
    return value.upper()


def request_path(value: Any) -> str:
    """Return ``value`` without its leading ``/`` if it is a safe relative path.

    Raises:
        TypeError: not a string.
        ValueError: ``.``/``..`` segments, ``#``, whitespace or control characters.
    """
    if not isinstance(value, str):
        raise TypeError(f"path must be a string, not {type(value).__name__}")
    path = value.lstrip("/")
    segments = path.split("?", 1)[0].split("/")
    if any(segment in (".", "..") for segment in segments):
        raise ValueError(f"path must not contain '.' or '..' segments: {value!r}")
    if "#" in path or any(char.isspace() or not char.isprintable() for char in path):
        raise ValueError(f"path must not contain '#', spaces or control characters: {value!r}")
    return path


def checked_json(value: Any, name: str) -> Any:
    """Return ``value`` if ``json.dumps`` can send it (no NaN/Infinity).

    Raises:
        ValueError: not JSON-serialisable.
    """
    import json

    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise ValueError(f"{name} must be JSON-serialisable (no NaN, sets or objects)") from None
    return value


def shown(value: Any) -> str:
    """``repr(value)``, or its size for an integer too long to be worth printing."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    return repr(value)
