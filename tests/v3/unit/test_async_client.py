"""The sync client's test cases, run on ``smartcar.v3.AsyncClient`` (shared cases, not copies).

Every test of test_app_token.py, test_client.py, test_commands.py, test_connect.py,
test_live_shapes.py, test_request.py, test_schedules.py and test_vehicle.py
that takes the ``client`` (or ``vehicle``) fixture runs here again with
``client`` an AsyncClient (driven through :class:`async_support.Blocking`): the same exact
requests (the ``responses`` mock records them), results and exceptions.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Iterator

import pytest

from smartcar.v3 import Client
from smartcar.v3.async_client import AsyncClient

from .async_support import Blocking, RequestsDriver
from .support import APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from .test_app_token import *  # noqa: F403
from .test_client import *  # noqa: F403
from .test_commands import *  # noqa: F403
from .test_connect import *  # noqa: F403
from .test_live_shapes import *  # noqa: F403
from .test_request import *  # noqa: F403
from .test_schedules import *  # noqa: F403
from .test_vehicle import *  # noqa: F403

# Only the cases that use the client run again.
for _name, _case in list(globals().items()):
    if _name.startswith("test_") and not {"client", "vehicle"} & set(
        inspect.signature(_case).parameters
    ):
        del globals()[_name]
# Sync only: a sync Vehicle built by hand; threads sharing one sync client (the async client's
# single flight is test_async_vehicle.py's); the sync source's thread lock across a fork.
del test_vehicle_built_from_the_client  # noqa: F821
del test_many_threads_cause_one_request  # noqa: F821
del test_a_forked_child_does_not_inherit_a_held_lock  # noqa: F821


@pytest.fixture
def client() -> Iterator[Client]:
    loop = asyncio.new_event_loop()
    made = AsyncClient(
        CLIENT_ID,
        CLIENT_SECRET,
        application_id=APPLICATION_ID,
        redirect_uri=REDIRECT_URI,
        session=RequestsDriver(),
    )
    yield Blocking(made, loop)  # type: ignore[misc]
    loop.run_until_complete(made.aclose())
    loop.close()
