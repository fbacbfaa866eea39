"""What importing the package costs: nothing for ``import smartcar``, no sqlite3 or redis."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Dict, List

import smartcar.webhooks


def _loaded_after(statement: str, modules: List[str]) -> Dict[str, bool]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``statement``."""
    script = (
        f"import json, sys; {statement}; "
        f"print(json.dumps({{m: m in sys.modules for m in {modules!r}}}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded: Dict[str, bool] = json.loads(output)
    return loaded


def test_import_smartcar_does_not_load_webhooks() -> None:
    loaded = _loaded_after("import smartcar", ["smartcar.webhooks"])
    assert loaded == {"smartcar.webhooks": False}


def test_import_webhooks_loads_no_storage_driver() -> None:
    loaded = _loaded_after("import smartcar.webhooks", ["sqlite3", "redis", "smartcar.tokens"])
    assert loaded == {"sqlite3": False, "redis": False, "smartcar.tokens": False}


def test_every_public_name_is_exported() -> None:
    for name in smartcar.webhooks.__all__:
        assert getattr(smartcar.webhooks, name) is not None
