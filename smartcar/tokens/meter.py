"""The interface of a call meter: what every store keeps so that all workers share one count.

Smartcar bills every call against the vehicle's monthly allowance. A store that is also a
:class:`CallMeter` keeps, per vehicle and per calendar month (UTC, ``"YYYY-MM"``):

* ``add_call``/``calls``: how many calls this application made for the vehicle;
* ``mark_spent``/``is_spent``: whether the service answered that the allowance is used up
  (HTTP 430), so no worker calls for that vehicle again until the month ends;

and, for the whole application, a pause:

* ``hold``/``held_until``: an app-wide rate limit (429 ``RATE_LIMIT``/``SMARTCAR_API``) makes
  every worker wait until a wall-clock time (seconds since the epoch).

Counts of past months may be forgotten (a store keeps at least the current and the previous
month). Every failure to reach or use the backing storage raises
:class:`~smartcar.exceptions.TokenStoreException`; a malformed argument raises
``ValueError`` (the helpers below check them the same way in every store).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol, runtime_checkable

from .._checks import finite, shown
from ..timeutil import month_end, month_of

__all__ = [
    "CallMeter",
    "check_month",
    "check_name",
    "check_until",
    "month_end",
    "month_of",
    "previous_month",
]


@runtime_checkable
class CallMeter(Protocol):
    """Per-vehicle monthly call counts and an app-wide pause, shared by every worker."""

    def add_call(self, vehicle_id: str, month: str) -> int:
        """Count one call for ``vehicle_id`` in ``month``; return the count including it.

        The increment is atomic: calls counted at the same moment by several threads or
        processes are all counted.
        """
        ...

    def calls(self, vehicle_id: str, month: str) -> int:
        """Return how many calls were counted for ``vehicle_id`` in ``month`` (0 if none)."""
        ...

    def mark_spent(self, vehicle_id: str, month: str) -> None:
        """Record that the service refused ``vehicle_id`` for the rest of ``month`` (430)."""
        ...

    def is_spent(self, vehicle_id: str, month: str) -> bool:
        """Return whether ``vehicle_id`` was marked spent for ``month``."""
        ...

    def hold(self, scope: str, until: float) -> None:
        """Pause every request of ``scope`` until ``until`` (epoch seconds); a later time wins.

        Atomic: of holds written at the same moment, the latest time stays.
        """
        ...

    def held_until(self, scope: str) -> float:
        """Return the epoch time the pause of ``scope`` ends, or ``0.0`` when there is none.

        A time already past means there is no pause (a store may still return it).
        """
        ...


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z")


def check_month(month: Any) -> str:
    """Return ``month`` if it is a ``"YYYY-MM"`` string.

    Raises:
        ValueError: anything else.
    """
    if not isinstance(month, str) or not _is_month(month):
        raise ValueError(f"month must be a 'YYYY-MM' string, not {month!r}")
    return month


@functools.lru_cache(maxsize=64)
def _is_month(month: str) -> bool:
    """Whether ``month`` reads ``YYYY-MM`` (a meter asks about this month on every call)."""
    return _MONTH.match(month) is not None


def check_name(what: str, value: Any) -> str:
    """Return ``value`` (a vehicle id or a pause scope) if it is a non-empty string.

    Raises:
        ValueError: anything else; the message names ``what``.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, not {value!r}")
    return value


def check_until(until: Any) -> float:
    """Return ``until`` as a float if it is a finite number of epoch seconds.

    Raises:
        ValueError: anything else.
    """
    number = finite(until)
    if number is None:
        raise ValueError(f"until must be a finite number of epoch seconds, not {shown(until)}")
    return number


def previous_month(month: str) -> str:
    """Return the month before ``month`` (``"2026-01"`` -> ``"2025-12"``)."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
