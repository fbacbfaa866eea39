"""``smartcar._checks``: the finite-number helper every numeric conversion goes through."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from smartcar._checks import (
    bounded_number,
    finite,
    http_status,
    path_segment,
    shown,
    whole_number,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1.0),
        (-2.5, -2.5),
        (0, 0.0),
        (10**300, 1e300),
        (10**400, None),
        (-(10**400), None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        ("1", None),
        (None, None),
        ([1], None),
    ],
)
def test_finite(value: Any, expected: Optional[float]) -> None:
    result = finite(value)
    assert result == expected
    assert result is None or type(result) is float


def test_bounded_number_refuses_an_integer_beyond_the_float_range() -> None:
    with pytest.raises(ValueError, match="an integer of 1329 bits"):
        bounded_number(10**400, "limit", (0.5, 1.0))


def test_shown_keeps_short_values_and_sizes_long_integers() -> None:
    assert shown(0.8) == "0.8"
    assert shown("x") == "'x'"
    assert shown(2**70) == "an integer of 71 bits"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "abc"), ("a b", "a%20b"), ("...", "..."), ("%2e%2e", "%252e%252e"), ("é", "%C3%A9")],
)
def test_path_segment_escapes_an_id(value: str, expected: str) -> None:
    assert path_segment(value, "vehicle_id") == expected


@pytest.mark.parametrize(
    "value", ["", ".", "..", "a/b", "/", "a?b", "a#b", "a\nb", "\x00", "a\x7f"]
)
def test_path_segment_refuses_what_would_leave_the_segment(value: str) -> None:
    with pytest.raises(ValueError, match="vehicle_id"):
        path_segment(value, "vehicle_id")


def test_path_segment_refuses_another_type() -> None:
    with pytest.raises(TypeError, match="vehicle_id"):
        path_segment(3, "vehicle_id")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        (10**400, 10**400),
        (3.0, 3),
        (" 42 ", 42),
        ("²", None),
        ("٣", None),
        ("9" * 5000, None),
        (3.5, None),
        (float("inf"), None),
        (True, None),
        ("", None),
        (None, None),
    ],
    ids=repr,
)
def test_whole_number(value: Any, expected: Optional[int]) -> None:
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("409", 409), (429, 429), ("²⁰⁰", None), (99, None), ("600", None)]
)
def test_http_status(value: Any, expected: Optional[int]) -> None:
    assert http_status(value) == expected
