"""The checks every number handed to the emulator passes before any state changes."""

from __future__ import annotations

import math
from typing import Any

import pytest

from smartcar.emulator import bounds
from smartcar.emulator._clock import Clock
from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.faults import FaultSet, RateLimiter


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, 1e300, 10**400])
def test_seconds_must_be_finite_and_bounded(value: Any) -> None:
    with pytest.raises(ValueError, match="latency"):
        bounds.seconds(value, "latency")


@pytest.mark.parametrize("value", ["1", None, True])
def test_numbers_are_numbers(value: Any) -> None:
    with pytest.raises(TypeError, match="latency"):
        bounds.seconds(value, "latency")


def test_callback_urls() -> None:
    assert bounds.callback_url("http://127.0.0.1:8080/x", "uri") == "http://127.0.0.1:8080/x"
    for bad in ("http://127.0.0.1:99999/x", "ftp://127.0.0.1/x", "http:///x", "", None):
        with pytest.raises(ValueError, match="uri"):
            bounds.callback_url(bad, "uri")


@pytest.mark.parametrize("value", [math.nan, math.inf, 1e12, -1])
def test_a_bad_clock_advance_leaves_the_clock_alone(value: float) -> None:
    clock = Clock()
    frozen = clock.freeze()
    with pytest.raises(ValueError):
        clock.advance(value)
    assert clock.now() == frozen
    running = Clock()
    with pytest.raises(ValueError):
        running.advance(value)
    assert abs(running.offset) < 1


def test_latency_rate_limits_and_faults_validate_first() -> None:
    app = EmulatorApp()
    for value in (math.inf, math.nan, 1e300):
        with pytest.raises(ValueError):
            app.latency = value
        with pytest.raises(ValueError):
            FaultSet().add("/x", latency=value)
    assert app.latency == 0.0
    limiter = RateLimiter()
    for rate in (math.inf, math.nan, 0, -1):
        with pytest.raises(ValueError):
            limiter.set("v", rate)
    assert limiter.limits() == {}
    faults = FaultSet()
    for count in (0, 2.5, True):
        with pytest.raises((TypeError, ValueError)):
            faults.add("/x", status=500, count=count)  # type: ignore[arg-type]
    assert faults.active == []
