"""``smartcar.v3.Vehicle``: one user's vehicle, read through signals and commanded.

Every call sends the client's application token and ``sc-user-id``, and counts against the
vehicle's monthly allowance. The seed's reads (``odometer()``, ``battery()``...) return exactly
what smartcar 4.3 returned, so 4.3-era code runs unchanged on a v3 vehicle; each costs one
call: a read of one signal (``vin()``, ``odometer()``, ``location()``, ``oil()``,
``tire_pressure()``, ``battery_capacity()``) asks for that signal alone, a read of several
(``battery()``, ``fuel()``, ``charge()``) fetches ``/signals``. ``snapshot()`` fetches
``/signals`` once and serves every read from it.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Protocol,
    Tuple,
    Union,
    cast,
)

from .. import _calls
from .._answers import ApiResponse
from .._checks import check_id
from .._results import Result
from ..exceptions import ResourceNotFoundException
from ..vehicle import check_unit_system
from . import _commands, _request, _resources, _schedules, _seed_reads
from ._http import ENDPOINTS, Transport
from ._signal_pages import SignalPages
from ._signals import Signal, lazy_signals, signal_from
from ._snapshot import Snapshot

if TYPE_CHECKING:
    from ..types import DataResult, UnitDataResult
    from .types import ChargeScheduleExecution, CommandExecution, VehicleInfo

__all__ = ["Vehicle"]


class _Client(Protocol):
    """What a vehicle takes from its :class:`~smartcar.v3.Client`: the client's transport."""

    @property
    def _transport(self) -> Transport: ...


class Vehicle:
    """A vehicle as one of its users connected it.

    Get one from ``client.vehicle(vehicle_id, user_id)`` (or ``Vehicle(client, vehicle_id,
    user_id)``).

    Args:
        client: the :class:`~smartcar.v3.Client` whose application token the calls use.
        vehicle_id: the vehicle's id.
        user_id: the id of the user acting (``sc-user-id``), from the Connect redirect or
            ``Client.connections()``.
        unit_system: ``"metric"`` (km, liters, kPa) or ``"imperial"`` (miles, US gallons,
            psi) for the seed's reads; the SDK converts, the service always sends metric.

    Raises:
        ValueError: a missing or empty ``vehicle_id`` or ``user_id``, or a bad
            ``unit_system``.
        TypeError: ``client`` is not a ``smartcar.v3.Client``.
    """

    def __init__(
        self,
        client: Union[_Client, Transport],
        vehicle_id: str,
        user_id: str,
        unit_system: str = "metric",
    ) -> None:
        transport = client if isinstance(client, Transport) else getattr(client, "_transport", None)
        if not isinstance(transport, Transport):
            raise TypeError(f"client must be a smartcar.v3.Client, not {type(client).__name__}")
        self.vehicle_id = check_id("vehicle_id", vehicle_id)
        self.user_id = check_id("user_id", user_id)
        self.unit_system = check_unit_system(unit_system)
        self._transport = transport

    def __repr__(self) -> str:
        return (
            f"Vehicle(vehicle_id={self.vehicle_id!r}, user_id={self.user_id!r}, "
            f"unit_system={self.unit_system!r})"
        )

    def set_unit_system(self, unit_system: str) -> None:
        """Use ``"metric"`` or ``"imperial"`` for the following seed reads.

        Raises:
            ValueError: any other value.
        """
        self.unit_system = check_unit_system(unit_system)

    def calls_this_month(self) -> int:
        """Return how many calls the application made for this vehicle this calendar month
        (UTC), as counted by every worker sharing the client's token store (see
        ``Client(monthly_limit=...)``).

        Raises:
            TokenStoreException: the token store failed.
        """
        return self._transport.metering.calls(self.vehicle_id)

    # Vehicle and signals ---------------------------------------------------------------

    def info(self) -> VehicleInfo:
        """Return ``{"id", "make", "model", "year", "powertrain_type", "mode"}``.

        Raises:
            SmartcarException: the subclass the error answer maps to.
        """
        response = self._call("vehicle")
        item = _resources.one(response, "vehicle")
        info: VehicleInfo = _resources.converted(response, item, _resources.vehicle_info_from)
        return info

    def signals(self) -> Dict[str, Signal]:
        """Return every signal the vehicle sent, keyed by signal code.

        An empty mapping is a valid answer (a vehicle not yet subscribed to a webhook may
        have no signals stored). Each signal's code is read now; its other parts (body,
        status, error, times) when one of its fields is first used. A malformed part then
        raises ``SmartcarException`` ("a bad signal: ...", never ``AttributeError``,
        ``KeyError`` or ``TypeError``) at that first use, and the other signals stay usable.

        Raises:
            SmartcarException: the subclass the error answer maps to, or the base class for
                an answer that holds no list of signals, or ("a bad signal: ...") a signal
                that is not an object or has no code.
        """
        return self._fetch_signals()[0]

    def signal(self, code: str) -> Signal:
        """Return one signal, e.g. ``signal("tractionbattery-stateofcharge")``.

        Raises:
            ValueError: an empty ``code``.
            ResourceNotFoundException: the vehicle has no signal ``code``.
            SmartcarException: another error answer, or an answer that is not a signal.
        """
        code = check_id("code", code)
        response = self._call("signal", code=code)
        return signal_from(response, response.body)

    def snapshot(self) -> Snapshot:
        """Fetch every signal once (one ``GET …/signals``) and return them as a
        :class:`~smartcar.v3.Snapshot`, whose ``odometer()``, ``battery()``, ``location()``,
        ``fuel()``, ``charge()``, ``oil()``, ``tire_pressure()``, ``battery_capacity()`` and
        ``vin()`` return the seed's shapes without another call.

        Raises:
            SmartcarException: as :meth:`signals`; a signal's malformed part raises the same
                ("a bad signal: ...") from the snapshot's read that first uses it.
        """
        signals, request_id = self._fetch_signals()
        return Snapshot(signals, unit_system=self.unit_system, request_id=request_id)

    # The seed's reads (one call each; see snapshot() for several) -----------------------

    def vin(self) -> str:
        """Return the vehicle's VIN (one ``GET …/signals/vehicleidentification-vin``).

        Raises:
            SmartcarException: the signal is in error or the answer holds no VIN;
                ``VehicleNotCapableException`` when the vehicle has no VIN signal.
        """
        return self._one_signal(_seed_reads.VIN).vin()

    def location(self) -> DataResult:
        """Return ``{"data": {"latitude", "longitude"}, "age"}`` (one call, for
        ``location-preciselocation``).

        Raises:
            SmartcarException: the subclass the signal's error maps to;
                ``VehicleNotCapableException`` when the vehicle has no such signal.
        """
        return self._one_signal(_seed_reads.LOCATION).location()

    def odometer(self) -> UnitDataResult:
        """Return ``{"data": {"distance"}, "unit_system", "age"}`` (km or miles; one call,
        for ``odometer-traveleddistance``).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return self._one_signal(_seed_reads.ODOMETER).odometer()

    def fuel(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining", "amountRemaining"}, "unit_system",
        "age"}`` (km or miles; 0..1; liters or US gallons; one ``GET …/signals``).

        Raises:
            SmartcarException: the most telling error of the fuel signals
                (``VehicleNotCapableException`` on a battery-electric car).
        """
        return self.snapshot().fuel()

    def battery(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining"}, "unit_system", "age"}`` (km or
        miles; 0..1; one ``GET …/signals``).

        Raises:
            SmartcarException: the most telling error of the battery signals.
        """
        return self.snapshot().battery()

    def battery_capacity(self) -> DataResult:
        """Return ``{"data": {"capacity"}, "age"}`` (kWh; one call, for
        ``tractionbattery-nominalcapacity``).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return self._one_signal(_seed_reads.BATTERY_CAPACITY).battery_capacity()

    def charge(self) -> DataResult:
        """Return ``{"data": {"isPluggedIn", "state"}, "age"}``; ``state`` is
        ``CHARGING``, ``FULLY_CHARGED`` or ``NOT_CHARGING`` (one ``GET …/signals``).

        Raises:
            SmartcarException: the most telling error of the charge signals.
        """
        return self.snapshot().charge()

    def oil(self) -> DataResult:
        """Return ``{"data": {"lifeRemaining"}, "age"}`` (0..1; one call, for
        ``internalcombustionengine-oillife``).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return self._one_signal(_seed_reads.OIL_LIFE).oil()

    def tire_pressure(self) -> UnitDataResult:
        """Return ``{"data": {"tires": {"frontLeft", "frontRight", "backLeft", "backRight"}},
        "unit_system", "age"}`` (kPa or psi; one call, for ``wheel-tires``).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return self._one_signal(_seed_reads.TIRES).tire_pressure()

    # Commands --------------------------------------------------------------------------

    def lock(self) -> CommandExecution:
        """Lock the doors (``POST …/commands/security/lock``).

        Returns:
            The command execution (``status`` ``"SUCCESS"``).

        Raises:
            SmartcarException: the subclass the error answer, or the failed execution's
                error, maps to. Sent again only after a 401 that refused the token
                (proof it went no further), never after a failure that may have reached
                the car.
        """
        return self._command("lock")

    def unlock(self) -> CommandExecution:
        """Unlock the doors (``POST …/commands/security/unlock``). See :meth:`lock`."""
        return self._command("unlock")

    def start_charge(self) -> CommandExecution:
        """Start charging (``POST …/commands/charge/start``). See :meth:`lock`."""
        return self._command("start_charge")

    def stop_charge(self) -> CommandExecution:
        """Stop charging (``POST …/commands/charge/stop``). See :meth:`lock`."""
        return self._command("stop_charge")

    def set_charge_limit(self, percent: int) -> CommandExecution:
        """Set the charge limit to ``percent`` (an integer from 50 to 100). See :meth:`lock`.

        Raises:
            ValueError: ``percent`` is not an integer from 50 to 100 (nothing is sent; note
                the seed's v2 call took a fraction, v3 takes a percentage).
        """
        return self._command("set_charge_limit", _commands.charge_limit(percent))

    def set_destination(self, latitude: float, longitude: float) -> CommandExecution:
        """Send a navigation destination to the vehicle. See :meth:`lock`.

        Raises:
            ValueError: ``latitude`` outside -90..90 or ``longitude`` outside -180..180, or
                either not a finite number (nothing is sent).
        """
        return self._command("set_destination", _commands.destination(latitude, longitude))

    def open_charge_port(self) -> CommandExecution:
        """Open the charge port door (``POST …/commands/charge-port/open``). See :meth:`lock`."""
        return self._command("open_charge_port")

    def close_charge_port(self) -> CommandExecution:
        """Close the charge port door (``POST …/commands/charge-port/close``). See
        :meth:`lock`."""
        return self._command("close_charge_port")

    # Charge schedules --------------------------------------------------------------------

    def set_daily_charge_schedule(
        self, latitude: float, longitude: float, start_time: str, stop_time: str
    ) -> ChargeScheduleExecution:
        """Charge every day from ``start_time`` to ``stop_time`` (``"HH:MM"``, 24 h, or a
        ``datetime.time``) when the vehicle is at ``latitude``, ``longitude``.

        Returns:
            The execution; its ``schedule_id`` is what :meth:`delete_charge_schedule` takes.
            Schedules read back through the ``charge-chargetimers`` signal.

        Raises:
            ValueError: a coordinate out of range or a bad time (nothing is sent).
            VehicleNotCapableException: the make does not support this schedule (Smartcar
                supports Tesla: daily, weekly, workweek; Volvo: daily).
            SmartcarException: another error answer or failed execution; never sent twice
                (see :meth:`lock`).
        """
        attributes = _schedules.daily(latitude, longitude, start_time, stop_time)
        return self._schedule("POST", "daily", attributes)

    def set_weekly_charge_schedule(
        self, latitude: float, longitude: float, days: Mapping[str, Tuple[str, str]]
    ) -> ChargeScheduleExecution:
        """Charge on the given weekdays: ``days`` maps ``"monday"`` ... ``"sunday"`` to
        ``(start_time, stop_time)``. See :meth:`set_daily_charge_schedule`.

        Raises:
            ValueError: a bad coordinate, day name or time (nothing is sent).
        """
        attributes = _schedules.weekly(latitude, longitude, days)
        return self._schedule("POST", "weekly", attributes)

    def set_workweek_charge_schedule(
        self,
        latitude: float,
        longitude: float,
        weekdays: Tuple[str, str],
        weekends: Tuple[str, str],
    ) -> ChargeScheduleExecution:
        """Charge Monday to Friday in the ``weekdays`` window and on Saturday and Sunday in the
        ``weekends`` one, each ``(start_time, stop_time)``. See
        :meth:`set_daily_charge_schedule`.

        Raises:
            ValueError: a bad coordinate or time (nothing is sent).
        """
        attributes = _schedules.workweek(latitude, longitude, weekdays, weekends)
        return self._schedule("POST", "workweek", attributes)

    def delete_charge_schedule(self, schedule_id: str) -> ChargeScheduleExecution:
        """Remove a charge schedule (``DELETE …/charge-schedules/{schedule_id}``).

        Raises:
            ValueError: an empty ``schedule_id`` (nothing is sent).
            ResourceNotFoundException: no such schedule.
            SmartcarException: another error answer; never sent twice (see :meth:`lock`).
        """
        return self._schedule("DELETE", check_id("schedule_id", schedule_id), None)

    # Any other endpoint ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> ApiResponse:
        """Send a request to an endpoint of this vehicle the SDK has no method for.

        ``path`` is below ``/v3/vehicles/{id}/`` (``"signals/charge-voltage"``; ``""`` for the
        vehicle itself). The application token and ``sc-user-id`` are sent, errors raise the
        same exceptions as every call, and only a ``GET`` is ever sent again (after a 429,
        502 or 503; any method after a 401 that refused the token).

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: the path below the vehicle (percent-encode segments yourself).
            body: a JSON-serialisable body (sent as ``application/json``).
            params: query parameters (a value may be a list).
            headers: extra headers (not ``Authorization`` or ``sc-user-id``).

        Returns:
            The answer: ``status_code``, ``headers``, ``body`` (parsed JSON, ``None`` when
            empty) and ``request_id``.

        Raises:
            ValueError, TypeError: a bad argument (nothing is sent).
            SmartcarException: the subclass the error answer maps to.
        """
        return _request.send(
            self._transport,
            method,
            _request.under(self._url(), path),
            body=body,
            params=params,
            headers=headers,
            user_id=self.user_id,
        )

    # Plumbing --------------------------------------------------------------------------

    def _url(self) -> str:
        return _calls.url_for(
            ENDPOINTS["vehicle"], self._transport.config, vehicle_id=self.vehicle_id
        )

    def _call(self, name: str, json_body: Any = None, **path: str) -> ApiResponse:
        path["vehicle_id"] = self.vehicle_id
        return self._transport.call(name, user_id=self.user_id, json_body=json_body, path=path)

    def _fetch_signals(
        self, read: Callable[[ApiResponse], List[Signal]] = lazy_signals
    ) -> Tuple[Dict[str, Signal], Optional[str]]:
        """Every signal, page by page (:class:`~smartcar.v3._signal_pages.SignalPages`)."""
        pages = SignalPages(self._transport.config, self.vehicle_id, read)
        following = pages.add(self._call("signals"))
        while following is not None:
            following = pages.add(
                self._transport.call("signals", url=following, user_id=self.user_id)
            )
        return pages.signals, pages.request_id

    def _one_signal(self, code: str) -> Snapshot:
        """A snapshot of the one signal ``code`` (empty when the vehicle has no such signal),
        from the single-signal endpoint."""
        try:
            response = self._call("signal", code=code)
        except ResourceNotFoundException as error:
            if error.code != "SIGNAL_NOT_FOUND":
                raise
            return Snapshot({}, unit_system=self.unit_system, request_id=error.request_id)
        signal = signal_from(response, response.body)
        return Snapshot(
            {code: signal}, unit_system=self.unit_system, request_id=response.request_id
        )

    def _command(self, name: str, attributes: Optional[Dict[str, Any]] = None) -> CommandExecution:
        body = {"data": {"attributes": attributes}} if attributes is not None else None
        response = self._call(name, body)
        return cast("CommandExecution", _commands.command_result(response))

    def _schedule(
        self, method: str, name: str, attributes: Optional[Dict[str, Any]]
    ) -> ChargeScheduleExecution:
        body = {"data": {"attributes": attributes}} if attributes is not None else None
        endpoint = "delete_charge_schedule" if method == "DELETE" else "set_charge_schedule"
        response = self._call(endpoint, body, schedule=name)
        if method == "DELETE" and response.body is None:  # a bare 204: nothing to read
            return cast(
                "ChargeScheduleExecution",
                Result(
                    _resources.schedule_deleted(name, response.status_code), response.request_id
                ),
            )
        return cast(
            "ChargeScheduleExecution",
            _commands.command_result(
                response,
                "charge-schedule-execution",
                _resources.charge_schedule_execution_from,
            ),
        )
