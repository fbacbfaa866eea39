"""Argument checks shared by the public calls: a clear ``TypeError``/``ValueError`` naming the
argument, raised before any request, that never repeats a secret's value."""

from __future__ import annotations

from typing import Any, List, Optional

__all__ = ["non_empty_str", "optional_count", "optional_str", "str_items"]


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
