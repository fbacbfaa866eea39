"""API v3 as a surface: ``POST /oauth2/token``, the Vehicle API and the Management API
(``/v3/...``), served by :class:`~smartcar.emulator.v3.service.V3Service` over the shared
state, with webhook deliveries (:class:`~smartcar.emulator.v3.deliveries.Deliveries`)."""

from __future__ import annotations

from typing import Optional

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import renderers
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes.base import RoutedSurface, RouteTable
from smartcar.emulator.state import EmulatorState
from smartcar.emulator.v3 import service
from smartcar.emulator.v3.deliveries import Deliveries
from smartcar.emulator.v3.service import V3Service, rate_limited
from smartcar.emulator.web import Reply, Req

TOKEN_PATH = "/oauth2/token"
_VEHICLES = "/v3/vehicles/"

# The v3 Vehicle and Management API routes (the V3Service's); problems in v3 bodies.
TABLE = RouteTable(service.ROUTES, renderers.V3)
# The application token endpoint (every method reaches it: it answers 405 itself);
# problems in OAuth bodies.
IAM_TABLE = RouteTable(Map([Rule(TOKEN_PATH, endpoint="token")]), renderers.OAUTH)


class V3Api(RoutedSurface):
    """``/v3/...`` answered by ``service``."""

    table = TABLE

    def __init__(self, service: V3Service) -> None:
        self.service = service

    def handles(self, path: str) -> bool:
        return path == "/v3" or path.startswith("/v3/")

    def vehicle_id(self, path: str) -> Optional[str]:
        if not path.startswith(_VEHICLES):
            return None
        return path[len(_VEHICLES) :].split("/", 1)[0] or None

    def rate_limited(self, retry_after: int) -> Reply:
        return self.table.family.problem(rate_limited(retry_after))

    def answer(self, request: Req) -> Reply:
        return self.service.answer(request)


class V3Surface(V3Api):
    """``/v3/...`` over ``state``: its service reads and changes the state's one store of
    connections (:attr:`~smartcar.emulator.state.EmulatorState.registry`), which the v1/v2
    grants are views of, and runs the webhook deliveries."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        super().__init__(
            V3Service(
                state.clock,
                state.find_vehicle,
                lambda: (state.client_id, state.client_secret),
                state.lock,
                state.registry,
            )
        )
        self.deliveries = Deliveries(
            state.clock,
            state.registry,
            state.find_vehicle,
            state.lock,
            state.management_token,
        )

    def reset(self) -> None:
        """Forget application tokens, options and deliveries (the state resets the store)."""
        self.service.reset()
        self.deliveries.reset()

    def close(self) -> None:
        """Stop the webhook worker (the emulator's stop)."""
        self.deliveries.stop()


class IamSurface(RoutedSurface):
    """``POST /oauth2/token`` (application tokens), answered by the v3 service; its faults
    and errors are OAuth bodies."""

    table = IAM_TABLE

    def __init__(self, service: V3Service) -> None:
        self.service = service

    def handles(self, path: str) -> bool:
        return path == TOKEN_PATH

    def answer(self, request: Req) -> Reply:
        try:
            self.table.match(request.path)
        except HTTPException:
            raise Problem("RESOURCE_NOT_FOUND", f"No route {request.path}.") from None
        return self.service.token(request)
