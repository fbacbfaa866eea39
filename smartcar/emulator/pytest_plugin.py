"""The ``smartcar_emulator`` pytest fixture, for ``-p smartcar.emulator.pytest_plugin``.

The installed entry point loads the top-level ``pytest_smartcar`` module instead, which
does not import the SDK at pytest start-up; this name stays for explicit ``-p`` use.
"""

from __future__ import annotations

from pytest_smartcar import pytest_configure, smartcar_emulator

__all__ = ["pytest_configure", "smartcar_emulator"]
