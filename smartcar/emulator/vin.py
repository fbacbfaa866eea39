"""Vehicle Identification Numbers: the North American check digit (position 9).

A VIN is 17 characters from ``0-9`` and ``A-Z`` without ``I``, ``O`` and ``Q``. Each
character maps to a number (digits to themselves, letters through the transliteration
table below); the weighted sum of those numbers modulo 11 is the check digit, written
``X`` when it is 10.
"""

from __future__ import annotations

import random

VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_LETTER_VALUES = {
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Model-year codes (position 10) repeat every 30 years; 2010 is "A".
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def _value(char: str) -> int:
    if char.isdigit():
        return int(char)
    try:
        return _LETTER_VALUES[char]
    except KeyError:
        raise ValueError(f"character {char!r} is not allowed in a VIN") from None


def check_digit(vin: str) -> str:
    """The check digit (``0``-``9`` or ``X``) for a 17-character VIN (position 9 ignored)."""
    vin = vin.upper()
    if len(vin) != 17:
        raise ValueError("a VIN has 17 characters")
    total = sum(_value(char) * weight for char, weight in zip(vin, _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(vin: str) -> bool:
    """True when ``vin`` has 17 allowed characters and a correct check digit."""
    if not isinstance(vin, str) or len(vin) != 17:
        return False
    vin = vin.upper()
    if any(char not in VIN_ALPHABET for char in vin):
        return False
    return vin[8] == check_digit(vin)


def year_code(year: int) -> str:
    """The position-10 model-year code of ``year`` (valid from 1980)."""
    return _YEAR_CODES[(year - 2010) % 30]


def make_vin(wmi: str, year: int, rng: random.Random) -> str:
    """A random but well-formed VIN for the manufacturer ``wmi`` and model ``year``."""
    if len(wmi) != 3:
        raise ValueError("a WMI has 3 characters")
    letters = VIN_ALPHABET
    descriptor = "".join(rng.choice(letters) for _ in range(5))
    plant = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    serial = f"{rng.randrange(100000, 1000000):06d}"
    draft = f"{wmi}{descriptor}0{year_code(year)}{plant}{serial}".upper()
    return draft[:8] + check_digit(draft) + draft[9:]
