"""The /_emulator admin endpoints through werkzeug's test client."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp


def test_clock_faults_tokens_vehicles(app: EmulatorApp, client: Client) -> None:
    assert client.get("/_emulator").json["seed"] == 3
    moved = client.post("/_emulator/clock", json={"advance": 60}).json
    assert moved["offset"] >= 59
    fault = client.post("/_emulator/faults", json={"pattern": "/v1.0/*", "status": 500})
    assert fault.status_code == 201 and client.get("/_emulator/faults").json["faults"]
    assert client.post("/_emulator/faults", json={"nope": 1}).status_code == 400
    assert client.delete(f"/_emulator/faults/{fault.json['id']}").status_code == 200
    assert app.faults.active == []
    tokens = client.post("/_emulator/tokens", json={"scope": ["read_vin"]}).json
    assert tokens["expires_in"] == 7200 and tokens["expiration"].endswith("Z")
    cars = client.get("/_emulator/vehicles").json["vehicles"]
    assert {car["id"] for car in cars} == {vehicle.id for vehicle in app.vehicles()}
    assert client.post("/_emulator/rate-limit", json={"per_second": "x"}).status_code == 400
    assert (
        client.post("/_emulator/redirect-uris", json={"uri": "http://a/cb"}).json["redirect_uris"][
            -1
        ]
        == "http://a/cb"
    )
    assert client.get("/_emulator/nothing").status_code == 404


def test_reset_and_log(app: EmulatorApp, client: Client) -> None:
    client.get("/v1.0/user")
    assert len(client.get("/_emulator/log").json["requests"]) == 1
    client.delete("/_emulator/log")
    assert app.request_log == []
    app.faults.add("*", status=500, count=None)
    assert client.post("/_emulator/reset", json={}).status_code == 200
    assert app.faults.active == []


BAD_ADMIN_BODIES = [
    ("/_emulator/faults", b"[" * 100_000 + b"]" * 100_000),
    ("/_emulator/faults", b'{"pattern": "/v1.0/*", "status": 500, "count": 1e999}'),
    ("/_emulator/faults", b'{"pattern": "/v1.0/*", "status": 500, "count": 2.5}'),
    ("/_emulator/faults", b'{"pattern": "/v1.0/*", "latency": 1e999}'),
    ("/_emulator/faults", b'{"pattern": "/v1.0/*", "latency": 1e300}'),
    ("/_emulator/clock", b'{"advance": NaN}'),
    ("/_emulator/clock", b'{"advance": 1e12}'),
    ("/_emulator/clock", b'{"advance": "soon"}'),
    ("/_emulator/latency", b'{"seconds": 1e999}'),
    ("/_emulator/latency", b'{"seconds": 1e300}'),
    ("/_emulator/rate-limit", b'{"per_second": 1e999}'),
    ("/_emulator/rate-limit", b'{"per_second": "1e999"}'),
    ("/_emulator/v3/vehicles", b'{"count": 1e999}'),
    ("/_emulator/v3/vehicles", b'{"count": 1000000000000}'),
    ("/_emulator/webhooks", b'{"name": "n", "callback_uri": "http://127.0.0.1:99999/hook"}'),
]


def test_bad_admin_values_are_400_and_change_nothing(app: EmulatorApp, client: Client) -> None:
    app.clock.unfreeze()
    for path, raw in BAD_ADMIN_BODIES:
        answer = client.post(path, data=raw, content_type="application/json")
        assert answer.status_code == 400, (path, raw[:60], answer.get_data())
        assert answer.json["error"] == "validation_error"
    # nothing changed: the clock, latency, limits, faults and webhooks are as before
    assert abs(app.clock.offset) < 5
    assert app.latency == 0.0
    assert app.rate_limits.limits() == {}
    assert app.faults.active == []
    assert app.v3.webhooks() == []
    moved = client.post("/_emulator/clock", json={"advance": 60})
    assert moved.status_code == 200 and 55 < moved.json["offset"] < 65
    assert client.get("/v1.0/user").status_code == 401  # the service still answers


def test_the_clock_refuses_to_leave_the_calendar(app: EmulatorApp) -> None:
    with pytest.raises(ValueError, match="9000"):
        for _ in range(100):
            app.clock.advance(3.0e9)  # about 95 years each
    stopped = app.clock.now()
    assert 8900 <= stopped.year <= 9000
    answer = Client(app).get("/_emulator/clock")
    assert answer.status_code == 200 and answer.json["now"].startswith(str(stopped.year))
