"""``make demo``: the SDK's whole story with the real SDK against the in-process emulator.

Four parts, in order (:data:`PARTS`):

1. The seed's story on the default API version (v2.0): the Connect URL, the user approving,
   the code exchange, the vehicle list, every read of every vehicle as a table (metric and
   imperial), lock/unlock, charging, a token refresh, and one handled exception of each kind.
2. ``smartcar.set_api_version("1.0")`` pinning v1.0: the same calls go to ``/v1.0``, on the
   same vehicles (a lock sent on one version is seen on the other).
3. API v3: the application token, a v3 user through Connect, their connections, signals and
   the seed's reads, a command, and the vehicle's state seen changing.
4. Webhooks: the emulator sends VERIFY and then a signed ``VEHICLE_STATE`` delivery to a
   loopback endpoint built on :class:`smartcar.webhooks.Receiver`, which verifies it; a forged
   delivery is refused.

No account, no network (everything is on 127.0.0.1). Exit status 0 when the story ran.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Type, Union
from urllib.parse import parse_qs, urlsplit

import smartcar
import smartcar.v3
from smartcar import const
from smartcar.emulator import DEFAULT_USER, connect
from smartcar.emulator.middleware import RequestRecord
from smartcar.emulator.permissions import PERMISSIONS
from smartcar.emulator.server import Emulator
from smartcar.webhooks import Receiver, VehicleStateEvent, VerifyEvent, verify_signature

SCOPE = [*PERMISSIONS, "read_security"]  # the seed's permissions, and v2.0's lock status
V3_SCOPE = ["read_vehicle_info", "read_vin", "read_location", "read_odometer", "read_fuel",
            "read_battery", "read_charge", "read_engine_oil", "read_tires", "read_security",
            "control_security", "control_charge"]  # fmt: skip
LOCK_SIGNAL = "closure-islocked"
WEBHOOK_DATA = [LOCK_SIGNAL, "odometer-traveleddistance", "location-preciselocation"]
PARTS = (
    "Part 1. The seed's story on API v{version} (the default)",
    'Part 2. Pinning API v1.0: smartcar.set_api_version("1.0")',
    "Part 3. API v3: one application token, a user by id, signals and commands",
    "Part 4. Webhooks: a signed delivery arrives and is verified",
)
"""The titles the demo prints, in order (``{version}``: the default API version)."""
DELIVERY_WAIT = 30.0  # seconds to wait for the emulator's delivery worker (a busy machine)
_WIDTH = 96
AnyVehicle = Union[smartcar.Vehicle, smartcar.v3.Vehicle]


def _say(text: str = "") -> None:
    print(text, flush=True)


def _part(title: str) -> None:
    _say()
    _say()
    _say(title)
    _say("=" * min(_WIDTH, len(title)))


class _Steps:
    """Step numbers that run on across the parts."""

    def __init__(self) -> None:
        self.number = 0

    def __call__(self, title: str) -> None:
        self.number += 1
        _say()
        _say(f"{self.number}. {title}")
        _say("-" * min(_WIDTH, len(title) + len(str(self.number)) + 2))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "   ") -> None:
    widths = [max(len(str(row[col])) for row in [header, *rows]) for col in range(len(header))]
    line = "  ".join("-" * width for width in widths)
    for row in [header, None, *rows]:
        if row is None:
            _say(indent + line)
            continue
        cells = "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths))
        _say((indent + cells).rstrip())


def _cell(read: Callable[[], Any], show: Callable[[Any], str]) -> str:
    try:
        return show(read())
    except smartcar.VehicleNotCapableException:
        return "(vehicle can't)"
    except smartcar.SmartcarNotCapableException:
        return "(not on this make)"
    except smartcar.SmartcarException as exc:
        return f"({type(exc).__name__})"


def _pct(value: Any) -> str:
    return f"{float(value):.0%}"


def _reads(vehicle: AnyVehicle) -> List[Tuple[str, str]]:
    metric = vehicle.unit_system == "metric"
    dist, vol, press = ("km", "L", "kPa") if metric else ("mi", "gal", "psi")

    def fuel(result: Any) -> str:
        data = result["data"]
        return (
            f"{_pct(data['percentRemaining'])} {data['amountRemaining']:.1f} {vol}"
            f" {data['range']:.0f} {dist}"
        )

    def battery(result: Any) -> str:
        data = result["data"]
        return f"{_pct(data['percentRemaining'])} {data['range']:.0f} {dist}"

    def charge(result: Any) -> str:
        data = result["data"]
        plug = "plugged in" if data["isPluggedIn"] else "unplugged"
        return f"{plug}, {data['state'].lower().replace('_', ' ')}"

    def tires(result: Any) -> str:
        data = result["data"]["tires"]
        values = [data[key] for key in ("frontLeft", "frontRight", "backLeft", "backRight")]
        return "/".join(f"{value:.0f}" for value in values) + f" {press}"

    rows = [
        ("odometer", _cell(vehicle.odometer, lambda r: f"{r['data']['distance']:,.0f} {dist}")),
        ("fuel", _cell(vehicle.fuel, fuel)),
        ("battery", _cell(vehicle.battery, battery)),
        ("tire pressure", _cell(vehicle.tire_pressure, tires)),
    ]
    if metric:
        rows = [
            ("make, model", _cell(vehicle.info, lambda r: f"{r['year']} {r['make']} {r['model']}")),
            ("vin", _cell(vehicle.vin, str)),
            (
                "location",
                _cell(
                    vehicle.location,
                    lambda r: f"{r['data']['latitude']:.4f}, {r['data']['longitude']:.4f}",
                ),
            ),
            *rows,
            ("battery capacity", _cell(vehicle.battery_capacity, _capacity)),
            ("charge", _cell(vehicle.charge, charge)),
            (
                "engine oil",
                _cell(vehicle.oil, lambda r: f"{_pct(r['data']['lifeRemaining'])} left"),
            ),
        ]
        if isinstance(vehicle, smartcar.Vehicle):
            rows.append(("permissions", _cell(vehicle.permissions, lambda p: f"{len(p)} granted")))
    return rows


def _capacity(result: Any) -> str:
    return f"{result['data']['capacity']:.1f} kWh"


def _vehicle_table(vehicles: Sequence[AnyVehicle], kinds: Dict[str, str]) -> None:
    columns = [_reads(vehicle) for vehicle in vehicles]
    header = ["read", *[f"#{index + 1} {kinds[v.vehicle_id]}" for index, v in enumerate(vehicles)]]
    rows = [
        [label, *[_short(column[row][1], 26) for column in columns]]
        for row, (label, _) in enumerate(columns[0])
    ]
    _table(header, rows)


def _show_exception(label: str, call: Callable[[], Any]) -> Optional[str]:
    try:
        call()
    except smartcar.SmartcarException as exc:
        detail = " ".join(
            part
            for part in (
                str(exc.status_code) if getattr(exc, "status_code", None) else "",
                str(getattr(exc, "error", "") or ""),
                f"code={exc.code}" if getattr(exc, "code", None) else "",
            )
            if part
        )
        message = _short(str(getattr(exc, "message", exc)).replace("\n", " "), 50)
        return f"{type(exc).__name__:<28} {label:<34} {detail:<46} {message}"
    return f"{'(no exception)':<28} {label}"


class _WebhookEndpoint:
    """The application's webhook endpoint on loopback: what a Flask/Django view does, on
    ``http.server``: :meth:`Receiver.handle` on the raw body, then the answer it gives.

    ``events`` are the events the receiver handed to the application (VERIFY included);
    ``deliveries`` every ``(status, raw body, SC-Signature)`` it answered."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.events: List[Any] = []
        self.deliveries: List[Tuple[int, bytes, Optional[str]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer, event = endpoint.receiver.handle(dict(self.headers), raw)
                endpoint.deliveries.append((status, raw, self.headers.get("SC-Signature")))
                if event is not None:
                    endpoint.events.append(event)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/smartcar"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def state_events(self) -> List[VehicleStateEvent]:
        """The ``VEHICLE_STATE`` events handed to the application so far."""
        return [event for event in self.events if isinstance(event, VehicleStateEvent)]

    def __enter__(self) -> _WebhookEndpoint:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def _served(records: Sequence[RequestRecord]) -> Iterator[str]:
    for record in records:
        yield f"   {record.method:<6} {record.path:<62} {record.status}"


def run(seed: int = 0) -> int:
    """Tell the whole story on a fresh in-process emulator; return the exit status (0)."""
    started = time.perf_counter()
    default_version = smartcar.get_api_version()
    _say("Smartcar SDK demo against the local emulator (no account, no network)")
    _say("=" * 70)
    with Emulator(seed=seed) as emu:
        _say(f"Emulator serving Connect, Auth, API v1.0/v2.0/v3 and management on {emu.origin}")
        _say(f"(seed {seed}); API version in force: {default_version} (the default)")
        step = _Steps()
        _part(PARTS[0].format(version=default_version))
        seed_story = _seed_story(emu, step, default_version)
        _part(PARTS[1])
        _pinning(emu, step, seed_story, default_version)
        _part(PARTS[2])
        v3_client, v3_vehicle = _v3_story(emu, step)
        _part(PARTS[3])
        _webhooks(emu, step, v3_client, v3_vehicle)
    _say()
    _say(f"Done in {time.perf_counter() - started:.1f} s.")
    return 0


class _SeedStory:
    """What the later parts reuse from part 1."""

    def __init__(self, client: smartcar.AuthClient, token: str, ids: List[str]) -> None:
        self.client = client
        self.token = token
        self.ids = ids


def _seed_story(emu: Emulator, step: _Steps, version: str) -> _SeedStory:
    step("Build the Connect URL (AuthClient.get_auth_url)")
    client = smartcar.AuthClient(emu.client_id, emu.client_secret, emu.redirect_uri, scope=SCOPE)
    auth_url = client.get_auth_url(force=True, state="demo-state")
    _say(f"   {auth_url}")

    step(f"The user signs in as {DEFAULT_USER} and approves (emulator.connect)")
    redirect = connect(auth_url)
    _say(f"   redirected to {redirect}")
    query = parse_qs(urlsplit(redirect).query)
    code = query["code"][0]
    _say(f"   state echoed back: {query['state'][0]}")

    step("Exchange the code (AuthClient.exchange_code)")
    access = client.exchange_code(code)
    _say(f"   token_type {access['token_type']}, expires_in {access['expires_in']} s")
    _say(f"   expiration {access['expiration']:%Y-%m-%d %H:%M:%S} UTC")
    _say(f"   refresh_expiration {access['refresh_expiration']:%Y-%m-%d %H:%M:%S} UTC")
    _say(f"   is_expired(expiration) -> {smartcar.is_expired(access['expiration'])}")
    token = access["access_token"]

    step("List the vehicles (get_vehicle_ids, get_user_id)")
    listing = smartcar.get_vehicle_ids(token)
    ids: List[str] = list(listing["vehicles"])
    _say(f"   user id {smartcar.get_user_id(token)}")
    _say(f"   {listing['paging']['count']} vehicles: {', '.join(ids)}")
    _say(f"   requests went to {const.API_URL}/...")
    kinds = {vehicle_id: emu.vehicle(vehicle_id).kind for vehicle_id in ids}

    step("Every read of every vehicle (metric)")
    vehicles = [smartcar.Vehicle(vehicle_id, token) for vehicle_id in ids]
    _vehicle_table(vehicles, kinds)
    _say()
    _say("   ... and with unit_system='imperial'")
    for vehicle in vehicles:
        vehicle.set_unit_system("imperial")
    _vehicle_table(vehicles, kinds)

    first = smartcar.Vehicle(ids[0], token)
    batch = first.batch(["/odometer", "/location", "/vin"])
    _say()
    _say("   batch(['/odometer', '/location', '/vin']) on vehicle #1:")
    for path, item in batch.items():
        _say(f"     {path:<10} {item['code']} {item['body']}")

    step("Commands: lock, unlock, charging")
    status = first.lock()["status"]
    _say(f"   lock()   -> {status:<8} emulated vehicle locked: {emu.vehicle(ids[0]).locked}")
    status = first.unlock()["status"]
    _say(f"   unlock() -> {status:<8} emulated vehicle locked: {emu.vehicle(ids[0]).locked}")
    plugged = next(
        (vid for vid in ids if kinds[vid] != "gas" and emu.vehicle(vid).is_plugged_in), None
    )
    if plugged is not None:
        car = smartcar.Vehicle(plugged, token)
        car.stop_charge()
        _say(f"   stop_charge()  on #{ids.index(plugged) + 1}: {car.charge()['data']['state']}")
        car.start_charge()
        _say(f"   start_charge() on #{ids.index(plugged) + 1}: {car.charge()['data']['state']}")

    step("Refresh the access token (exchange_refresh_token; the old refresh token dies)")
    fresh = client.exchange_refresh_token(access["refresh_token"])
    _say(f"   new access token issued, expires_in {fresh['expires_in']} s")
    reread = smartcar.Vehicle(ids[0], fresh["access_token"]).odometer()
    _say(f"   odometer read with the new token: {reread['data']['distance']:,.0f} km")
    try:
        client.exchange_refresh_token(access["refresh_token"])
        _say("   reusing the old refresh token unexpectedly worked")
    except smartcar.SmartcarException as exc:
        _say(f"   reusing the old refresh token -> {type(exc).__name__}: {exc.message}")

    step(f"One handled exception of each kind (v{version} error bodies)")
    _say("   (Vehicle(..., max_retries=0) so that each scripted fault surfaces at once)")
    _say()
    for line in _exceptions(emu, client, ids, kinds, fresh["access_token"], version):
        _say("   " + line)
    emu.rate_limit(ids[0], None)
    return _SeedStory(client, fresh["access_token"], ids)


def _pinning(emu: Emulator, step: _Steps, story: _SeedStory, default_version: str) -> None:
    step('smartcar.set_api_version("1.0"): every call without its own version= uses v1.0')
    smartcar.set_api_version("1.0")
    try:
        _say(f"   get_api_version() -> {smartcar.get_api_version()!r}")
        _say(f"   smartcar.const.API_URL -> {const.API_URL}")
        vehicle = smartcar.Vehicle(story.ids[0], story.token)
        mark = len(emu.requests())
        odometer = vehicle.odometer()
        locked = vehicle.lock()
        _say(f"   odometer() -> {odometer['data']['distance']:,.0f} km; lock() -> {locked}")
        _say("   what the emulator served:")
        for line in _served(emu.requests()[mark:]):
            _say(line)
    finally:
        smartcar.set_api_version(default_version)

    step("One state behind both versions (version= pins one Vehicle)")
    mark = len(emu.requests())
    pinned = smartcar.Vehicle(story.ids[0], story.token, version="1.0")
    v2 = smartcar.Vehicle(story.ids[0], story.token, version="2.0")
    _say(f"   locked through v1.0 above; v2.0 lock_status() isLocked: "
         f"{v2.lock_status()['data']['isLocked']}")  # fmt: skip
    v2.unlock()
    _say(f"   unlock() through v2.0;     v2.0 lock_status() isLocked: "
         f"{v2.lock_status()['data']['isLocked']}")  # fmt: skip
    _say(f"   vin() through v1.0 and v2.0 agree: {pinned.vin() == v2.vin()}")
    for line in _served(emu.requests()[mark:]):
        _say(line)
    _say(f"   back to the default: get_api_version() -> {smartcar.get_api_version()!r}")


def _v3_story(emu: Emulator, step: _Steps) -> Tuple[smartcar.v3.Client, smartcar.v3.Vehicle]:
    step("The application token (smartcar.v3.Client.access_token)")
    client = smartcar.v3.Client(
        emu.client_id,
        emu.client_secret,
        application_id=emu.application_id,
        redirect_uri=emu.redirect_uri,
    )
    client.access_token()
    client.access_token()
    _say(f"   POST {const.IAM_URL} (client credentials): one token for every vehicle")
    _say(f"   asked twice, requested {emu.v3.token_requests} time(s): it is cached and renewed")

    step("A v3 user through Connect (get_auth_url, parse_redirect)")
    auth_url = client.get_auth_url(V3_SCOPE, state="demo-v3")
    _say(f"   {_short(auth_url, _WIDTH - 3)}")
    redirect = smartcar.v3.parse_redirect(connect(auth_url))
    user_id = redirect["user_id"]
    _say(f"   redirected with user_id {user_id}, state {redirect['state']}")

    step("The user's connections (client.connections)")
    connections = list(client.connections(user_id=user_id))
    _table(
        ["vehicle id", "vehicle", "powertrain", "permissions"],
        [
            [
                connection["vehicle_id"] or "",
                f"{connection['vehicle']['year']} {connection['vehicle']['make']} "
                f"{connection['vehicle']['model']}",
                str(connection["vehicle"].get("powertrain_type") or ""),
                str(len(connection["permissions"])),
            ]
            for connection in connections
        ],
    )
    vehicles = [
        client.vehicle(connection["vehicle_id"] or "", user_id) for connection in connections
    ]
    first = vehicles[0]

    step("Signals of vehicle #1 (vehicle.signals)")
    signals = first.signals()
    _say(f"   {len(signals)} signals; a few of them:")
    shown = [LOCK_SIGNAL, "odometer-traveleddistance", "location-preciselocation",
             "vehicleidentification-vin", "tractionbattery-stateofcharge",
             "internalcombustionengine-fuellevel"]  # fmt: skip
    _table(
        ["code", "status", "value", "unit", "retrieved at"],
        [
            [
                code,
                signal.status,
                _short(_signal_text(signal), 44),
                str(signal.unit or ""),
                f"{signal.retrieved_at:%H:%M:%S}" if signal.retrieved_at else "",
            ]
            for code, signal in ((code, signals.get(code)) for code in shown)
            if signal is not None
        ],
    )

    step("The seed's reads, built from signals (metric, then imperial)")
    kinds = {vehicle.vehicle_id: emu.vehicle(vehicle.vehicle_id).kind for vehicle in vehicles}
    _vehicle_table(vehicles, kinds)
    _say()
    for vehicle in vehicles:
        vehicle.set_unit_system("imperial")
    _vehicle_table(vehicles, kinds)
    for vehicle in vehicles:
        vehicle.set_unit_system("metric")

    step("A command, and the state seen changing (vehicle.lock / vehicle.unlock)")
    before = first.signal(LOCK_SIGNAL).value
    command, execution = _toggle_lock(first)
    after = first.signal(LOCK_SIGNAL).value
    _say(f"   {LOCK_SIGNAL} before: {before}")
    _say(f"   {command} -> {execution['command_type']} {execution['status']} "
         f"({execution['execution_mode']}, HTTP {execution['status_code']})")  # fmt: skip
    _say(f"   {LOCK_SIGNAL} after:  {after}; emulated vehicle locked: "
         f"{emu.vehicle(first.vehicle_id).locked}")  # fmt: skip
    seen = smartcar.Vehicle(first.vehicle_id, emu.issue_tokens()["access_token"], version="2.0")
    _say(f"   the same car through API v2.0: lock_status() isLocked "
         f"{seen.lock_status()['data']['isLocked']}, odometer "
         f"{seen.odometer()['data']['distance']:,.0f} km (v3: "
         f"{first.odometer()['data']['distance']:,.0f} km)")  # fmt: skip
    return client, first


def _signal_text(signal: smartcar.v3.Signal) -> str:
    """A signal's value, its body when it has no single value, or its error code."""
    if signal.error is not None:
        return f"error {signal.error.type}/{signal.error.code}"
    if signal.value is not None:
        return str(signal.value)
    if isinstance(signal.body, dict):
        return ", ".join(f"{key}={value}" for key, value in signal.body.items())
    return str(signal.body)


def _toggle_lock(vehicle: smartcar.v3.Vehicle) -> Tuple[str, smartcar.v3.types.CommandExecution]:
    """Lock an unlocked vehicle, unlock a locked one; return the command's name and outcome."""
    if vehicle.signal(LOCK_SIGNAL).value:
        return "unlock()", vehicle.unlock()
    return "lock()", vehicle.lock()


def _webhooks(
    emu: Emulator, step: _Steps, client: smartcar.v3.Client, vehicle: smartcar.v3.Vehicle
) -> None:
    amt = emu.management_token
    with _WebhookEndpoint(Receiver(amt)) as endpoint:
        step("Configure a webhook (as in the Dashboard): the VERIFY challenge is answered")
        hook = emu.v3.add_webhook(
            "Demo: locks", endpoint.url, triggers=[LOCK_SIGNAL], data=WEBHOOK_DATA
        )
        _say(f"   callback {endpoint.url}")
        challenge = next(e for e in endpoint.events if isinstance(e, VerifyEvent))
        _say(f"   VERIFY challenge {_short(challenge.challenge, 20)} answered by Receiver.handle")
        _say(f"   (HMAC-SHA256 of it with the management token); webhook enabled: "
             f"{hook.is_enabled}")  # fmt: skip

        step("Subscribe the vehicle (client.subscribe), then send a v3 command to it")
        client.subscribe(hook.id, vehicle_id=vehicle.vehicle_id, user_id=vehicle.user_id)
        emu.v3.deliveries.wait(timeout=DELIVERY_WAIT)
        subscribed = len(endpoint.state_events())
        command, _ = _toggle_lock(vehicle)
        emu.v3.deliveries.wait(timeout=DELIVERY_WAIT)
        events = endpoint.state_events()
        _say(f"   on subscribing: {subscribed} VEHICLE_STATE event(s) (the current state)")
        _say(f"   after {command}: {len(events) - subscribed} more "
             f"(the trigger signal {LOCK_SIGNAL} changed)")  # fmt: skip

        step("The webhook that arrived: signature verified, then parsed")
        event = events[-1]
        status, raw, signature = next(d for d in reversed(endpoint.deliveries) if d[0] == 200)
        verified = signature is not None and verify_signature(amt, raw, signature)
        _say(f"   POST {urlsplit(endpoint.url).path} -> {status}; SC-Signature verified over "
             f"the raw {len(raw)} bytes: {verified}")  # fmt: skip
        _say(f"   event {event.event_id}: vehicle {event.vehicle.id}")
        triggers = ", ".join(
            str(t.signal.code) for t in event.triggers if t.signal is not None and t.signal.code
        )
        _say(f"   triggered by: {triggers or '(none listed)'}")
        for signal in event.signals:
            _say(f"     {signal.code:<30} {_short(_signal_text(signal), 60)}")

        step("A forged delivery (bad signature) is refused; nothing reaches the application")
        count = len(endpoint.events)
        forged = raw.replace(b"false", b"true") if b"false" in raw else raw + b" "
        answer = _post(endpoint.url, forged, {"SC-Signature": "0" * 64})
        _say(f"   POST with a wrong SC-Signature -> {answer}; events handed over: "
             f"{len(endpoint.events) - count}")  # fmt: skip

        step("The emulator's delivery log")
        for delivery in emu.v3.deliveries.log():
            attempts = ", ".join(str(attempt.status) for attempt in delivery.attempts)
            latency = sum(attempt.latency for attempt in delivery.attempts)
            _say(f"   {delivery.event_type:<14} {delivery.state:<10} attempts: {attempts:<6} "
                 f"{latency * 1000:.0f} ms")  # fmt: skip


def _post(url: str, body: bytes, headers: Dict[str, str]) -> int:
    """POST ``body`` to a loopback URL; return the answer's status."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        connection.request(
            "POST", parts.path, body, {"Content-Type": "application/json", **headers}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def _exceptions(
    emu: Emulator,
    client: smartcar.AuthClient,
    ids: List[str],
    kinds: Dict[str, str],
    token: str,
    version: str,
) -> List[str]:
    def car(vehicle_id: str, access: str = token, **options: Any) -> smartcar.Vehicle:
        return smartcar.Vehicle(vehicle_id, access, max_retries=0, **options)

    gas = next(vid for vid in ids if kinds[vid] == "gas")
    unplugged = next(
        (vid for vid in ids if kinds[vid] != "gas" and not emu.vehicle(vid).is_plugged_in), None
    )
    odometer_path = f"/v{version}/vehicles/{ids[0]}/odometer"
    limited = emu.issue_tokens(scope=["read_odometer"], user=DEFAULT_USER)["access_token"]
    results: List[Optional[str]] = []

    def faulted(label: str, call: Callable[[], Any], **fault: Any) -> None:
        emu.faults.add(odometer_path, **fault)
        results.append(_show_exception(label, call))
        emu.faults.clear()

    results.append(
        _show_exception("permissions(limit=500)", lambda: car(ids[0]).permissions(limit=500))
    )
    results.append(
        _show_exception("odometer() with a bad token", car(ids[0], "bad-token").odometer)
    )
    results.append(_show_exception("location() w/o read_location", car(ids[0], limited).location))
    results.append(
        _show_exception(
            "info() of an unknown vehicle", car("00000000-0000-4000-8000-000000000000").info
        )
    )
    if unplugged is not None:
        results.append(
            _show_exception("start_charge() while unplugged", car(unplugged).start_charge)
        )
    emu.rate_limit(ids[0], per_second=1)
    vehicle = car(ids[0])
    vehicle.odometer()
    results.append(_show_exception("2 reads within 1 s (rate limit)", vehicle.odometer))
    emu.rate_limit(ids[0], None)
    faulted("odometer() [430 scripted]", car(ids[0]).odometer, status=430)
    faulted("odometer() [500 scripted]", car(ids[0]).odometer, status=500)
    gateway = "HTML" if version == "1.0" else "UPSTREAM"  # a v2.0 502 is a v2 UPSTREAM body
    faulted(f"odometer() [502 {gateway} scripted]", car(ids[0]).odometer, status=502)
    results.append(_show_exception("battery() of a gas car", car(gas).battery))
    unsupported = next(
        (
            (vid, path)
            for vid in ids
            for path in emu.vehicle(vid).smartcar_unsupported
            if not (path == "/engine/oil" and kinds[vid] == "electric")
            and not (path.startswith("/battery") and kinds[vid] == "gas")
        ),
        None,
    )
    if unsupported is not None:
        vid, path = unsupported
        method = {"/tires/pressure": "tire_pressure", "/engine/oil": "oil"}.get(
            path, "battery_capacity"
        )
        results.append(
            _show_exception(f"{method}() of a {emu.vehicle(vid).make}", getattr(car(vid), method))
        )
    else:
        faulted(
            "odometer() [501 scripted]",
            car(ids[0]).odometer,
            status=501,
            error="smartcar_not_capable_error",
        )
    faulted("odometer() [504 scripted]", car(ids[0]).odometer, status=504)
    faulted("odometer() [connection dropped]", car(ids[0]).odometer, drop=True)
    faulted("odometer() [3 s late, timeout=0.5]", car(ids[0], timeout=0.5).odometer, latency=3.0)
    results.append(
        _show_exception("exchange_code('used-or-bogus')", lambda: client.exchange_code("bogus"))
    )
    return [line for line in results if line]


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    seed = int(args[0]) if args else 0
    return run(seed)


if __name__ == "__main__":
    sys.exit(main())
