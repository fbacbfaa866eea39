"""The migration page the SDK's own messages point to exists and covers every 6.x name those
messages know (``smartcar/_six_x.py``), and every 4.3 call keeps its row in the reference."""

from __future__ import annotations

import inspect

from docs_samples import REPO

import smartcar
from smartcar import _six_x

SIX_X = (REPO / _six_x.MIGRATION_PAGE).read_text(encoding="utf-8")
REFERENCE = (REPO / "docs" / "reference-4.3.md").read_text(encoding="utf-8")


def test_every_6x_name_the_sdk_recognises_has_its_row() -> None:
    for name in [*_six_x.MODULE_NAMES, *_six_x.VEHICLE_METHODS]:
        assert f"`smartcar.{name}" in SIX_X or f"`{name}(" in SIX_X, name


def test_every_vehicle_method_is_on_the_6x_page_and_in_the_43_reference() -> None:
    public = [
        name
        for name, _ in inspect.getmembers(smartcar.Vehicle, inspect.isfunction)
        if not name.startswith("_")
    ]
    assert "odometer" in public and "lock_status" in public
    for name in public:
        assert f"`{name}(" in REFERENCE, f"docs/reference-4.3.md has no row for {name}()"
    for name in ("attributes", "lock_status", "service_history", "request", "batch"):
        assert f"`{name}(" in SIX_X, name
