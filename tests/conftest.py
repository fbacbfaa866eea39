"""Fixtures every test directory may use."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Callable, Dict, List

import pytest

LoadedAfter = Callable[[str, List[str]], Dict[str, bool]]


def _loaded_after(statement: str, modules: List[str]) -> Dict[str, bool]:
    script = (
        f"import json, sys; {statement}; "
        f"print(json.dumps({{m: m in sys.modules for m in {modules!r}}}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded: Dict[str, bool] = json.loads(output)
    return loaded


@pytest.fixture
def loaded_after() -> LoadedAfter:
    """``loaded_after(statement, modules)``: which of ``modules`` a fresh interpreter has
    loaded after running ``statement``."""
    return _loaded_after
