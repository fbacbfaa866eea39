"""Units of v3 signals: free text (``"km"``, ``"kilometers"``, ``"watts"``, ``"kW"``...) read
into a quantity and converted.

The service documents an enum of unit names but sends others (``percent``, ``km``, ``watt``,
``kWh``...), so a unit is looked up case-insensitively among the spellings below. A unit not
listed, or missing, is "unknown": the caller says which unit to assume then.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional

__all__ = ["Unit", "convert", "find_unit"]


class Unit(NamedTuple):
    """A unit: the quantity it measures and how many of the quantity's base unit it is."""

    quantity: str
    factor: float


_SPELLINGS: Dict[str, Unit] = {}


def _add(quantity: str, factor: float, *spellings: str) -> None:
    for spelling in spellings:
        _SPELLINGS[spelling] = Unit(quantity, factor)


_add("distance", 1.0, "km", "kilometer", "kilometers", "kilometre", "kilometres")
_add("distance", 0.001, "m", "meter", "meters", "metre", "metres")
_add("distance", 1.609344, "mi", "mile", "miles")
_add("volume", 1.0, "l", "liter", "liters", "litre", "litres")
_add("volume", 3.785411784, "gal", "gallon", "gallons", "us gallons", "gal_us", "us_gallons")
_add("pressure", 1.0, "kpa", "kilopascal", "kilopascals")
_add("pressure", 0.001, "pa", "pascal", "pascals")
_add("pressure", 100.0, "bar")
_add("pressure", 6.894757293168361, "psi")
_add("power", 1.0, "kw", "kilowatt", "kilowatts")
_add("power", 0.001, "w", "watt", "watts")
_add("energy", 1.0, "kwh", "kilowatt-hour", "kilowatt-hours", "kilowatt hours")
_add("energy", 0.001, "wh", "watt-hour", "watt-hours", "watt hours")
_add("speed", 1.0, "km/h", "kph", "kmh", "kilometers per hour")
_add("speed", 1.609344, "mph", "mi/h", "miles per hour")
_add("ratio", 1.0, "percent", "percentage", "%")


def find_unit(text: Optional[str]) -> Optional[Unit]:
    """Return the :class:`Unit` a free-text unit names, or ``None`` when it is unknown."""
    if not isinstance(text, str):
        return None
    return _SPELLINGS.get(" ".join(text.strip().lower().split()))


def convert(value: float, unit: Optional[str], to: str, *, assume: str) -> float:
    """Return ``value``, measured in the free-text ``unit``, in unit ``to``.

    ``unit`` is taken as ``assume`` when it is missing, unknown, or measures another quantity
    than ``to``. A value already in the wanted unit comes back unchanged (not multiplied and
    divided by the same factor).

    Raises:
        ValueError: ``to`` or ``assume`` is not a known unit, or they measure different
            quantities.
    """
    target = find_unit(to)
    fallback = find_unit(assume)
    if target is None or fallback is None or target.quantity != fallback.quantity:
        raise ValueError(f"to and assume must be units of one quantity, not {to!r}, {assume!r}")
    source = find_unit(unit)
    if source is None or source.quantity != target.quantity:
        source = fallback
    if source.factor == target.factor:
        return value
    return value * source.factor / target.factor
