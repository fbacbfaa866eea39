"""``smartcar.v3._units``: free-text unit names read case- and space-insensitively, converted
within one quantity, and an unknown unit taken as the caller's assumption."""

from __future__ import annotations

from typing import Any

import pytest

from smartcar.v3._units import convert, find_unit


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("km", "distance"),
        (" Kilometers ", "distance"),
        ("MILES", "distance"),
        ("kilowatt-hours", "energy"),
        ("kWh", "energy"),
        ("watts", "power"),
        ("kW", "power"),
        ("us  gallons", "volume"),
        ("percentage", "ratio"),
        ("km/h", "speed"),
    ],
)
def test_find_unit_reads_free_text(text: str, quantity: str) -> None:
    unit = find_unit(text)
    assert unit is not None and unit.quantity == quantity


@pytest.mark.parametrize("text", [None, "", "furlongs", 3, "volts"])
def test_unknown_units(text: Any) -> None:
    assert find_unit(text) is None


@pytest.mark.parametrize(
    ("value", "unit", "to", "assume", "expected"),
    [
        (1000, "m", "km", "km", 1.0),
        (100, "miles", "km", "km", 160.9344),
        (100, "furlongs", "mi", "km", 62.1371),
        (100, None, "mi", "km", 62.1371),
        (100, "percent", "mi", "km", 62.1371),  # another quantity: the assumption
        (7400, "watts", "kW", "kW", 7.4),
        (2.5, "bar", "kPa", "kPa", 250.0),
    ],
)
def test_convert(value: float, unit: Any, to: str, assume: str, expected: float) -> None:
    assert convert(value, unit, to, assume=assume) == pytest.approx(expected, rel=1e-5)


def test_a_value_already_in_the_wanted_unit_is_returned_as_is() -> None:
    assert convert(1609.344, "kilometers", "km", assume="km") == 1609.344
    assert convert(0.1 + 0.2, "miles", "mi", assume="km") == 0.1 + 0.2


@pytest.mark.parametrize(("to", "assume"), [("km", "kW"), ("parsecs", "km"), ("km", "nope")])
def test_convert_needs_known_target_units_of_one_quantity(to: str, assume: str) -> None:
    with pytest.raises(ValueError, match="units of one quantity"):
        convert(1, "km", to, assume=assume)
