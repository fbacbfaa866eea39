"""What each call costs: the v3 client's call meter, monthly limit and app-wide pause.

Smartcar bills every call for a vehicle against that vehicle's monthly allowance, and limits
the whole application with a slowly refilling bucket. :class:`Metering` keeps, in a
:class:`~smartcar.tokens.meter.CallMeter` (the client's token store when it is one, so every
worker sharing the store shares the count; else a ``MemoryStore`` of the client's own):

* how many calls each vehicle took this calendar month (UTC, by the SDK's clock): every
  attempt under ``/vehicles/{id}`` that may have reached the service counts, whatever its
  answer, except a 429 or 430 (the service refused it);
* which vehicles the service refused with a 430 this month (``BILLING``, any code but the
  account-wide ``INVALID_PLAN``/``VEHICLE_LIMIT``/``ACCOUNT_SUSPENDED``): later calls for
  them raise :class:`~smartcar.exceptions.MonthlyLimitExceeded` without a request, as do calls
  for a vehicle that reached the client's ``monthly_limit``;
* until when every request of the application waits after an app-wide 429 (its
  ``Retry-After``, else a backoff: :func:`smartcar._transport.app_pause`). A request that
  would wait longer than the retry policy's ``retry_after_cap`` raises
  :class:`~smartcar.exceptions.RateLimitingException` at once instead.

The limit is checked before a call and the call counted after it, so workers calling for one
vehicle at the same moment may together pass the limit by at most one call each. A store that
fails before a call fails it (:class:`~smartcar.exceptions.TokenStoreException`, nothing sent);
one that fails after it is logged, so the answer still reaches the caller.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import TYPE_CHECKING, Optional, Union

from .. import const, timeutil
from .._answers import ApiResponse
from .._config import RetryPolicy
from .._transport import was_sent
from ..exceptions import (
    MonthlyLimitExceeded,
    RateLimitingException,
    SmartcarException,
    TokenStoreException,
)

if TYPE_CHECKING:  # ``import smartcar.v3`` loads no token store module
    from ..tokens.meter import CallMeter

__all__ = ["Metering", "check_monthly_limit", "vehicle_of"]

logger = logging.getLogger("smartcar")

_ACCOUNT_BILLING_CODES = frozenset({"INVALID_PLAN", "VEHICLE_LIMIT", "ACCOUNT_SUSPENDED"})
"""430 codes about the whole account, not one vehicle's month."""


def check_monthly_limit(monthly_limit: object) -> Optional[int]:
    """Return ``monthly_limit`` if it is ``None`` or a positive integer.

    Raises:
        ValueError: anything else.
    """
    if monthly_limit is None:
        return None
    if isinstance(monthly_limit, bool) or not isinstance(monthly_limit, int) or monthly_limit < 1:
        raise ValueError(
            f"monthly_limit must be a positive integer (calls per vehicle per month) or None, "
            f"not {monthly_limit!r}"
        )
    return monthly_limit


def vehicle_of(url: str) -> Optional[str]:
    """Return the vehicle id a v3 vehicle URL (``{vehicle API}/vehicles/{id}/...``) bills, or
    ``None`` for any other URL."""
    from urllib.parse import unquote

    prefix = const.VEHICLE_API_V3_URL.rstrip("/") + "/vehicles/"
    if not url.startswith(prefix):
        return None
    segment = url[len(prefix) :].split("/", 1)[0].split("?", 1)[0]
    return unquote(segment) or None


def current_month() -> str:
    """The calendar month (UTC) of the SDK's clock, ``"YYYY-MM"``."""
    return timeutil.month_of(timeutil.timestamp())


class Metering:
    """One client's call meter (see the module docstring).

    Args:
        meter: where the counts, spent marks and the pause are kept.
        scope: names the application's pause in ``meter`` (its API client id).
        monthly_limit: calls per vehicle per month the client allows itself, or ``None``.
    """

    def __init__(self, meter: CallMeter, scope: str, monthly_limit: Optional[int]) -> None:
        self.meter = meter
        self.scope = scope
        self.monthly_limit = monthly_limit

    def calls(self, vehicle_id: str) -> int:
        """Return the calls counted for ``vehicle_id`` this month.

        Raises:
            TokenStoreException: the store failed.
        """
        return self.meter.calls(vehicle_id, current_month())

    def paused_until(self) -> float:
        """Return the epoch time the application's pause ends (a past time: no pause).

        Raises:
            TokenStoreException: the store failed.
        """
        return self.meter.held_until(self.scope)

    def gate(self, vehicle_id: Optional[str]) -> Gate:
        """The :class:`~smartcar._transport.AttemptGate` of one request (for ``vehicle_id``,
        or for no vehicle)."""
        return Gate(self, vehicle_id)


class Gate:
    """Admits and records the attempts of one request (see :class:`Metering`)."""

    def __init__(self, metering: Metering, vehicle_id: Optional[str]) -> None:
        self.metering = metering
        self.vehicle_id = vehicle_id

    def admit(self, policy: RetryPolicy) -> None:
        """Raise when the vehicle is spent or at its limit; wait out the application's pause.

        Raises:
            The exceptions of :meth:`check`.
        """
        pause = self.check(policy)
        if pause > 0:
            time.sleep(pause)

    def check(self, policy: RetryPolicy) -> float:
        """Raise when the vehicle is spent or at its limit; return the seconds the
        application's pause still lasts (``0.0``: none), which the attempt must wait out.

        Raises:
            MonthlyLimitExceeded: the vehicle is spent this month, or at ``monthly_limit``.
            RateLimitingException: the pause lasts longer than ``policy.retry_after_cap``.
            TokenStoreException: the store failed.
        """
        metering = self.metering
        vehicle_id = self.vehicle_id
        if vehicle_id is not None:
            month = current_month()
            if metering.meter.is_spent(vehicle_id, month):
                raise MonthlyLimitExceeded(
                    f"Vehicle {vehicle_id} used up its monthly allowance (the service answered "
                    f"430 this month); no request is sent until {_month_end_text(month)}",
                    error="vehicle_spent",
                    type="BILLING",
                    code="VEHICLE_REQUEST_LIMIT",
                )
            limit = metering.monthly_limit
            if limit is not None and metering.meter.calls(vehicle_id, month) >= limit:
                raise MonthlyLimitExceeded(
                    f"Vehicle {vehicle_id} reached monthly_limit={limit} calls this month; "
                    f"no request is sent until {_month_end_text(month)}",
                    error="monthly_limit_reached",
                    type="BILLING",
                    code="VEHICLE_REQUEST_LIMIT",
                )
        remaining = metering.paused_until() - time.time()
        if remaining <= 0:
            return 0.0
        if remaining > policy.retry_after_cap:
            raise RateLimitingException(
                f"Every request of the application is paused for {remaining:.1f} s more "
                "(an app-wide rate limit, 429 SMARTCAR_API); no request was sent",
                error="app_paused",
                type="RATE_LIMIT",
                code="SMARTCAR_API",
                retry_after=remaining,
            )
        return remaining

    def record(
        self, outcome: Union[ApiResponse, SmartcarException], pause: Optional[float]
    ) -> None:
        """Count the attempt, mark the vehicle spent after a 430, start an app-wide pause.

        A store that fails here is logged, not raised: the attempt already happened, and its
        answer (a command's above all) must reach the caller.
        """
        try:
            self._record(outcome, pause)
        except TokenStoreException as error:
            logger.warning("the call meter could not record an attempt: %s", error)

    def _record(
        self, outcome: Union[ApiResponse, SmartcarException], pause: Optional[float]
    ) -> None:
        metering = self.metering
        if pause is not None:
            logger.warning(
                "app-wide rate limit (429 SMARTCAR_API): every request waits %.2fs", pause
            )
            metering.meter.hold(metering.scope, time.time() + pause)
        vehicle_id = self.vehicle_id
        if vehicle_id is None or not was_sent(outcome):
            return
        status = outcome.status_code
        if status == 430 and isinstance(outcome, SmartcarException):
            if (outcome.code or "").upper() not in _ACCOUNT_BILLING_CODES:
                metering.meter.mark_spent(vehicle_id, current_month())
            return
        if status != 429:
            metering.meter.add_call(vehicle_id, current_month())


def _month_end_text(month: str) -> str:
    from ..tokens.meter import month_end

    end = datetime.datetime.fromtimestamp(month_end(month), datetime.timezone.utc)
    return end.strftime("%Y-%m-%d %H:%M UTC")
