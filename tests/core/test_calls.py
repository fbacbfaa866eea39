"""``smartcar._calls.call``: the one 401 replay, for every version.

A read answered 401 gets one fresh token and one more attempt. A command (anything that is
not a read) is repeated after a 401 only when the 401 said the token itself was refused (the
request went no further): on a v2 ``Vehicle`` with a token provider and on a v3 ``Vehicle``
alike.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import pytest

import smartcar
from smartcar import v3
from smartcar.testing import Answer, MockTransport, Request

V2_REFUSED = {"type": "AUTHENTICATION", "code": None, "description": "The token is invalid."}
V2_OTHER = {"type": "VEHICLE", "code": "REFUSED", "description": "The car said no."}


def _v3_error(error_type: str) -> Dict[str, Any]:
    return {"errors": [{"status": "401", "type": error_type, "code": "X", "detail": "no"}]}


V3_SUCCESS = {
    "data": {
        "type": "command-execution",
        "id": "c-1",
        "attributes": {"commandType": "security-lock", "status": {"value": "SUCCESS"}},
    }
}


class Provider:
    """A token source handing out numbered tokens."""

    def __init__(self) -> None:
        self.current = "user-token-1"
        self.refreshed: List[str] = []

    def access_token(self) -> str:
        return self.current

    def refresh_access_token(self, rejected: str) -> str:
        self.refreshed.append(rejected)
        self.current = f"user-token-{len(self.refreshed) + 1}"
        return self.current


Lock = Callable[[], Any]
Setup = Callable[[Callable[[Request], Answer]], Tuple[Lock, Callable[[], List[str]]]]


def _v2(service: Callable[[Request], Answer]) -> Tuple[Lock, Callable[[], List[str]]]:
    provider = Provider()
    vehicle = smartcar.Vehicle(
        "vehicle-1", provider, version="2.0", transport=MockTransport(service)
    )
    return vehicle.lock, lambda: provider.refreshed


def _v3(service: Callable[[Request], Answer]) -> Tuple[Lock, Callable[[], List[str]]]:
    issued: List[str] = []

    def with_token(request: Request) -> Answer:
        if request.url.endswith("/oauth2/token"):
            issued.append(f"app-token-{len(issued) + 1}")
            return Answer(200, {"access_token": issued[-1], "expires_in": 3600})
        return service(request)

    client = v3.Client("client_1", "secret-1", transport=MockTransport(with_token))
    return client.vehicle("vehicle-1", "user-1").lock, lambda: issued[:-1]


PATHS = {"v2": (_v2, V2_REFUSED, V2_OTHER, {"status": "success"})}
PATHS["v3"] = (_v3, _v3_error("AUTHENTICATION"), _v3_error("VEHICLE"), V3_SUCCESS)


@pytest.mark.parametrize("version", PATHS)
def test_a_command_refused_for_its_token_is_repeated_once_with_a_fresh_one(version: str) -> None:
    setup, refused, _, success = PATHS[version]
    tokens: List[str] = []

    def service(request: Request) -> Answer:
        tokens.append(request.headers["Authorization"])
        return Answer(401, refused) if len(tokens) == 1 else Answer(200, success)

    lock, refreshed = setup(service)
    lock()
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert len(refreshed()) == 1


@pytest.mark.parametrize("version", PATHS)
def test_a_command_answered_another_401_is_not_repeated(version: str) -> None:
    setup, _, other, _ = PATHS[version]
    sent: List[Request] = []

    def service(request: Request) -> Answer:
        sent.append(request)
        return Answer(401, other)

    lock, refreshed = setup(service)
    with pytest.raises(smartcar.AuthenticationException):
        lock()
    assert len(sent) == 1
    assert refreshed() == []


@pytest.mark.parametrize("version", PATHS)
def test_a_second_refusal_is_raised_after_one_fresh_token(version: str) -> None:
    setup, refused, _, _ = PATHS[version]
    sent: List[Request] = []

    def service(request: Request) -> Answer:
        sent.append(request)
        return Answer(401, refused)

    lock, refreshed = setup(service)
    with pytest.raises(smartcar.AuthenticationException):
        lock()
    assert len(sent) == 2
    assert len(refreshed()) == 1


def test_a_read_answered_any_401_is_replayed() -> None:
    provider = Provider()
    answers = [Answer(401, V2_OTHER), Answer(200, {"vin": "VIN1"})]
    vehicle = smartcar.Vehicle(
        "vehicle-1", provider, version="2.0", transport=MockTransport(lambda r: answers.pop(0))
    )
    assert vehicle.vin() == "VIN1"
    assert provider.refreshed == ["user-token-1"]
