"""The /_emulator admin endpoints through werkzeug's test client."""

from __future__ import annotations

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
