"""``smartcar.v3.Vehicle``: one user's vehicle, read through signals and commanded.

Every call sends the client's application token and ``sc-user-id``. The seed's reads
(``odometer()``, ``battery()``...) are built from one ``GET /vehicles/{id}/signals`` each and
return exactly what smartcar 4.3 returned, so 4.3-era code runs unchanged on a v3 vehicle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Union, cast

from .. import api, const
from .._results import Result
from ..exceptions import SmartcarException
from ..vehicle import check_unit_system
from . import _commands, _parse, _resources, _seed_reads
from ._http import Transport, check_id, next_link, segment
from ._signals import Signal, parse_signal

if TYPE_CHECKING:
    from ..types import DataResult, UnitDataResult
    from .client import Client
    from .types import CommandExecution, VehicleInfo

__all__ = ["Vehicle"]

_MAX_SIGNAL_PAGES = 50


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
        client: Union[Client, Transport],
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
        response = self._send("GET", "")
        item = _resources.one(response, "vehicle")
        info: VehicleInfo = _resources.converted(response, item, _resources.vehicle_info_from)
        return info

    def signals(self) -> Dict[str, Signal]:
        """Return every signal the vehicle sent, keyed by signal code.

        An empty mapping is a valid answer (a vehicle not yet subscribed to a webhook may
        have no signals stored).

        Raises:
            SmartcarException: the subclass the error answer maps to, or the base class for
                an answer that holds no list of signals.
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
        response = self._send("GET", "signals/" + segment(code))
        return _signal_from(response, response.body)

    # The seed's reads ------------------------------------------------------------------

    def vin(self) -> str:
        """Return the vehicle's VIN (signal ``vehicleidentification-vin``).

        Raises:
            SmartcarException: the signal is in error or the answer holds no VIN;
                ``VehicleNotCapableException`` when the vehicle sent no VIN signal.
        """
        result = self._seed_read("vin")
        vin = result["data"]["vin"]
        if not isinstance(vin, str):
            raise SmartcarException(
                "The vehicleidentification-vin signal holds no VIN",
                error="invalid_response",
                request_id=result.request_id,
            )
        return vin

    def location(self) -> DataResult:
        """Return ``{"data": {"latitude", "longitude"}, "age"}``.

        Raises:
            SmartcarException: the subclass a signal's error maps to;
                ``VehicleNotCapableException`` when the vehicle sent no such signal.
        """
        return cast("DataResult", self._seed_read("location"))

    def odometer(self) -> UnitDataResult:
        """Return ``{"data": {"distance"}, "unit_system", "age"}`` (km or miles).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("UnitDataResult", self._seed_read("odometer"))

    def fuel(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining", "amountRemaining"}, "unit_system",
        "age"}`` (km or miles; 0..1; liters or US gallons).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("UnitDataResult", self._seed_read("fuel"))

    def battery(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining"}, "unit_system", "age"}`` (km or
        miles; 0..1).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("UnitDataResult", self._seed_read("battery"))

    def battery_capacity(self) -> DataResult:
        """Return ``{"data": {"capacity"}, "age"}`` (kWh).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("DataResult", self._seed_read("battery_capacity"))

    def charge(self) -> DataResult:
        """Return ``{"data": {"isPluggedIn", "state"}, "age"}``; ``state`` is
        ``CHARGING``, ``FULLY_CHARGED`` or ``NOT_CHARGING``.

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("DataResult", self._seed_read("charge"))

    def oil(self) -> DataResult:
        """Return ``{"data": {"lifeRemaining"}, "age"}`` (0..1).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("DataResult", self._seed_read("oil"))

    def tire_pressure(self) -> UnitDataResult:
        """Return ``{"data": {"tires": {"frontLeft", "frontRight", "backLeft", "backRight"}},
        "unit_system", "age"}`` (kPa or psi).

        Raises:
            SmartcarException: as :meth:`location`.
        """
        return cast("UnitDataResult", self._seed_read("tire_pressure"))

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

    # Plumbing --------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        url = f"{const.VEHICLE_API_V3_URL}/vehicles/{segment(self.vehicle_id)}"
        return f"{url}/{path}" if path else url

    def _send(
        self, method: str, path: str, json_body: Any = None, *, command: bool = False
    ) -> api.ApiResponse:
        return self._transport.send(
            method, self._url(path), user_id=self.user_id, json_body=json_body, command=command
        )

    def _fetch_signals(self) -> Tuple[Dict[str, Signal], Optional[str]]:
        base = const.VEHICLE_API_V3_URL
        url = self._url("signals")
        signals: Dict[str, Signal] = {}
        request_id: Optional[str] = None
        for _ in range(_MAX_SIGNAL_PAGES):
            response = self._transport.send("GET", url, user_id=self.user_id)
            request_id = request_id or response.request_id
            for item in _resources.many(response, "signal"):
                signal = _signal_from(response, item)
                signals[signal.code] = signal
            info = _parse.page_info(response.body)
            if info.total is None or len(signals) >= info.total:
                break
            following = next_link(response.body, base)
            if following is None:
                break
            url = following
        return signals, request_id

    def _seed_read(self, name: str) -> Result:
        signals, request_id = self._fetch_signals()
        return _seed_reads.build(name, signals, self.unit_system, request_id)

    def _command(self, name: str, attributes: Optional[Dict[str, Any]] = None) -> CommandExecution:
        body = {"data": {"attributes": attributes}} if attributes is not None else None
        response = self._send("POST", _commands.COMMANDS[name], body, command=True)
        return _commands.command_result(response)


def _signal_from(response: api.ApiResponse, obj: Any) -> Signal:
    try:
        return parse_signal(obj)
    except SmartcarException as error:
        raise _resources.bad_answer(response, f"a bad signal: {error}") from None
