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
from smartcar.emulator.state import EmulatorState, Grant
from smartcar.emulator.v3 import service
from smartcar.emulator.v3.deliveries import Deliveries
from smartcar.emulator.v3.registry import MODES
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
    """``/v3/...`` over ``state``; connections follow the state's grants (a Connect
    approval or a grant's first tokens connect its vehicles; deleting a v3 connection or
    user revokes the vehicle from the user's grants, and a v1/v2 disconnect removes the v3
    connection); v2 webhook subscribes to a v3 webhook subscribe in v3 too."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        super().__init__(
            V3Service(
                state.clock,
                state.find_vehicle,
                lambda: (state.client_id, state.client_secret),
                state.lock,
            )
        )
        self.deliveries = Deliveries(
            state.clock,
            self.service.registry,
            state.find_vehicle,
            state.lock,
            state.management_token,
        )
        self.service.on_disconnect = self._revoke
        state.connection_listeners.append(self._connected)
        state.disconnection_listeners.append(self._disconnected)
        state.subscription_listeners.append(self._v2_subscription)

    def reset(self) -> None:
        """Forget v3 state; the grants that survived the state's reset stay connected."""
        self.service.reset()
        self.deliveries.reset()
        for grant in self.state.grants():
            self._connected(grant, None)

    def close(self) -> None:
        """Stop the webhook worker (the emulator's stop)."""
        self.deliveries.stop()

    # ------------------------------------------------------------------ state hooks
    def _connected(self, grant: Grant, external_id: Optional[str]) -> None:
        """A grant connected vehicles: record (or refresh) one connection per vehicle."""
        mode = grant.mode if grant.mode in MODES else "simulated"
        now = grant.connected_at or self.state.clock.now()
        self.service.registry.connect(grant.user_id, grant.vehicle_ids, grant.scopes, now, mode)
        if external_id is not None:
            self.service.registry.set_external_id(grant.user_id, external_id or None)

    def _disconnected(self, user_id: str, vehicle_id: str) -> None:
        """A grant lost a vehicle (v1/v2 disconnect, management delete): so does v3."""
        self.service.registry.disconnect_pair(user_id, vehicle_id)

    def _v2_subscription(
        self, webhook_id: str, user_id: str, vehicle_id: str, subscribed: bool
    ) -> None:
        """A v2 (un)subscribe naming a v3 webhook (un)subscribes the vehicle in v3 too."""
        registry = self.service.registry
        if registry.webhook(webhook_id) is None:
            return
        if not subscribed:
            registry.unsubscribe_vehicle(webhook_id, vehicle_id)
        elif registry.find(user_id, vehicle_id) is not None:
            registry.subscribe(webhook_id, user_id, vehicle_id, self.state.clock.now())

    def _revoke(self, user_id: str, vehicle_id: str) -> None:
        """A v3 connection went: the v1/v2 grants of that user lose the vehicle too."""
        for grant in self.state.grants():
            if grant.user_id == user_id and vehicle_id in grant.vehicle_ids:
                self.state.revoke(grant, vehicle_id)


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
