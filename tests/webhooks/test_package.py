"""What importing the package costs: nothing for ``import smartcar``, no sqlite3 or redis."""

from __future__ import annotations

from typing import Any

import smartcar.webhooks


def test_import_smartcar_does_not_load_webhooks(loaded_after: Any) -> None:
    loaded = loaded_after("import smartcar", ["smartcar.webhooks"])
    assert loaded == {"smartcar.webhooks": False}


def test_import_webhooks_loads_no_storage_driver(loaded_after: Any) -> None:
    loaded = loaded_after("import smartcar.webhooks", ["sqlite3", "redis", "smartcar.tokens"])
    assert loaded == {"sqlite3": False, "redis": False, "smartcar.tokens": False}


def test_every_public_name_is_exported() -> None:
    for name in smartcar.webhooks.__all__:
        assert getattr(smartcar.webhooks, name) is not None
