"""Fixtures every test directory may use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List

import pytest

if TYPE_CHECKING:
    from smartcar.emulator import Emulator

LoadedAfter = Callable[[str, List[str]], Dict[str, bool]]
SignalReads = Callable[["Emulator"], "Counter[str]"]


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


@pytest.fixture(scope="module")
def emulator_seed() -> int:
    """The seed of the module's ``emulator`` (a directory's conftest or a module overrides it)."""
    return 0


@pytest.fixture(scope="module")
def emulator(emulator_seed: int) -> Iterator[Emulator]:
    """One emulator per test module (cheap to share; ``emu`` resets it per test)."""
    from smartcar.emulator import Emulator

    with Emulator(seed=emulator_seed) as server:
        yield server


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The module's emulator, back to its seed state (faults, log, clock, fleet, tokens)."""
    emulator.reset()
    return emulator


def _signal_reads(emu: Emulator) -> Counter[str]:
    reads: Counter[str] = Counter()
    for record in emu.request_log:
        parts = record.path.strip("/").split("/")
        if parts[:2] == ["v3", "vehicles"] and parts[3:] == ["signals"]:
            reads[parts[2]] += 1
    return reads


@pytest.fixture
def signal_reads() -> SignalReads:
    """``signal_reads(emu)``: v3 signals requests per vehicle id, as ``emu`` logged them."""
    return _signal_reads
