"""Fixtures of the v3 emulator unit tests: a V3Service over a small fleet, behind its two
surfaces (``/oauth2/token`` and ``/v3``), through werkzeug's test client (no sockets)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

import pytest
from werkzeug.test import Client, TestResponse

from smartcar.emulator._clock import Clock
from smartcar.emulator.fleet import SimVehicle, build_vehicle
from smartcar.emulator.permissions import KNOWN_PERMISSIONS
from smartcar.emulator.routes import Router
from smartcar.emulator.routes.v3 import IamSurface, V3Api
from smartcar.emulator.v3.service import V3Service

CLIENT_ID = "client_test"
CLIENT_SECRET = "secret-test"
USER = "11111111-1111-4111-8111-111111111111"
OTHER_USER = "22222222-2222-4222-8222-222222222222"


class Harness:
    """A V3Service with an electric Tesla, a gas Ford and a hybrid BMW connected for
    ``USER`` (makes Smartcar supports every signal of), on a frozen clock."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.clock.freeze()
        now = self.clock.now()
        self.vehicles: Dict[str, SimVehicle] = {}
        for index, (kind, make) in enumerate(
            (("electric", "TESLA"), ("gas", "FORD"), ("hybrid", "BMW"))
        ):
            vehicle = build_vehicle(0, "driver@example.com", index, now, kind=kind, make=make)
            self.vehicles[vehicle.id] = vehicle
        self.service = V3Service(self.clock, self.vehicles.get, lambda: (CLIENT_ID, CLIENT_SECRET))
        self.service.registry.connect(USER, list(self.vehicles), sorted(KNOWN_PERMISSIONS), now)
        api = V3Api(self.service)
        self.client = Client(Router([IamSurface(self.service), api], fallback=api))
        self.token = self.token_response().json["access_token"]

    def of_kind(self, kind: str) -> SimVehicle:
        return next(vehicle for vehicle in self.vehicles.values() if vehicle.kind == kind)

    def token_response(self, **fields: str) -> TestResponse:
        body = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
        body.update(fields)
        return self.client.post("/oauth2/token", data=body)

    def headers(self, user: Optional[str] = USER, token: Optional[str] = None) -> Dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if user is not None:
            headers["sc-user-id"] = user
        return headers

    def get(self, path: str, user: Optional[str] = USER, **kwargs: Any) -> TestResponse:
        return self.client.get("/v3" + path, headers=self.headers(user), **kwargs)

    def post(self, path: str, body: Any = None, user: Optional[str] = USER) -> TestResponse:
        return self.client.post("/v3" + path, json=body, headers=self.headers(user))

    def delete(self, path: str) -> TestResponse:
        return self.client.delete("/v3" + path, headers=self.headers(None))


def only_error(response: TestResponse) -> Dict[str, Any]:
    """The single entry of a v3 error body."""
    errors: List[Dict[str, Any]] = response.json["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.fixture
def v3() -> Iterator[Harness]:
    yield Harness()
