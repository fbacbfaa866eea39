"""``Snapshot``: signals already fetched, read in the seed's shapes without another call.

Every v3 call counts against the vehicle's monthly allowance (often 500 calls). One
``GET /vehicles/{id}/signals`` holds every signal, so ``vehicle.snapshot()`` fetches once and
its ``odometer()``, ``battery()``, ``location()``... cost nothing more. A snapshot can be built
from any ``{code: Signal}`` mapping (e.g. the signals a webhook delivery carried).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Mapping, Optional, cast

from .._results import Result
from ..exceptions import SmartcarException
from ..vehicle import check_unit_system
from . import _seed_reads
from ._signals import Signal

if TYPE_CHECKING:
    from ..types import DataResult, UnitDataResult

__all__ = ["Snapshot"]


class Snapshot:
    """A vehicle's signals at one moment, with the seed's (smartcar 4.3's) reads over them.

    Args:
        signals: ``{code: Signal}``, e.g. ``Vehicle.signals()`` or a webhook's signals.
        unit_system: ``"metric"`` (km, liters, kPa) or ``"imperial"`` (miles, US gallons,
            psi) for the reads with units.
        request_id: the ``sc-request-id`` of the answer the signals came from, if any; the
            reads' results carry it as ``.request_id``.

    Each read raises exactly as the :class:`~smartcar.v3.Vehicle` method of the same name
    (the exception a signal's error maps to; ``VehicleNotCapableException`` when none of the
    signals it needs is present), and sends nothing.

    Raises:
        ValueError: a bad ``unit_system``.
    """

    def __init__(
        self,
        signals: Mapping[str, Signal],
        *,
        unit_system: str = "metric",
        request_id: Optional[str] = None,
    ) -> None:
        self.signals: Dict[str, Signal] = dict(signals)
        self.unit_system = check_unit_system(unit_system)
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"Snapshot({len(self.signals)} signals, unit_system={self.unit_system!r})"

    def signal(self, code: str) -> Optional[Signal]:
        """Return the signal ``code`` (e.g. ``"charge-voltage"``), or ``None`` if not sent."""
        return self.signals.get(code)

    def _read(self, name: str) -> Result:
        return _seed_reads.build(name, self.signals, self.unit_system, self.request_id)

    def vin(self) -> str:
        """Return the VIN (signal ``vehicleidentification-vin``).

        Raises:
            SmartcarException: the signal is in error or holds no VIN.
        """
        result = self._read("vin")
        vin = result["data"]["vin"]
        if not isinstance(vin, str):
            raise SmartcarException(
                "The vehicleidentification-vin signal holds no VIN",
                error="invalid_response",
                request_id=result.request_id,
            )
        return vin

    def location(self) -> DataResult:
        """Return ``{"data": {"latitude", "longitude"}, "age"}``."""
        return cast("DataResult", self._read("location"))

    def odometer(self) -> UnitDataResult:
        """Return ``{"data": {"distance"}, "unit_system", "age"}`` (km or miles)."""
        return cast("UnitDataResult", self._read("odometer"))

    def fuel(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining", "amountRemaining"}, "unit_system",
        "age"}`` (km or miles; 0..1; liters or US gallons)."""
        return cast("UnitDataResult", self._read("fuel"))

    def battery(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining"}, "unit_system", "age"}`` (km or
        miles; 0..1)."""
        return cast("UnitDataResult", self._read("battery"))

    def battery_capacity(self) -> DataResult:
        """Return ``{"data": {"capacity"}, "age"}`` (kWh)."""
        return cast("DataResult", self._read("battery_capacity"))

    def charge(self) -> DataResult:
        """Return ``{"data": {"isPluggedIn", "state"}, "age"}``; ``state`` is ``CHARGING``,
        ``FULLY_CHARGED`` or ``NOT_CHARGING``."""
        return cast("DataResult", self._read("charge"))

    def oil(self) -> DataResult:
        """Return ``{"data": {"lifeRemaining"}, "age"}`` (0..1)."""
        return cast("DataResult", self._read("oil"))

    def tire_pressure(self) -> UnitDataResult:
        """Return ``{"data": {"tires": {"frontLeft", "frontRight", "backLeft", "backRight"}},
        "unit_system", "age"}`` (kPa or psi)."""
        return cast("UnitDataResult", self._read("tire_pressure"))
