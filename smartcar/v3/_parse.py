"""Reading v3 answers: times in any of their three forms, and JSON:API resources.

The service (and its documentation, fixtures and live captures) disagree on a few shapes; the
helpers here accept every variant ``api-v2-v3.md`` lists:

* times as epoch seconds, epoch milliseconds or ISO-8601 strings;
* a single resource wrapped in ``{"data": {...}}`` or sent bare;
* list metadata with ``page`` or ``pageNumber``;
* a time of ``0`` (webhooks send it for static attributes such as the VIN): "unknown".

Every helper raises :class:`ValueError` with a short description of what is wrong; the callers
turn it into a :class:`~smartcar.exceptions.SmartcarException` naming the answer.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any, List, NamedTuple, Optional

from .._checks import finite, whole_number
from ..timeutil import UTC, parse_timestamp

__all__ = [
    "PageInfo",
    "is_object",
    "optional_str",
    "page_info",
    "parse_time",
    "resource",
    "resource_list",
]

# Epoch values above this are milliseconds: as seconds they would be after the year 5000,
# as milliseconds they are after 1973.
_MILLISECONDS_FROM = 100_000_000_000


def parse_time(value: Any) -> Optional[datetime.datetime]:
    """Return ``value`` as an aware UTC datetime, or ``None`` when it is unknown.

    Accepts epoch seconds or epoch milliseconds (a number, or a string of digits) and
    ISO-8601 strings (``Z`` or an offset; a time without an offset is taken as UTC). ``None``
    and an epoch of ``0`` (the service's "unknown", never 1970-01-01) give ``None``.

    Raises:
        ValueError: any other value (a bool, a non-finite number, an unreadable string).
    """
    if value is None:
        return None
    if type(value) is int and -_MILLISECONDS_FROM < value < _MILLISECONDS_FROM:
        return _utc(float(value)) if value else None  # the common case, without the checks
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, str):
        return _text_time(value if type(value) is str else str(value))
    if isinstance(value, (int, float)):
        return _from_epoch(finite(value))
    raise ValueError(f"not a time: {type(value).__name__}")


@functools.lru_cache(maxsize=256)
def _text_time(value: str) -> Optional[datetime.datetime]:
    """The (immutable, so shared) datetime of a time sent as text: the live service sends
    ISO-8601 strings, the same few in every signal of an answer."""
    text = value.strip()
    if _is_number(text):
        return _from_epoch(finite(float(text)))
    parsed = parse_timestamp(text)
    if parsed is None:
        raise ValueError(f"not a time: {value[:40]!r}")
    return parsed.astimezone(UTC)


def _is_number(text: str) -> bool:
    digits = text[1:] if text[:1] in "+-" else text
    head, _, tail = digits.partition(".")
    return bool(head) and digits.isascii() and head.isdigit() and (not tail or tail.isdigit())


def _from_epoch(seconds: Optional[float]) -> Optional[datetime.datetime]:
    if seconds is None:
        raise ValueError("not a time: a number beyond the float range")
    if seconds == 0:
        return None
    if abs(seconds) >= _MILLISECONDS_FROM:
        seconds /= 1000.0
    return _utc(seconds)


@functools.lru_cache(maxsize=256)
def _utc(seconds: float) -> datetime.datetime:
    """The (immutable, so shared) datetime of an epoch second: the signals of one answer
    mostly carry the same few times."""
    try:
        return datetime.datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("not a time: an epoch value out of range") from None


def resource(body: Any, kind: str) -> Mapping[str, Any]:
    """Return the single JSON:API resource in ``body``, wrapped in ``data`` or not.

    Raises:
        ValueError: ``body`` holds no resource object.
    """
    if isinstance(body, Mapping) and isinstance(body.get("data"), Mapping):
        body = body["data"]
    if not isinstance(body, Mapping) or not ("attributes" in body or "id" in body):
        raise ValueError(f"no {kind} resource in the answer")
    return body


def resource_list(body: Any, kind: str) -> List[Mapping[str, Any]]:
    """Return the list of resources in ``body["data"]``.

    Raises:
        ValueError: ``data`` is missing, not a list, or holds something other than objects.
    """
    items = body.get("data") if is_object(body) else None
    if not isinstance(items, list) or not all(map(is_object, items)):
        raise ValueError(f"no list of {kind} resources in the answer")
    return items


def attributes(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return a resource's ``attributes`` object (empty when absent)."""
    value = item.get("attributes")
    return value if isinstance(value, Mapping) else {}


def meta(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return a resource's ``meta`` object (empty when absent)."""
    value = item.get("meta")
    return value if isinstance(value, Mapping) else {}


def related_id(item: Mapping[str, Any], name: str) -> Optional[str]:
    """Return ``relationships.<name>.data.id``, or ``None``."""
    relationships = item.get("relationships")
    relation = relationships.get(name) if isinstance(relationships, Mapping) else None
    data = relation.get("data") if isinstance(relation, Mapping) else None
    return optional_str(data.get("id")) if isinstance(data, Mapping) else None


def is_object(value: Any) -> bool:
    """Whether ``value`` is a JSON object (a ``Mapping``)."""
    # ``type(value) is dict`` first: answers are parsed JSON, and an ABC check costs far more.
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def optional_str(value: Any) -> Optional[str]:
    """Return ``value`` if it is a non-empty string, else ``None``."""
    return value if isinstance(value, str) and value else None


class PageInfo(NamedTuple):
    """Where one page of a list sits: its number, size, the total, and whether more follow."""

    number: Optional[int]
    size: Optional[int]
    total: Optional[int]
    has_next: Optional[bool]
    """``links.next`` is a link (``True``), ``null`` (``False``), or absent (``None``)."""


def page_info(body: Mapping[str, Any]) -> PageInfo:
    """Read a list answer's ``meta`` (``page`` or ``pageNumber``) and ``links.next``."""
    page_meta = meta(body)
    number = whole_number(page_meta.get("pageNumber", page_meta.get("page")))
    links = body.get("links")
    has_next: Optional[bool] = None
    if isinstance(links, Mapping) and "next" in links:
        has_next = bool(links["next"])
    return PageInfo(
        number,
        whole_number(page_meta.get("pageSize")),
        whole_number(page_meta.get("totalCount")),
        has_next,
    )
