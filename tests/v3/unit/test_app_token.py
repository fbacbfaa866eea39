"""The application token: exact request, caching, renewal, single flight, sharing, errors."""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, List
from urllib.parse import parse_qsl

import pytest
import responses

import smartcar
from smartcar.tokens import MemoryStore
from smartcar.v3 import Client

from .conftest import Clock
from .support import CLIENT_ID, CLIENT_SECRET, IAM, token_body


def test_token_request_is_client_credentials_form(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    assert client.access_token() == "app-token-1"
    (call,) = mocked.calls
    assert call.request.method == "POST" and call.request.url == IAM
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in call.request.headers
    assert parse_qsl(call.request.body) == [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ]


def test_token_is_cached_until_shortly_before_expiry(
    client: Client, clock: Clock, token_requests: List[str]
) -> None:
    assert client.access_token() == "app-token-1"
    clock.advance(3500)
    assert client.access_token() == "app-token-1"
    clock.advance(45)  # 55 s left: within the renewal minute
    assert client.access_token() == "app-token-2"
    assert token_requests == ["app-token-1", "app-token-2"]


def test_short_lived_token_renewed_at_a_tenth_of_its_life(
    client: Client, clock: Clock, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.POST, IAM, json=token_body("short", expires_in=100))
    mocked.add(responses.POST, IAM, json=token_body("next", expires_in=100))
    assert client.access_token() == "short"
    clock.advance(89)
    assert client.access_token() == "short"
    clock.advance(2)
    assert client.access_token() == "next"


def test_many_threads_cause_one_request(client: Client, mocked: responses.RequestsMock) -> None:
    count = 0

    def slow_answer(request: Any) -> Any:
        nonlocal count
        count += 1
        time.sleep(0.05)
        return 200, {}, '{"access_token":"shared","token_type":"bearer","expires_in":3600}'

    mocked.add_callback(responses.POST, IAM, callback=slow_answer)
    barrier = threading.Barrier(64)
    seen: List[str] = []

    def ask() -> None:
        barrier.wait()
        seen.append(client.access_token())

    threads = [threading.Thread(target=ask) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count == 1
    assert seen == ["shared"] * 64


def test_clients_sharing_a_store_cause_one_request(
    mocked: responses.RequestsMock, token_requests: List[str], clock: Clock
) -> None:
    store = MemoryStore()
    first = Client(CLIENT_ID, CLIENT_SECRET, token_store=store)
    second = Client(CLIENT_ID, CLIENT_SECRET, token_store=store)
    assert first.access_token() == second.access_token() == "app-token-1"
    assert len(token_requests) == 1
    clock.advance(3550)
    assert second.access_token() == "app-token-2"
    assert first.access_token() == "app-token-2"
    assert len(token_requests) == 2


def test_store_key_separates_applications(
    mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    store = MemoryStore()
    assert Client("client_one", CLIENT_SECRET, token_store=store).access_token() == "app-token-1"
    assert Client("client_two", CLIENT_SECRET, token_store=store).access_token() == "app-token-2"


def test_corrupt_store_record_raises_token_store_exception(
    mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    store = MemoryStore()
    client = Client(CLIENT_ID, CLIENT_SECRET, token_store=store)
    client.access_token()
    (key,) = list(store._records)  # type: ignore[attr-defined]
    store.save(key, "{not json")
    fresh = Client(CLIENT_ID, CLIENT_SECRET, token_store=store)
    with pytest.raises(smartcar.TokenStoreException, match="corrupt"):
        fresh.access_token()


def test_invalid_client_raises_authentication_without_the_secret(
    client: Client, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.POST,
        IAM,
        status=401,
        json={"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"},
    )
    with pytest.raises(smartcar.AuthenticationException) as caught:
        client.access_token()
    assert caught.value.error == "invalid_client"
    for shown in (str(caught.value), repr(caught.value), repr(client)):
        assert CLIENT_SECRET not in shown


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer", "expires_in": 3600},
        {"access_token": "", "token_type": "Bearer", "expires_in": 3600},
        {"access_token": "t", "token_type": "mac", "expires_in": 3600},
        {"access_token": "t", "token_type": "Bearer"},
        {"access_token": "t", "token_type": "Bearer", "expires_in": 0},
        {"access_token": "t", "token_type": "Bearer", "expires_in": "3600"},
        {"access_token": "t", "token_type": "Bearer", "expires_in": 10**400},
        ["not", "an", "object"],
    ],
)
def test_bad_token_answers_raise_smartcar_exception(
    client: Client, mocked: responses.RequestsMock, body: Any
) -> None:
    mocked.add(responses.POST, IAM, json=body)
    with pytest.raises(smartcar.SmartcarException, match="without"):
        client.access_token()


def test_token_type_is_case_insensitive(client: Client, mocked: responses.RequestsMock) -> None:
    mocked.add(responses.POST, IAM, json=token_body("tok", token_type="BEARER"))
    assert client.access_token() == "tok"


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("", CLIENT_SECRET), {}, ValueError),
        ((CLIENT_ID, None), {}, ValueError),
        ((CLIENT_ID, CLIENT_SECRET), {"timeout": -1}, ValueError),
        ((CLIENT_ID, CLIENT_SECRET), {"max_retries": -1}, ValueError),
        ((CLIENT_ID, CLIENT_SECRET), {"token_store": object()}, TypeError),
    ],
)
def test_bad_constructor_arguments(args: Any, kwargs: Any, error: type) -> None:
    with pytest.raises(error):
        Client(*args, **kwargs)


def test_a_forked_child_does_not_inherit_a_held_lock(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    assert client.access_token() == "app-token-1"
    source = client._tokens  # type: ignore[attr-defined]
    source._lock.acquire()  # as if a parent thread were fetching at the moment of the fork
    try:
        pid = os.fork()
        if pid == 0:  # the child: must not block on the parent's held lock
            os._exit(0 if source._process_lock().acquire(timeout=5) else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        source._lock.release()
    assert os.WEXITSTATUS(status) == 0


UNSENDABLE = ["tok\nen", "tok\r\nX-Evil: 1", "tökén", "tok\x00en", "tok\x7fen", "\u2028"]


@pytest.mark.parametrize("token", UNSENDABLE)
def test_a_token_that_cannot_go_in_a_header_is_refused_and_not_cached(
    mocked: responses.RequestsMock, token: str
) -> None:
    store = MemoryStore()
    client = Client(CLIENT_ID, CLIENT_SECRET, token_store=store)
    mocked.add(responses.POST, IAM, json=token_body(token))
    mocked.add(responses.POST, IAM, json=token_body("good-token"))
    with pytest.raises(smartcar.SmartcarException, match="access_token") as caught:
        client.access_token()
    assert type(caught.value) is smartcar.SmartcarException
    assert token not in str(caught.value) and token not in repr(caught.value)
    assert store._records == {}  # type: ignore[attr-defined]
    assert client.access_token() == "good-token"
    assert len(mocked.calls) == 2


@pytest.mark.parametrize(
    "record",
    [
        '{"access_token": "t", "renew_at": Infinity, "expires_at": 4e9}',
        '{"access_token": "t", "renew_at": 4e9, "expires_at": 1' + "0" * 400 + "}",
        '{"access_token": 7, "renew_at": 4e9, "expires_at": 4e9}',
        "[1, 2, 3]",
        *(
            json.dumps({"access_token": token, "renew_at": 4e9, "expires_at": 4e9})
            for token in UNSENDABLE
        ),
    ],
    ids=["infinite", "beyond float", "token not a string", "a list", *map(repr, UNSENDABLE)],
)
def test_a_stored_record_with_unusable_fields_is_corrupt(
    mocked: responses.RequestsMock, token_requests: List[str], record: str
) -> None:
    store = MemoryStore()
    Client(CLIENT_ID, CLIENT_SECRET, token_store=store).access_token()
    (key,) = list(store._records)  # type: ignore[attr-defined]
    store.save(key, record)
    with pytest.raises(smartcar.TokenStoreException, match="corrupt"):
        Client(CLIENT_ID, CLIENT_SECRET, token_store=store).access_token()
