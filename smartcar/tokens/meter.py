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
:class:`~smartcar.exceptions.TokenStoreException`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["CallMeter"]


@runtime_checkable
class CallMeter(Protocol):
    """Per-vehicle monthly call counts and an app-wide pause, shared by every worker."""

    def add_call(self, vehicle_id: str, month: str) -> int:
        """Count one call for ``vehicle_id`` in ``month``; return the count including it."""
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
        """Pause every request of ``scope`` until ``until`` (epoch seconds); a later time wins."""
        ...

    def held_until(self, scope: str) -> float:
        """Return the epoch time the pause of ``scope`` ends, or ``0.0`` when there is none."""
        ...
