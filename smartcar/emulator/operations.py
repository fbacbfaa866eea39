"""The Python admin API (``emu.*``) that :class:`~smartcar.emulator.app.EmulatorApp` and
:class:`~smartcar.emulator.Emulator` share, each operation defined once, here: the
configuration, the fleet, tokens, limits and the request log, read from the app's state."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Protocol, Sequence, Union

if TYPE_CHECKING:
    from smartcar.emulator._clock import Clock
    from smartcar.emulator.faults import AppRateLimit, MonthlyAllowance, RateLimiter
    from smartcar.emulator.fleet import SimVehicle
    from smartcar.emulator.middleware import RequestRecord
    from smartcar.emulator.state import EmulatorState


class Target(Protocol):
    """What the operations act on: the parts of an :class:`~smartcar.emulator.app.EmulatorApp`
    they read."""

    state: EmulatorState
    rate_limits: RateLimiter
    app_limit: AppRateLimit
    allowance: MonthlyAllowance

    @property
    def request_log(self) -> List[RequestRecord]: ...


class Operations:
    """The shared operations; a class provides :meth:`_target`, the app they act on."""

    def _target(self) -> Target:
        raise NotImplementedError

    # ------------------------------------------------------------------ configuration
    @property
    def seed(self) -> int:
        return self._target().state.seed

    @property
    def client_id(self) -> str:
        return self._target().state.client_id

    @property
    def client_secret(self) -> str:
        return self._target().state.client_secret

    @property
    def redirect_uris(self) -> List[str]:
        """The registered redirect URIs (a copy; :meth:`add_redirect_uri` adds one)."""
        return list(self._target().state.redirect_uris)

    @property
    def clock(self) -> Clock:
        return self._target().state.clock

    @property
    def application_id(self) -> str:
        """The Application ID: Connect's ``client_id`` for v3 apps (not the API client id)."""
        return self._target().state.application_id

    @property
    def management_token(self) -> str:
        """The application management token (AMT): signs webhook deliveries."""
        return self._target().state.management_token

    def add_redirect_uri(self, uri: str) -> None:
        """Register another redirect URI for the app."""
        self._target().state.add_redirect_uri(uri)

    # ------------------------------------------------------------------ fleet and tokens
    def vehicles(self, user: Optional[str] = None) -> List[SimVehicle]:
        """The simulated vehicles of ``user`` (default: the default user), brought up to date."""
        return self._target().state.vehicles(user)

    def vehicle(self, vehicle_id: str) -> SimVehicle:
        """The simulated vehicle with this id (KeyError when unknown)."""
        return self._target().state.vehicle(vehicle_id)

    def user_id(self, user: Optional[str] = None) -> str:
        """The stable user id of ``user`` (an email; default the default user)."""
        return self._target().state.user_id(user)

    def issue_tokens(
        self,
        scope: Union[str, Sequence[str], None] = None,
        user: Optional[str] = None,
        make: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]:
        """The access dict ``AuthClient.exchange_code`` returns, minted without Connect
        (``expiration``/``refresh_expiration``: naive UTC datetimes on the emulated clock;
        the arguments as for ``EmulatorState.issue_tokens``)."""
        state = self._target().state
        return state.issue_tokens(scope=scope, user=user, make=make, vehicle_ids=vehicle_ids)

    def mint_tokens(
        self,
        scope: Union[str, Sequence[str], None] = None,
        user: Optional[str] = None,
        make: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]:
        """The token response body, minted without Connect."""
        state = self._target().state
        return state.mint_tokens(scope=scope, user=user, make=make, vehicle_ids=vehicle_ids)

    # ------------------------------------------------------------------ limits
    def rate_limit(
        self, vehicle_id: Optional[str] = None, per_second: Optional[float] = 1.0
    ) -> None:
        """Allow ``per_second`` requests per vehicle (``vehicle_id`` None: every vehicle);
        beyond that answer 429 with ``Retry-After``. ``None`` lifts it."""
        self._target().rate_limits.set(vehicle_id, per_second)

    def app_rate_limit(self, capacity: Optional[int], refill_per_minute: float = 2.0) -> None:
        """Smartcar's application-wide limit: a bucket of ``capacity`` API requests (full
        now) refilled at ``refill_per_minute`` on the emulated clock; once empty, API
        requests answer 429 ``RATE_LIMIT``/``SMARTCAR_API`` with ``Retry-After`` (the
        seconds until the next request fits). ``None`` lifts it. The service's default
        is 120 refilling at 2 a minute."""
        app = self._target()
        app.app_limit.set(capacity, refill_per_minute, app.state.clock.timestamp())

    def monthly_limit(self, calls: Optional[int], vehicle_id: Optional[str] = None) -> None:
        """The plan's allowance: at most ``calls`` billed calls per vehicle and calendar
        month (UTC, emulated clock); a vehicle that spent it answers 430
        ``BILLING``/``VEHICLE_REQUEST_LIMIT`` until the month ends. ``vehicle_id`` None:
        every vehicle without one of its own; ``calls=None`` lifts it."""
        self._target().allowance.set(calls, vehicle_id)

    def calls(self, vehicle_id: str, month: Optional[str] = None) -> int:
        """Billed calls of ``vehicle_id`` in ``month`` (``"2026-12"``; default the emulated
        current month): every request naming the vehicle that got past the limits, one
        per request of a batch."""
        from smartcar.emulator.middleware import month_of

        app = self._target()
        return app.allowance.used(vehicle_id, month or month_of(app.state.clock.now()))

    # ------------------------------------------------------------------ the log
    def token_exchanges(self, grant_type: Optional[str] = None) -> int:
        """How many POSTs reached ``/oauth/token`` (of ``grant_type`` when given)."""
        return sum(
            1
            for record in list(self._target().request_log)
            if record.method == "POST"
            and record.path == "/oauth/token"
            and (grant_type is None or record.grant_type == grant_type)
        )

    def requests(self, pattern: str = "*", method: Optional[str] = None) -> List[RequestRecord]:
        """Logged attempts whose path matches the fnmatch ``pattern`` (and ``method``)."""
        return [
            record
            for record in list(self._target().request_log)
            if fnmatch.fnmatchcase(record.path, pattern)
            and (method is None or record.method == method.upper())
        ]
