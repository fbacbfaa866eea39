"""``smartcar.v3.AsyncVehicle``: :class:`smartcar.v3.Vehicle`'s methods, awaitable.

The same requests (URLs, headers, bodies), results and exceptions as the sync vehicle: the
arguments are checked and the answers decoded by the same functions (:mod:`._commands`,
:mod:`._schedules`, :mod:`._resources`, :class:`._snapshot.Snapshot`); only the sending is
awaited.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
    cast,
)

from .. import _calls, api
from .._checks import check_id
from .._results import Result
from ..exceptions import ResourceNotFoundException
from ..vehicle import check_unit_system
from . import _async_request, _commands, _request, _resources, _schedules, _seed_reads
from ._async_http import AsyncTransport
from ._http import ENDPOINTS
from ._signal_pages import SignalPages
from ._signals import Signal, lazy_signals, signal_from
from ._snapshot import Snapshot

if TYPE_CHECKING:
    from ..types import DataResult, UnitDataResult
    from .types import ChargeScheduleExecution, CommandExecution, VehicleInfo

__all__ = ["AsyncVehicle"]


class AsyncVehicle:
    """A vehicle as one of its users connected it, for ``await``.

    Get one from ``client.vehicle(vehicle_id, user_id)`` on a :class:`~smartcar.v3.AsyncClient`.
    Every method is that of :class:`smartcar.v3.Vehicle`, awaitable.

    Raises:
        ValueError: a missing or empty ``vehicle_id`` or ``user_id``, or a bad
            ``unit_system``.
    """

    def __init__(
        self,
        transport: AsyncTransport,
        vehicle_id: str,
        user_id: str,
        unit_system: str = "metric",
    ) -> None:
        self.vehicle_id = check_id("vehicle_id", vehicle_id)
        self.user_id = check_id("user_id", user_id)
        self.unit_system = check_unit_system(unit_system)
        self._transport = transport

    def __repr__(self) -> str:
        return (
            f"AsyncVehicle(vehicle_id={self.vehicle_id!r}, user_id={self.user_id!r}, "
            f"unit_system={self.unit_system!r})"
        )

    def set_unit_system(self, unit_system: str) -> None:
        """Use ``"metric"`` or ``"imperial"`` for the following seed reads."""
        self.unit_system = check_unit_system(unit_system)

    async def calls_this_month(self) -> int:
        """Calls the application made for this vehicle this month (the store read off the loop)."""
        calls: int = await self._transport.off_loop(self._transport.metering.calls, self.vehicle_id)
        return calls

    # Vehicle and signals ---------------------------------------------------------------

    async def info(self) -> VehicleInfo:
        """See :meth:`smartcar.v3.Vehicle.info`."""
        response = await self._call("vehicle")
        item = _resources.one(response, "vehicle")
        info: VehicleInfo = _resources.converted(response, item, _resources.vehicle_info_from)
        return info

    async def signals(self) -> Dict[str, Signal]:
        """Return every signal the vehicle sent, keyed by signal code (see
        :meth:`smartcar.v3.Vehicle.signals`).

        Each signal's code is read now; its other parts (body, status, error, times) when one
        of its fields is first used. A malformed part then raises ``SmartcarException`` ("a
        bad signal: ...", never ``AttributeError``, ``KeyError`` or ``TypeError``) at that
        first use, and the other signals stay usable.

        Raises:
            SmartcarException: the subclass the error answer maps to, or the base class for
                an answer that holds no list of signals, or ("a bad signal: ...") a signal
                that is not an object or has no code.
        """
        return (await self._fetch_signals())[0]

    async def signal(self, code: str) -> Signal:
        """See :meth:`smartcar.v3.Vehicle.signal`."""
        code = check_id("code", code)
        response = await self._call("signal", code=code)
        return signal_from(response, response.body)

    async def snapshot(self) -> Snapshot:
        """See :meth:`smartcar.v3.Vehicle.snapshot`."""
        signals, request_id = await self._fetch_signals()
        return Snapshot(signals, unit_system=self.unit_system, request_id=request_id)

    async def vin(self) -> str:
        """See :meth:`smartcar.v3.Vehicle.vin`."""
        return (await self._one_signal(_seed_reads.VIN)).vin()

    async def location(self) -> DataResult:
        """See :meth:`smartcar.v3.Vehicle.location`."""
        return (await self._one_signal(_seed_reads.LOCATION)).location()

    async def odometer(self) -> UnitDataResult:
        """See :meth:`smartcar.v3.Vehicle.odometer`."""
        return (await self._one_signal(_seed_reads.ODOMETER)).odometer()

    async def fuel(self) -> UnitDataResult:
        """See :meth:`smartcar.v3.Vehicle.fuel`."""
        return (await self.snapshot()).fuel()

    async def battery(self) -> UnitDataResult:
        """See :meth:`smartcar.v3.Vehicle.battery`."""
        return (await self.snapshot()).battery()

    async def battery_capacity(self) -> DataResult:
        """See :meth:`smartcar.v3.Vehicle.battery_capacity`."""
        return (await self._one_signal(_seed_reads.BATTERY_CAPACITY)).battery_capacity()

    async def charge(self) -> DataResult:
        """See :meth:`smartcar.v3.Vehicle.charge`."""
        return (await self.snapshot()).charge()

    async def oil(self) -> DataResult:
        """See :meth:`smartcar.v3.Vehicle.oil`."""
        return (await self._one_signal(_seed_reads.OIL_LIFE)).oil()

    async def tire_pressure(self) -> UnitDataResult:
        """See :meth:`smartcar.v3.Vehicle.tire_pressure`."""
        return (await self._one_signal(_seed_reads.TIRES)).tire_pressure()

    # Commands --------------------------------------------------------------------------

    async def lock(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.lock` (never repeated once it may have taken effect;
        a cancelled command is not sent again)."""
        return await self._command("lock")

    async def unlock(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.unlock`."""
        return await self._command("unlock")

    async def start_charge(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.start_charge`."""
        return await self._command("start_charge")

    async def stop_charge(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.stop_charge`."""
        return await self._command("stop_charge")

    async def set_charge_limit(self, percent: int) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.set_charge_limit`."""
        return await self._command("set_charge_limit", _commands.charge_limit(percent))

    async def set_destination(self, latitude: float, longitude: float) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.set_destination`."""
        return await self._command("set_destination", _commands.destination(latitude, longitude))

    async def open_charge_port(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.open_charge_port`."""
        return await self._command("open_charge_port")

    async def close_charge_port(self) -> CommandExecution:
        """See :meth:`smartcar.v3.Vehicle.close_charge_port`."""
        return await self._command("close_charge_port")

    # Charge schedules --------------------------------------------------------------------

    async def set_daily_charge_schedule(
        self, latitude: float, longitude: float, start_time: str, stop_time: str
    ) -> ChargeScheduleExecution:
        """See :meth:`smartcar.v3.Vehicle.set_daily_charge_schedule`."""
        attributes = _schedules.daily(latitude, longitude, start_time, stop_time)
        return await self._schedule("POST", "daily", attributes)

    async def set_weekly_charge_schedule(
        self, latitude: float, longitude: float, days: Mapping[str, Tuple[str, str]]
    ) -> ChargeScheduleExecution:
        """See :meth:`smartcar.v3.Vehicle.set_weekly_charge_schedule`."""
        attributes = _schedules.weekly(latitude, longitude, days)
        return await self._schedule("POST", "weekly", attributes)

    async def set_workweek_charge_schedule(
        self,
        latitude: float,
        longitude: float,
        weekdays: Tuple[str, str],
        weekends: Tuple[str, str],
    ) -> ChargeScheduleExecution:
        """See :meth:`smartcar.v3.Vehicle.set_workweek_charge_schedule`."""
        attributes = _schedules.workweek(latitude, longitude, weekdays, weekends)
        return await self._schedule("POST", "workweek", attributes)

    async def delete_charge_schedule(self, schedule_id: str) -> ChargeScheduleExecution:
        """See :meth:`smartcar.v3.Vehicle.delete_charge_schedule`."""
        return await self._schedule("DELETE", check_id("schedule_id", schedule_id), None)

    # Any other endpoint ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> api.ApiResponse:
        """See :meth:`smartcar.v3.Vehicle.request`."""
        return await _async_request.send(
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

    def _call(
        self, name: str, json_body: Any = None, *, raw_body: bool = False, **path: str
    ) -> Awaitable[api.ApiResponse]:
        path["vehicle_id"] = self.vehicle_id
        return self._transport.call(
            name, user_id=self.user_id, json_body=json_body, path=path, raw_body=raw_body
        )

    async def _fetch_signals(
        self,
        read: Callable[[api.ApiResponse], List[Signal]] = lazy_signals,
        first: Optional[api.ApiResponse] = None,
    ) -> Tuple[Dict[str, Signal], Optional[str]]:
        """The vehicle's signals and the first page's request id (``first``: the first page,
        when it was fetched already)."""
        pages = SignalPages(self._transport.config, self.vehicle_id, read)
        following = pages.add(first if first is not None else await self._call("signals"))
        while following is not None:
            following = pages.add(
                await self._transport.call("signals", url=following, user_id=self.user_id)
            )
        return pages.signals, pages.request_id

    async def _one_signal(self, code: str) -> Snapshot:
        try:
            response = await self._call("signal", code=code)
        except ResourceNotFoundException as error:
            if error.code != "SIGNAL_NOT_FOUND":
                raise
            return Snapshot({}, unit_system=self.unit_system, request_id=error.request_id)
        signal = signal_from(response, response.body)
        return Snapshot(
            {code: signal}, unit_system=self.unit_system, request_id=response.request_id
        )

    async def _command(
        self, name: str, attributes: Optional[Dict[str, Any]] = None
    ) -> CommandExecution:
        body = {"data": {"attributes": attributes}} if attributes is not None else None
        response = await self._call(name, body)
        return cast("CommandExecution", _commands.command_result(response))

    async def _schedule(
        self, method: str, name: str, attributes: Optional[Dict[str, Any]]
    ) -> ChargeScheduleExecution:
        body = {"data": {"attributes": attributes}} if attributes is not None else None
        endpoint = "delete_charge_schedule" if method == "DELETE" else "set_charge_schedule"
        response = await self._call(endpoint, body, schedule=name)
        if method == "DELETE" and response.body is None:
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
