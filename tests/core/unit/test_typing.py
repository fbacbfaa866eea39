"""What ``mypy --strict`` says about code using ``smartcar``: the lazy loader and the 6.x hints
are invisible to it, so a misspelt attribute is an error. (Every sample of the README and the
site is type-checked by ``tests/docs``.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

import smartcar

MISSPELT = """\
import smartcar

smartcar.Vehicel
smartcar.totally_not_a_thing(1, 2)
smartcar.get_vehicles("access-token")
smartcar.Vehicle("vehicle-id", "access-token").get_signals()
"""

@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, List[str]]:
    """``mypy --strict``'s error lines for each snippet (one run for all of them)."""
    folder = tmp_path_factory.mktemp("typing")
    snippets = {
        "misspelt.py": MISSPELT,
    }
    for name, text in snippets.items():
        (folder / name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(folder / ".mypy_cache"), *snippets],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False,
        # An editable install is an import hook mypy cannot follow: point it at the sources.
        env={**os.environ, "MYPYPATH": str(Path(smartcar.__file__).parents[1])},
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2: mypy itself failed
    return {
        name: [line for line in done.stdout.splitlines() if line.startswith(name + ":")]
        for name in snippets
    }


def test_misspelt_module_attributes_fail_mypy_strict(mypy_errors: Dict[str, List[str]]) -> None:
    errors = "\n".join(mypy_errors["misspelt.py"])
    assert 'Module has no attribute "Vehicel"' in errors
    assert 'Module has no attribute "totally_not_a_thing"' in errors
    assert 'Module has no attribute "get_vehicles"' in errors
    assert '"Vehicle" has no attribute "get_signals"' in errors

