"""EmulatorState: garages, tokens, grants, revocation, reset."""

from __future__ import annotations

import datetime

import pytest

from smartcar.emulator.problems import Problem
from smartcar.emulator.state import ACCESS_TOKEN_LIFETIME, EmulatorState


def test_garages_are_deterministic_per_seed_and_email() -> None:
    first, second = EmulatorState(seed=1), EmulatorState(seed=1)
    ids = [vehicle.id for vehicle in first.vehicles("a@example.com")]
    assert ids == [vehicle.id for vehicle in second.vehicles("A@Example.com ")]
    assert ids != [vehicle.id for vehicle in EmulatorState(seed=2).vehicles("a@example.com")]
    assert {vehicle.kind for vehicle in first.vehicles("a@example.com")} >= {
        "gas",
        "hybrid",
        "electric",
    }


def test_users_spec_shapes_a_garage() -> None:
    state = EmulatorState(users={"b@example.com": ["TESLA", "gas"], "c@example.com": 7})
    assert state.vehicles("b@example.com")[0].make == "TESLA"
    assert state.vehicles("b@example.com")[1].kind == "gas"
    assert len(state.vehicles("c@example.com")) == 7


def test_vehicles_of_a_missing_make_adds_one() -> None:
    state = EmulatorState()
    with state.lock:
        audis = state.vehicles_of("d@example.com", "AUDI")
    assert [vehicle.make for vehicle in audis] == ["AUDI"]
    assert state.find_vehicle(audis[0].id) is audis[0]
    assert state.find_vehicle("nope") is None
    with pytest.raises(KeyError):
        state.vehicle("nope")


def test_issue_tokens_is_an_access_dict_on_the_emulated_clock() -> None:
    state = EmulatorState()
    state.clock.freeze(datetime.datetime(2030, 5, 1, tzinfo=datetime.timezone.utc))
    access = state.issue_tokens(scope="read_odometer read_vin")
    assert access["expiration"] == datetime.datetime(2030, 5, 1, 2, 0, 0)
    assert access["refresh_expiration"] == datetime.datetime(2030, 6, 30)
    grant = state.grant_for_access_token(f"Bearer {access['access_token']}")
    assert grant.scopes == ("read_vin", "read_odometer")
    assert grant.connected_at == state.clock.now()
    with pytest.raises(ValueError, match="unknown permission"):
        state.issue_tokens(scope=["read_minds"])


@pytest.mark.parametrize(
    "header, message",
    [(None, "Missing"), ("Basic abc", "Missing"), ("Bearer nope", "unknown")],
)
def test_bad_access_tokens_are_authentication_problems(header: str, message: str) -> None:
    with pytest.raises(Problem) as raised:
        EmulatorState().grant_for_access_token(header)
    assert raised.value.type == "AUTHENTICATION" and message in raised.value.message


def test_tokens_expire_with_the_clock() -> None:
    state = EmulatorState()
    token = state.issue_tokens()["access_token"]
    state.clock.advance(ACCESS_TOKEN_LIFETIME + 1)
    with pytest.raises(Problem, match="expired"):
        state.grant_for_access_token(f"Bearer {token}")


def test_revoking_the_last_vehicle_kills_the_grant() -> None:
    state = EmulatorState()
    vehicle = state.vehicles()[0]
    access = state.issue_tokens(vehicle_ids=[vehicle.id])
    grant = state.grant_for_access_token(f"Bearer {access['access_token']}")
    assert state.grants() == [grant]
    with state.lock:
        assert state.authorized_vehicle(grant, vehicle.id) is vehicle
    state.revoke(grant, vehicle.id)
    assert not state.is_live(grant) and state.grants() == []
    with pytest.raises(Problem) as raised:
        state.authorized_vehicle(grant, vehicle.id)
    assert raised.value.type == "AUTHENTICATION"
    with pytest.raises(Problem) as unknown:
        state.authorized_vehicle(grant, "someone-elses")
    assert unknown.value.type == "RESOURCE_NOT_FOUND"


def test_reset_keeps_vehicle_ids_and_optionally_tokens() -> None:
    state = EmulatorState()
    vehicle = state.vehicles()[0]
    vehicle.locked = not vehicle.locked
    locked = vehicle.locked
    token = state.issue_tokens()["access_token"]
    state.reset(keep_tokens=True)
    assert state.vehicle(vehicle.id).locked is not locked  # back to the seed's state
    assert state.is_live(state.grant_for_access_token(f"Bearer {token}"))
    state.reset()
    with pytest.raises(Problem):
        state.grant_for_access_token(f"Bearer {token}")


def test_grants_are_views_of_the_one_store_of_connections() -> None:
    state = EmulatorState()
    first, second = state.vehicles()[:2]
    old = state.grant_for_access_token(f"Bearer {state.issue_tokens()['access_token']}")
    new = state.grant_for_access_token(f"Bearer {state.issue_tokens()['access_token']}")
    user_id = state.user_id()
    assert state.registry.find(user_id, first.id) is not None
    assert [item.vehicle_id for item in state.connections()][:2] == [first.id, second.id]
    # a disconnect anywhere is one deletion in the store: every grant loses the vehicle
    connection = state.registry.find(user_id, first.id)
    assert connection is not None
    state.registry.disconnect(connection.id)
    assert first.id not in state.connected_vehicle_ids(old)
    assert first.id not in state.connected_vehicle_ids(new)
    assert first.id not in [item.vehicle_id for item in state.connections()]
    # a reconnection is a new connection: the old token chains stay cut off
    fresh = state.grant_for_access_token(f"Bearer {state.issue_tokens()['access_token']}")
    assert first.id in state.connected_vehicle_ids(fresh)
    assert first.id not in state.connected_vehicle_ids(old)
    assert second.id in state.connected_vehicle_ids(old)


def test_v2_subscriptions_are_kept_in_the_store() -> None:
    state = EmulatorState()
    vehicle = state.vehicles()[0]
    state.subscribe_webhook("hook-1", state.user_id(), vehicle.id)
    assert state.webhook_subscriptions == {("hook-1", vehicle.id)}
    assert [item.vehicle_id for item in state.registry.subscriptions("hook-1")] == [vehicle.id]
    state.unsubscribe_webhook("hook-1", vehicle.id)
    assert state.webhook_subscriptions == set()
