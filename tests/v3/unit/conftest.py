"""Fixtures of the v3 unit tests: fake origins, a fast retry policy, a strict ``responses``
mock with a token endpoint, a movable clock for the application token, and a client."""

from __future__ import annotations

from typing import Callable, Iterator, List

import pytest
import responses

from smartcar import api, const, timeutil
from smartcar.v3 import Client

from .support import (
    APPLICATION_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    CONNECT,
    IAM,
    MANAGEMENT,
    REDIRECT_URI,
    VEHICLES,
)

FAST_POLICY = api.RetryPolicy(
    max_retries=2, backoff_base=0.001, backoff_max=0.002, retry_after_cap=10.0, max_elapsed=60.0
)


@pytest.fixture(autouse=True)
def _origins_and_defaults(
    monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]
) -> None:
    monkeypatch.setattr(const, "IAM_URL", IAM)
    monkeypatch.setattr(const, "VEHICLE_API_V3_URL", VEHICLES)
    monkeypatch.setattr(const, "MANAGEMENT_API_V3_URL", MANAGEMENT)
    monkeypatch.setattr(const, "CONNECT_URL", CONNECT)
    smartcar_defaults(retry=FAST_POLICY)


class Clock:
    """Epoch seconds the application token cache reads; ``advance`` moves them."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock() -> Iterator[Clock]:
    """The SDK's clock (``smartcar.timeutil``), moved by hand; real time again afterwards."""
    fake = Clock()
    previous = timeutil.get_clock()
    timeutil.set_clock(fake)
    yield fake
    timeutil.set_clock(previous)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """A strict mock: unregistered URLs fail; every call is recorded."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def client() -> Client:
    return Client(
        CLIENT_ID, CLIENT_SECRET, application_id=APPLICATION_ID, redirect_uri=REDIRECT_URI
    )


@pytest.fixture
def token_requests(mocked: responses.RequestsMock) -> List[str]:
    """Register the token endpoint; each request gets app-token-1, app-token-2, ..."""
    issued: List[str] = []

    def answer(request: object) -> tuple:  # type: ignore[type-arg]
        import json

        issued.append(f"app-token-{len(issued) + 1}")
        body = {"access_token": issued[-1], "token_type": "Bearer", "expires_in": 3600}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    mocked.add_callback(responses.POST, IAM, callback=answer)
    return issued
