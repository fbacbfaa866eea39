"""``import smartcar`` and the sync client never import httpx or aiohttp; the async client
imports only the library of the driver it uses."""

from __future__ import annotations

import subprocess
import sys

import pytest

LIBRARIES = ("httpx", "aiohttp")


def libraries_after(code: str) -> set:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {LIBRARIES!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import smartcar",
        "import smartcar.v3; smartcar.v3.Client('client_x', 'secret')",
        "import smartcar.v3; smartcar.v3.AsyncClient('client_x', 'secret')",
        "import smartcar.webhooks",
    ],
)
def test_no_async_library_is_imported_until_a_driver_needs_it(code: str) -> None:
    assert libraries_after(code) == set()


def test_a_callers_httpx_client_brings_httpx_only() -> None:
    code = (
        "import httpx, smartcar.v3\n"
        "smartcar.v3.AsyncClient('client_x', 'secret', session=httpx.AsyncClient())"
    )
    assert libraries_after(code) == {"httpx"}
