"""The whole v3 story against the emulator (the cases of test_story.py, test_live_calls.py,
test_sweep.py and test_wire_variants.py, shared, not copied), run
on ``smartcar.v3.AsyncClient`` over loopback HTTP on each driver: the SDK's own aiohttp
session, and a caller's ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Iterator

import httpx
import pytest

import smartcar.v3
from smartcar.emulator import Emulator

from ..unit.async_support import Blocking
from .test_live_calls import *  # noqa: F403
from .test_story import *  # noqa: F403
from .test_sweep import *  # noqa: F403
from .test_wire_variants import *  # noqa: F403

for _name, _case in list(globals().items()):
    if _name.startswith("test_") and "client" not in inspect.signature(_case).parameters:
        del globals()[_name]


@pytest.fixture(params=["aiohttp", "httpx"])
def client(request: Any, emu: Emulator) -> Iterator[smartcar.v3.Client]:
    loop = asyncio.new_event_loop()
    session = httpx.AsyncClient() if request.param == "httpx" else None
    made = smartcar.v3.AsyncClient(
        emu.client_id,
        emu.client_secret,
        application_id=emu.application_id,
        redirect_uri=emu.redirect_uri,
        session=session,
    )
    yield Blocking(made, loop)  # type: ignore[misc]
    loop.run_until_complete(made.aclose())
    if session is not None:
        loop.run_until_complete(session.aclose())
    loop.close()
