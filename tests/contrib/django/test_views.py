"""The webhook view (VERIFY, signatures, duplicates, the signal or a handler, retries) and
the URL patterns, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any, Iterator, List

import pytest
from django.test import Client
from django.urls import reverse

from smartcar.contrib.django.signals import webhook_received
from smartcar.webhooks import Event, VehicleStateEvent, hash_hmac

from .conftest import MANAGEMENT_TOKEN

URL = "/smartcar/webhooks/"
HANDLED: List[Event] = []


def handler(event: Event) -> None:
    """A ``WEBHOOK_HANDLER`` for the tests."""
    HANDLED.append(event)


def failing_handler(event: Event) -> None:
    raise RuntimeError("the app's database is down")


def state_body(event_id: str = "evt-1") -> bytes:
    return json.dumps(
        {
            "eventId": event_id,
            "eventType": "VEHICLE_STATE",
            "data": {
                "user": {"id": "user-1"},
                "vehicle": {"id": "vehicle-1", "make": "TESLA", "model": "3", "year": 2024},
                "signals": [],
            },
            "triggers": [],
            "meta": {"version": "4.0", "deliveryId": "d-1", "deliveredAt": 1761896351529},
        }
    ).encode()


def post(client: Client, body: bytes, signature: Any = "sign") -> Any:
    headers = {}
    if signature == "sign":
        headers["HTTP_SC_SIGNATURE"] = hash_hmac(MANAGEMENT_TOKEN, body)
    elif signature is not None:
        headers["HTTP_SC_SIGNATURE"] = signature
    return client.post(URL, data=body, content_type="application/json", **headers)


@pytest.fixture
def received() -> Iterator[List[Event]]:
    events: List[Event] = []

    def on_event(sender: Any, event: Event, request: Any, **kwargs: Any) -> None:
        assert request.path == URL
        events.append(event)

    webhook_received.connect(on_event)
    HANDLED.clear()
    yield events
    webhook_received.disconnect(on_event)


@pytest.fixture
def web() -> Client:
    return Client(enforce_csrf_checks=True)  # the webhook view is CSRF-exempt


def test_the_url_patterns(alias: str) -> None:
    assert reverse("smartcar:webhook") == URL
    assert reverse("smartcar:connect") == "/smartcar/connect/"
    assert reverse("smartcar:callback") == "/smartcar/callback/"


def test_verify_is_answered(alias: str, web: Client, received: List[Event]) -> None:
    body = json.dumps(
        {"eventId": "v-1", "eventType": "VERIFY", "data": {"challenge": "abc-123"}}
    ).encode()
    response = post(web, body, signature=None)
    assert response.status_code == 200
    assert response.json() == {"challenge": hash_hmac(MANAGEMENT_TOKEN, "abc-123")}
    assert received == []


def test_a_new_event_is_sent_as_a_signal_once(
    alias: str, web: Client, received: List[Event]
) -> None:
    response = post(web, state_body())
    assert (response.status_code, response.json()) == (200, {"status": "received"})
    assert len(received) == 1 and isinstance(received[0], VehicleStateEvent)
    assert received[0].event_id == "evt-1"
    again = post(web, state_body())
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert len(received) == 1


@pytest.mark.parametrize("signature", [None, "0" * 64, "not hex"])
def test_bad_signatures_are_refused(
    alias: str, web: Client, received: List[Event], signature: Any
) -> None:
    response = post(web, state_body(), signature=signature)
    assert response.status_code == 401
    assert received == []
    assert post(web, state_body()).json() == {"status": "received"}  # not marked seen


def test_a_configured_handler_gets_the_event(
    alias: str, web: Client, received: List[Event], settings: Any
) -> None:
    settings.SMARTCAR = {**settings.SMARTCAR, "WEBHOOK_HANDLER": f"{__name__}.handler"}
    assert post(web, state_body("evt-h")).json() == {"status": "received"}
    assert [event.event_id for event in HANDLED] == ["evt-h"]
    assert received == []  # the handler replaces the signal


def test_a_failing_handler_answers_500_and_the_retry_is_handed_over(
    alias: str, web: Client, received: List[Event], settings: Any
) -> None:
    settings.SMARTCAR = {**settings.SMARTCAR, "WEBHOOK_HANDLER": failing_handler}
    assert post(web, state_body("evt-f")).status_code == 500
    settings.SMARTCAR = {**settings.SMARTCAR, "WEBHOOK_HANDLER": handler}
    assert post(web, state_body("evt-f")).json() == {"status": "received"}
    assert [event.event_id for event in HANDLED] == ["evt-f"]


def test_a_failing_seen_set_answers_503(alias: str, web: Client, received: List[Event]) -> None:
    from django.db import connections

    from smartcar.contrib.django.models import SeenEvent

    with connections[alias].cursor() as cursor:
        cursor.execute("DROP TABLE smartcar_seen_event")
    try:
        response = post(web, state_body())
        assert response.status_code == 503
        assert MANAGEMENT_TOKEN not in response.content.decode()
    finally:
        with connections[alias].schema_editor() as editor:
            editor.create_model(SeenEvent)
    assert received == []


def test_only_post(alias: str, web: Client) -> None:
    assert web.get(URL).status_code == 405


def test_a_malformed_signed_body_is_400(alias: str, web: Client, received: List[Event]) -> None:
    response = post(web, b'{"eventType": 7}')
    assert response.status_code == 400
    assert received == []
